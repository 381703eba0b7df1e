package io.sbc.operator.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.sbc.api.SipGateway;
import io.sbc.operator.crd.SipGatewayResource;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The sealing secret the operator makes for a gateway without spec.sealing. */
class SealingSecretTest {

  /** Fills each request with the next of the given byte values, repeated. */
  static final class Draws extends Random {
    final Deque<Byte> fills = new ArrayDeque<>();
    int calls;

    Draws(int... values) {
      for (int v : values) {
        fills.add((byte) v);
      }
    }

    @Override
    public void nextBytes(byte[] bytes) {
      calls++;
      Arrays.fill(bytes, fills.pop());
    }
  }

  private static SipGatewayResource gateway(String name) {
    SipGatewayResource gw = new SipGatewayResource();
    gw.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("voice").build());
    gw.setSpec(new SipGateway.Spec());
    return gw;
  }

  @Test
  void aSecretIs32RandomBytes() {
    SecureRandom random = new SecureRandom();
    byte[] a = WorkloadModel.newSealingSecret(random);
    byte[] b = WorkloadModel.newSealingSecret(random);
    assertEquals(32, a.length);
    assertEquals(32, b.length);
    assertFalse(Arrays.equals(a, b), "two draws gave the same secret");
  }

  /** The runtime drops one trailing line end of a secret file: such a draw is drawn again. */
  @Test
  void aDrawEndingInALineFeedIsDrawnAgain() {
    Draws draws = new Draws('\n', 7);
    byte[] s = WorkloadModel.newSealingSecret(draws);
    assertEquals(2, draws.calls);
    byte[] sevens = new byte[32];
    Arrays.fill(sevens, (byte) 7);
    assertArrayEquals(sevens, s);

    Draws once = new Draws('\r', 9);
    WorkloadModel.newSealingSecret(once);
    assertEquals(1, once.calls, "only a final line feed is dropped by the runtime");
  }

  @Test
  void theSecretHoldsTheBytesUnderKeySecretAndBelongsToTheGateway() {
    byte[] bytes = new byte[32];
    Arrays.fill(bytes, (byte) 0xA5);
    Secret s = WorkloadModel.sealingSecret(gateway("edge"), bytes);
    assertEquals("edge-sealing", s.getMetadata().getName());
    assertEquals("voice", s.getMetadata().getNamespace());
    assertEquals("sbc-operator", s.getMetadata().getLabels().get(Names.MANAGED_BY));
    assertEquals("Opaque", s.getType());
    assertEquals(Map.of("secret", Base64.getEncoder().encodeToString(bytes)), s.getData());
  }

  @Test
  void onlyAGatewayWithoutItsOwnSealingGetsOne() {
    SipGatewayResource plain = gateway("a");
    SipGatewayResource own = gateway("b");
    own.getSpec().sealing = new SipGateway.Sealing();
    own.getSpec().sealing.secretFile = "/etc/sbc/seal";
    assertEquals(true, WorkloadModel.providesSealingSecret(plain));
    assertEquals(false, WorkloadModel.providesSealingSecret(own));
    assertEquals(
        List.of("a-sealing"),
        WorkloadModel.deployment(plain, settings())
            .getSpec()
            .getTemplate()
            .getSpec()
            .getVolumes()
            .stream()
            .filter(v -> v.getSecret() != null)
            .map(v -> v.getSecret().getSecretName())
            .toList());
    assertEquals(
        List.of(),
        WorkloadModel.deployment(own, settings())
            .getSpec()
            .getTemplate()
            .getSpec()
            .getVolumes()
            .stream()
            .filter(v -> v.getSecret() != null)
            .toList(),
        "no Secret mounted");
  }

  private static RuntimeSettings settings() {
    return new RuntimeSettings("sbc:1", "IfNotPresent", 5, "rtpengine:1");
  }
}
