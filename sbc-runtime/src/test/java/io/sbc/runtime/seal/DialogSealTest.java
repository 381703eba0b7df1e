package io.sbc.runtime.seal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Topology hiding's tokens: what one replica seals, another with the same secret opens, only as the
 * kind it was sealed as and only for its dialog; anything tampered, truncated or sealed under
 * another gateway's secret does not open.
 */
class DialogSealTest {
  static final byte[] K1 = "first secret of the gateway".getBytes(StandardCharsets.UTF_8);
  static final byte[] K2 = "second secret, after rotation".getBytes(StandardCharsets.UTF_8);
  static final byte[] OTHER = "another gateway's own secret".getBytes(StandardCharsets.UTF_8);
  static final byte[] CALL = "abc123@192.0.2.1".getBytes(StandardCharsets.ISO_8859_1);
  static final byte[] PLAIN =
      "sip:alice@192.168.1.10:5062;transport=udp".getBytes(StandardCharsets.ISO_8859_1);

  static byte[] open(DialogSeal s, DialogSeal.Kind kind, String token, byte[] callId) {
    byte[] t = token.getBytes(StandardCharsets.ISO_8859_1);
    return s.open(kind, t, 0, t.length, callId, 0, callId == null ? 0 : callId.length);
  }

  @Test
  void anotherReplicaWithTheSecretOpensIt() {
    String token =
        new DialogSeal(SealKeys.of(List.of(K1)))
            .seal(DialogSeal.Kind.CONTACT, PLAIN, CALL, 0, CALL.length);
    for (char c : token.toCharArray()) {
      assertTrue(
          Character.isLetterOrDigit(c) || c == '-' || c == '_',
          "base64url, safe in a URI user part and parameter: " + token);
    }
    assertArrayEquals(
        PLAIN,
        open(new DialogSeal(SealKeys.of(List.of(K1))), DialogSeal.Kind.CONTACT, token, CALL));
    // 1 key id + 12 nonce + the plain bytes + 12 tag, in base64url.
    assertEquals((int) Math.ceil((1 + 12 + PLAIN.length + 12) * 4 / 3.0), token.length());
  }

  @Test
  void twoSealsOfTheSameStateDiffer() {
    DialogSeal s = new DialogSeal(SealKeys.of(List.of(K1)));
    assertNotEquals(
        s.seal(DialogSeal.Kind.CONTACT, PLAIN, CALL, 0, CALL.length),
        s.seal(DialogSeal.Kind.CONTACT, PLAIN, CALL, 0, CALL.length),
        "a fresh nonce each time");
  }

  @Test
  void itOpensOnlyAsItsKindAndForItsDialog() {
    DialogSeal s = new DialogSeal(SealKeys.of(List.of(K1)));
    String token = s.seal(DialogSeal.Kind.ROUTES, PLAIN, CALL, 0, CALL.length);
    assertNull(open(s, DialogSeal.Kind.CONTACT, token, CALL), "another kind");
    assertNull(
        open(s, DialogSeal.Kind.ROUTES, token, "other@192.0.2.1".getBytes()), "another dialog");
    assertArrayEquals(PLAIN, open(s, DialogSeal.Kind.ROUTES, token, CALL));
  }

  @Test
  void tamperedTruncatedMalformedAndForeignTokensDoNotOpen() {
    DialogSeal s = new DialogSeal(SealKeys.of(List.of(K1)));
    String token = s.seal(DialogSeal.Kind.CONTACT, PLAIN, CALL, 0, CALL.length);
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      String flipped = token.substring(0, i) + (c == 'A' ? 'B' : 'A') + token.substring(i + 1);
      byte[] opened = open(s, DialogSeal.Kind.CONTACT, flipped, CALL);
      // The last character may carry padding bits only: flipping them can decode to the same bytes.
      if (opened != null) {
        assertEquals(token.length() - 1, i, "only the padding bits of the last character");
        assertArrayEquals(PLAIN, opened);
      }
    }
    for (int len : new int[] {0, 3, 10, 30, token.length() - 1}) {
      assertNull(open(s, DialogSeal.Kind.CONTACT, token.substring(0, len), CALL), "cut at " + len);
    }
    assertNull(open(s, DialogSeal.Kind.CONTACT, token + "AAAA", CALL), "lengthened");
    assertNull(open(s, DialogSeal.Kind.CONTACT, "not+base64/url==", CALL), "not base64url");
    assertNull(open(s, DialogSeal.Kind.CONTACT, "A".repeat(5000), CALL), "too long to try");
    DialogSeal other = new DialogSeal(SealKeys.of(List.of(OTHER)));
    assertNull(open(other, DialogSeal.Kind.CONTACT, token, CALL), "another gateway's secret");
  }

  @Test
  void aRotationStillOpensWhatThePreviousSecretSealed() {
    String old =
        new DialogSeal(SealKeys.of(List.of(K1)))
            .seal(DialogSeal.Kind.CONTACT, PLAIN, CALL, 0, CALL.length);
    DialogSeal rotated = new DialogSeal(SealKeys.of(List.of(K2, K1)));
    assertArrayEquals(PLAIN, open(rotated, DialogSeal.Kind.CONTACT, old, CALL));
    String fresh = rotated.seal(DialogSeal.Kind.CONTACT, PLAIN, CALL, 0, CALL.length);
    assertNull(
        open(new DialogSeal(SealKeys.of(List.of(K1))), DialogSeal.Kind.CONTACT, fresh, CALL),
        "sealed with the new secret: the old one alone does not open it");
    assertNull(
        open(new DialogSeal(SealKeys.of(List.of(K2))), DialogSeal.Kind.CONTACT, old, CALL),
        "once the previous secret is dropped, its tokens stop opening");
  }

  @Test
  void theCallIdMaskIsTheSameOnEveryReplicaAndOpensBack() {
    DialogSeal a = new DialogSeal(SealKeys.of(List.of(K1)));
    DialogSeal b = new DialogSeal(SealKeys.of(List.of(K1)));
    String masked = a.maskCallId(CALL, 0, CALL.length);
    assertEquals(masked, b.maskCallId(CALL, 0, CALL.length), "every message of the dialog alike");
    assertTrue(!masked.contains("192.0.2.1"));
    byte[] m = masked.getBytes(StandardCharsets.ISO_8859_1);
    assertArrayEquals(CALL, b.unmaskCallId(m, 0, m.length));
    assertNull(a.unmaskCallId(CALL, 0, CALL.length), "a Call-ID that is no mask of ours");
    assertNotEquals(
        masked,
        a.maskCallId("abc124@192.0.2.1".getBytes(StandardCharsets.ISO_8859_1), 0, CALL.length));
    assertNull(
        new DialogSeal(SealKeys.of(List.of(OTHER))).unmaskCallId(m, 0, m.length),
        "another gateway's mask");
  }
}
