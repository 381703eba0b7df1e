package io.sbc.runtime.sip.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Decoder bugs found by fuzzing (io.sbc.runtime.fuzz.DecoderFuzzTest), one test each, named after
 * the bug; the crashing inputs also stay in DecoderFuzzTestInputs as Jazzer regression inputs.
 */
class DecoderFuzzFindingsTest {
  private static final SipMessageDecoder DECODER = new SipMessageDecoder(SipLimits.DEFAULT);

  private static SipMessage decode(String s) {
    byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
    return DECODER.decode(b, b.length, false);
  }

  private static byte[] finding(String name) throws IOException {
    String path = "/io/sbc/runtime/fuzz/DecoderFuzzTestInputs/decode/" + name;
    try (InputStream in = DecoderFuzzFindingsTest.class.getResourceAsStream(path)) {
      assertNotNull(in, path);
      return in.readAllBytes();
    }
  }

  private static final String OPTIONS_HEAD =
      "OPTIONS sip:bob@example.com SIP/2.0\r\n"
          + "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1\r\n"
          + "From: <sip:alice@example.com>;tag=a1\r\n"
          + "To: <sip:bob@example.com>\r\n"
          + "Call-ID: c1@10.0.0.1\r\n"
          + "CSeq: 1 OPTIONS";

  /**
   * A datagram whose header lines ran to its end, the last one unterminated and no empty line,
   * decoded cleanly: the proxy then added Max-Forwards where the headers end and it ran into the
   * CSeq value ("CSeq: 1 OPTIONSMax-Forwards: 70"), so the forwarded request was malformed. RFC
   * 3261 section 7 requires the empty line; without it the message is now a 400.
   */
  @Test
  void headersWithoutTheEmptyLineAreRejected() throws IOException {
    SipMessage m = decode(OPTIONS_HEAD);
    assertNotNull(m.error());
    assertEquals(400, m.error().status());
    assertEquals("Missing empty line after the header fields", m.error().getMessage());

    assertNotNull(decode(OPTIONS_HEAD + "\r\n").error(), "a last line end is not the empty line");
    assertNull(decode(OPTIONS_HEAD + "\r\n\r\n").error());

    // The input the fuzzer found (a response, also carrying a bare CR: see below).
    byte[] crash = finding("crash-c72332bc5ae58a7708d236a402e672a5567ef8bc");
    assertNotNull(DECODER.decode(crash, crash.length, false).error());
  }

  /**
   * A CR not followed by LF was taken for a line end. A 400 or 100 copies the request's header
   * lines and ends a copied line that does not end in LF with CRLF: "From: ...;tag=a1" CR CRLF,
   * where the CRLF then reads as the empty line, so the response the proxy sent had lost its To,
   * Call-ID and CSeq (found by ProxyRequestFuzzTest, crash-8d9b9b5a...). Lines end in CRLF (RFC
   * 3261 section 7; a bare LF is still tolerated); a bare CR makes the message a 400.
   */
  @Test
  void aBareCrIsNotALineEnd() {
    String ok = OPTIONS_HEAD + "\r\n\r\n";
    SipMessage m = decode(ok.replace(";tag=a1\r\n", ";tag=a1\r"));
    assertNotNull(m.error());
    assertEquals("Bare CR in a line end", m.error().getMessage());
    assertEquals(400, m.error().status());
    assertTrue(m.isRequest(), "a request, so that it is answered");
    assertEquals(
        "Bare CR in a line end",
        decode(ok.replace(" SIP/2.0\r\n", " SIP/2.0\r")).error().getMessage());
    assertTrue(decode(ok.replace(" SIP/2.0\r\n", " SIP/2.0\r")).isRequest());
    assertEquals("Bare CR in a line end", decode(OPTIONS_HEAD + "\r").error().getMessage());
    assertNull(decode(ok.replace("\r\n", "\n")).error(), "bare LF line ends are tolerated");
  }

  /** "*" is a Contact value (RFC 3261 section 10.2.2); as From or To it left uri() null. */
  @Test
  void starAsFromOrToIsRejected() {
    String ok = OPTIONS_HEAD + "\r\n\r\n";
    SipMessage from = decode(ok.replace("From: <sip:alice@example.com>;tag=a1", "From: *"));
    assertEquals("Malformed From: '*' is not an address", from.error().getMessage());
    SipMessage to = decode(ok.replace("To: <sip:bob@example.com>", "To: *"));
    assertEquals("Malformed To: '*' is not an address", to.error().getMessage());
  }
}
