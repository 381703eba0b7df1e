package io.sbc.runtime.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Bencode as the ng protocol uses it: what the encoder writes the decoder reads back (an SDP byte
 * for byte), and hostile input (truncated, oversized, deeply nested, duplicated, trailing bytes,
 * random bytes) ends in a {@link BencodeException}, never in another exception or a large
 * allocation.
 */
class BencodeTest {
  private final BencodeDecoder decoder = new BencodeDecoder();

  private Object decode(String s) throws BencodeException {
    byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
    return decoder.decode(b, 0, b.length);
  }

  private void malformed(String s) {
    assertThrows(BencodeException.class, () -> decode(s), () -> "accepted: " + s);
  }

  @Test
  void theProtocolsExampleDecodes() throws Exception {
    assertEquals(Map.of("result", "pong"), decode("d6:result4:ponge"));
    assertEquals(
        Map.of("a", List.of(1L, -2L, "x"), "b", Map.of()), decode("d1:ali1ei-2e1:xe1:bdee"));
    assertEquals(0L, decode("i0e"));
    assertEquals("", decode("0:"));
  }

  @Test
  void anOfferRoundTripsByteForByte() throws Exception {
    // SDP may carry any octet (UTF-8 in s= or i=): ISO-8859-1 strings keep every byte.
    byte[] sdp = "v=0\r\ns=caf\u00c3\u00a9\r\n".getBytes(StandardCharsets.ISO_8859_1);
    Map<String, Object> cmd = new LinkedHashMap<>();
    cmd.put("command", "offer");
    cmd.put("sdp", new String(sdp, StandardCharsets.ISO_8859_1));
    cmd.put("replace", List.of("origin", "session-connection"));
    cmd.put("n", 42L);
    byte[] out = BencodeEncoder.encode(cmd);
    String head = "d7:command5:offer3:sdp" + sdp.length + ":";
    assertEquals(head, new String(out, 0, head.length(), StandardCharsets.ISO_8859_1));
    Map<String, Object> back = decoder.decodeDictionary(out, 0, out.length);
    assertEquals(cmd, back);
    assertArrayEquals(sdp, ((String) back.get("sdp")).getBytes(StandardCharsets.ISO_8859_1));
  }

  @Test
  void malformedInputIsRefused() {
    malformed("");
    malformed("d");
    malformed("d6:result");
    malformed("d6:result4:pon");
    malformed("4:abc");
    malformed("i12");
    malformed("ie");
    malformed("i-e");
    malformed("i-0e");
    malformed("i012e");
    malformed("i1x2e");
    malformed("i9999999999999999999e"); // 19 digits
    malformed("x");
    malformed("-1:a");
    malformed("01:a");
    malformed("l");
    malformed("li1e");
    malformed("di1ei2ee"); // a key that is not a string
    malformed("d1:ai1e1:ai2ee"); // the same key twice
    malformed("i1ei2e"); // bytes after the value
    malformed("d1:ai1eeX");
  }

  @Test
  void aStringLongerThanTheInputIsRefusedBeforeAnyAllocation() {
    // 2^31 - 1 claimed: must be refused by comparing with what is left, not by allocating.
    malformed("2147483647:abc");
    malformed("999999999999999999:abc");
  }

  @Test
  void nestingIsBounded() {
    String deep =
        "l".repeat(BencodeDecoder.DEFAULT_MAX_DEPTH + 1)
            + "e".repeat(BencodeDecoder.DEFAULT_MAX_DEPTH + 1);
    malformed(deep);
    String ok =
        "l".repeat(BencodeDecoder.DEFAULT_MAX_DEPTH) + "e".repeat(BencodeDecoder.DEFAULT_MAX_DEPTH);
    assertTrue(
        () -> {
          try {
            decode(ok);
            return true;
          } catch (BencodeException e) {
            return false;
          }
        });
    // A million opening brackets: refused at the limit, no stack overflow.
    malformed("l".repeat(1_000_000));
  }

  @Test
  void elementsAreBounded() {
    BencodeDecoder small = new BencodeDecoder(16, 100);
    byte[] many = ("l" + "i1e".repeat(200) + "e").getBytes(StandardCharsets.ISO_8859_1);
    assertThrows(BencodeException.class, () -> small.decode(many, 0, many.length));
    byte[] keys = ("d" + "1:a0:".repeat(1) + "e").getBytes(StandardCharsets.ISO_8859_1);
    assertThrows(
        BencodeException.class, () -> new BencodeDecoder(16, 1).decode(keys, 0, keys.length));
  }

  @Test
  void randomBytesNeverThrowAnythingElse() {
    Random random = new Random(20261202);
    byte[] alphabet = "dlie0123456789:-ax".getBytes(StandardCharsets.ISO_8859_1);
    for (int n = 0; n < 200_000; n++) {
      byte[] b = new byte[random.nextInt(40)];
      for (int i = 0; i < b.length; i++) {
        b[i] =
            random.nextInt(4) == 0
                ? (byte) random.nextInt(256)
                : alphabet[random.nextInt(alphabet.length)];
      }
      try {
        decoder.decode(b, 0, b.length);
      } catch (BencodeException expected) {
        // fine
      }
    }
  }
}
