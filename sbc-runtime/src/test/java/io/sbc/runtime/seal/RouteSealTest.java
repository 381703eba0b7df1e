package io.sbc.runtime.seal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sbc.runtime.sip.locate.UriTarget;
import io.sbc.runtime.sip.transport.Protocol;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Record-Route token: what it seals opens only for its dialog, under a key still held. */
class RouteSealTest {
  static final byte[] K1 = "first secret of the gateway".getBytes(StandardCharsets.UTF_8);
  static final byte[] K2 = "second secret, after rotation".getBytes(StandardCharsets.UTF_8);
  static final byte[] CALL = "abc123@192.0.2.1".getBytes(StandardCharsets.ISO_8859_1);

  static String seal(RouteSeal s, byte[] callId, UriTarget hop) {
    return s.seal(callId, 0, callId.length, hop);
  }

  static UriTarget open(RouteSeal s, String token, byte[] callId) {
    byte[] t = token.getBytes(StandardCharsets.ISO_8859_1);
    return s.open(t, 0, t.length, callId, 0, callId.length);
  }

  @Test
  void hopsOfEveryKindComeBackAsTheyWereSealed() {
    RouteSeal s = new RouteSeal(SealKeys.of(List.of(K1)));
    for (UriTarget hop :
        List.of(
            new UriTarget("192.0.2.10", 5060, null, false),
            new UriTarget("192.0.2.10", -1, Protocol.TCP, false),
            new UriTarget("[2001:db8::1]", 5062, Protocol.UDP, false),
            new UriTarget("pbx.example.com", -1, null, true),
            new UriTarget("trunk.carrier.example", 5080, Protocol.TCP, false))) {
      String token = seal(s, CALL, hop);
      for (char c : token.toCharArray()) {
        assertTrue(Character.isLetterOrDigit(c) || c == '-' || c == '_', "URI-safe: " + token);
      }
      assertEquals(hop, open(s, token, CALL));
    }
  }

  @Test
  void anIpv4HopWithAPortTakes24Characters() {
    RouteSeal s = new RouteSeal(SealKeys.of(List.of(K1)));
    assertEquals(24, seal(s, CALL, new UriTarget("192.0.2.10", 5060, null, false)).length());
  }

  @Test
  void dialogStateSealedWithTheHopComesBackAndIsAuthenticated() {
    RouteSeal s = new RouteSeal(SealKeys.of(List.of(K1)));
    UriTarget hop = new UriTarget("192.0.2.10", 5060, null, false);
    byte[] state = {1, 2, 3, 4, 5};
    String token = s.seal(CALL, 0, CALL.length, hop, state);
    assertEquals(32, token.length(), "24 characters and five bytes of state: " + token);
    byte[] t = token.getBytes(StandardCharsets.ISO_8859_1);
    RouteSeal.Opened o = s.openWithState(t, 0, t.length, CALL, 0, CALL.length);
    assertEquals(hop, o.hop());
    assertArrayEquals(state, o.state());
    assertEquals(hop, open(s, token, CALL), "the hop alone opens as before");
    // A token without state opens with none; a changed character anywhere does not open.
    String plain = seal(s, CALL, hop);
    byte[] p = plain.getBytes(StandardCharsets.ISO_8859_1);
    assertNull(s.openWithState(p, 0, p.length, CALL, 0, CALL.length).state());
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      String x = token.substring(0, i) + (c == 'x' ? 'y' : 'x') + token.substring(i + 1);
      assertNull(open(s, x, CALL), "one character changed at " + i);
    }
    assertThrows(
        IllegalArgumentException.class,
        () -> s.seal(CALL, 0, CALL.length, hop, new byte[RouteSeal.MAX_STATE + 1]));
  }

  @Test
  void tamperedTruncatedOrForeignTokensDoNotOpen() {
    RouteSeal s = new RouteSeal(SealKeys.of(List.of(K1)));
    String token = seal(s, CALL, new UriTarget("192.0.2.10", 5060, null, false));
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      String t = token.substring(0, i) + (c == 'x' ? 'y' : 'x') + token.substring(i + 1);
      assertNull(open(s, t, CALL), "one character changed at " + i);
    }
    for (int n = 0; n < token.length(); n++) {
      assertNull(open(s, token.substring(0, n), CALL), "truncated to " + n);
    }
    assertNull(open(s, token + "AA", CALL), "extended");
    assertNull(open(s, token, "another@192.0.2.1".getBytes(StandardCharsets.ISO_8859_1)));
    assertNull(open(new RouteSeal(SealKeys.of(List.of(K2))), token, CALL), "another gateway");
    assertNull(open(s, "!!!!not base64!!!!", CALL));
  }

  @Test
  void aRotationKeepsOpeningWhatThePreviousSecretSealed() {
    RouteSeal before = new RouteSeal(SealKeys.of(List.of(K1)));
    RouteSeal during = new RouteSeal(SealKeys.of(List.of(K2, K1)));
    RouteSeal after = new RouteSeal(SealKeys.of(List.of(K2)));
    UriTarget hop = new UriTarget("192.0.2.10", 5060, null, false);
    String old = seal(before, CALL, hop);
    String fresh = seal(during, CALL, hop);
    assertEquals(hop, open(during, old, CALL), "sealed before the rotation");
    assertEquals(hop, open(during, fresh, CALL));
    assertEquals(hop, open(after, fresh, CALL), "the new secret seals");
    assertNull(open(after, old, CALL), "once the previous secret is dropped");
  }

  @Test
  void shortSecretsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> SealKeys.of(List.of(new byte[15])));
    assertTrue(SealKeys.generated().isGenerated());
  }

  @Test
  void aFlowAndDialogStateTravelTogether() {
    RouteSeal s = new RouteSeal(SealKeys.of(List.of(K1)));
    UriTarget flow = new UriTarget("198.51.100.7", 49152, Protocol.WS, false, 42);
    byte[] state = {1, 2, 3, 4, 5};
    String token = s.seal(CALL, 0, CALL.length, flow, state);
    byte[] t = token.getBytes(StandardCharsets.ISO_8859_1);
    RouteSeal.Opened o = s.openWithState(t, 0, t.length, CALL, 0, CALL.length);
    assertEquals(flow, o.hop());
    assertArrayEquals(state, o.state());
    assertNull(s.openWithState(t, 0, t.length - 1, CALL, 0, CALL.length), "truncated");
  }

  @Test
  void aFlowTokenCarriesTheConnectionNumberAndOpensOnlyForItsDialog() {
    RouteSeal s = new RouteSeal(SealKeys.of(List.of(K1)));
    UriTarget flow = new UriTarget("198.51.100.7", 49152, Protocol.WS, false, 0x8000_0001);
    String token = seal(s, CALL, flow);
    assertEquals(31, token.length(), token);
    assertEquals(flow, open(s, token, CALL));
    byte[] other = "another-call".getBytes(StandardCharsets.ISO_8859_1);
    assertNull(open(s, token, other), "bound to its Call-ID");
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      String t = token.substring(0, i) + (c == 'x' ? 'y' : 'x') + token.substring(i + 1);
      assertNull(open(s, t, CALL), "one character changed at " + i);
    }
  }

  @Test
  void aPathFlowTokenAndADialogTokenDoNotOpenAsEachOther() {
    RouteSeal s = new RouteSeal(SealKeys.of(List.of(K1)));
    UriTarget flow = new UriTarget("[2001:db8::7]", 5062, Protocol.TCP, false, 42);
    String path = s.sealFlow(flow);
    byte[] p = path.getBytes(StandardCharsets.ISO_8859_1);
    assertEquals(flow, s.openFlow(p, 0, p.length));
    assertNull(open(s, path, CALL), "a Path token is no dialog's Record-Route token");
    String dialog = seal(s, CALL, flow);
    byte[] d = dialog.getBytes(StandardCharsets.ISO_8859_1);
    assertNull(s.openFlow(d, 0, d.length), "a dialog's token is no Path token");
    String noFlow = seal(s, new byte[0], new UriTarget("192.0.2.1", 5060, null, false));
    byte[] n = noFlow.getBytes(StandardCharsets.ISO_8859_1);
    assertNull(s.openFlow(n, 0, n.length), "a hop that is no flow");
    assertThrows(
        IllegalArgumentException.class,
        () -> s.sealFlow(new UriTarget("192.0.2.1", 5060, Protocol.TCP, false)));
  }
}
