package io.sbc.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.Base64;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** The two forms a configuration takes in a ConfigMap, and what a reader refuses. */
class ConfigMapPayloadTest {

  /** A configuration of {@code routes} routes, as the operator would write it. */
  static String routes(int routes) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < routes; i++) {
      sb.append("---\napiVersion: sbc.io/v1alpha1\nkind: SipRoute\nmetadata:\n  name: r")
          .append(i)
          .append("\nspec:\n  parentRefs: [{name: edge}]\n  rules:\n    - matches:")
          .append(" [{requestUri: {user: {type: Prefix, value: \"+")
          .append(1000 + i)
          .append("\"}}}]\n      backendRefs: [{uri: \"sip:10.0.")
          .append(i % 250)
          .append(".1:5060\"}]\n");
    }
    return sb.toString();
  }

  @Test
  void smallConfigurationsStayPlainLargeOnesAreCompressed() throws Exception {
    String small = routes(10);
    assertFalse(ConfigMapPayload.compressed(small));
    assertEquals(small, ConfigMapPayload.read(Map.of(ConfigMapPayload.KEY, small), null));

    String large = routes(20_000); // about 4 MB of YAML: four times what a ConfigMap holds
    assertTrue(large.length() > 4 * ConfigMapPayload.STORED_LIMIT, "" + large.length());
    assertTrue(ConfigMapPayload.compressed(large));
    assertTrue(ConfigMapPayload.fits(large), "compresses under 1 MiB");
    String stored = ConfigMapPayload.gzipBase64(large);
    assertTrue(stored.length() <= ConfigMapPayload.STORED_LIMIT, "" + stored.length());
    assertEquals(large, ConfigMapPayload.read(null, Map.of(ConfigMapPayload.GZIP_KEY, stored)));
    assertNull(ConfigMapPayload.read(Map.of("other", "x"), Map.of()));
  }

  @Test
  void whatDoesNotCompressEnoughDoesNotFit() {
    Random r = new Random(1);
    StringBuilder sb = new StringBuilder();
    while (sb.length() < 3 * ConfigMapPayload.STORED_LIMIT) {
      sb.append(Long.toString(r.nextLong(), 36));
    }
    assertFalse(ConfigMapPayload.fits(sb.toString()));
  }

  @Test
  void aZipBombAndGarbageAreRefused() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      byte[] zeros = new byte[1 << 20];
      for (int i = 0; i < 70; i++) {
        gz.write(zeros); // 70 MiB of zeros: about 70 KB compressed
      }
    }
    String bomb = Base64.getEncoder().encodeToString(out.toByteArray());
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> ConfigMapPayload.read(null, Map.of(ConfigMapPayload.GZIP_KEY, bomb)));
    assertTrue(e.errors().get(0).contains("expands past"), e.errors().get(0));
    ConfigException g =
        assertThrows(
            ConfigException.class,
            () -> ConfigMapPayload.read(null, Map.of(ConfigMapPayload.GZIP_KEY, "bm90IGd6aXA=")));
    assertTrue(g.errors().get(0).contains("not base64 gzip"), g.errors().get(0));
  }
}
