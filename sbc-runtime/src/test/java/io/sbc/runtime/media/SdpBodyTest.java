package io.sbc.runtime.media;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sbc.runtime.sip.message.MessageEditor;
import io.sbc.runtime.sip.message.SipLimits;
import io.sbc.runtime.sip.message.SipMessage;
import io.sbc.runtime.sip.message.SipMessageDecoder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Finding the SDP of a message: the whole body, or the SDP part of a multipart body (RFC 2046 5.1,
 * RFC 5621), and nothing in bodies the SBC cannot rewrite; replacing only that part keeps the other
 * parts and the delimiters byte for byte and sets Content-Length.
 */
class SdpBodyTest {
  static final String SDP = "v=0\r\no=a 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\n";

  static SipMessage message(String contentType, String body, String extra) {
    String text =
        "INVITE sip:bob@example.com SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1\r\n"
            + "From: <sip:a@example.com>;tag=1\r\nTo: <sip:bob@example.com>\r\n"
            + "Call-ID: c1\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n"
            + extra
            + (contentType == null ? "" : "Content-Type: " + contentType + "\r\n")
            + "Content-Length: "
            + body.length()
            + "\r\n\r\n"
            + body;
    byte[] b = text.getBytes(StandardCharsets.ISO_8859_1);
    SipMessage m = new SipMessageDecoder(SipLimits.DEFAULT).decode(b, b.length, false);
    assertEquals(null, m.error());
    return m;
  }

  static String found(SipMessage m) {
    long r = SdpBody.find(m);
    return r < 0 ? null : m.text((int) (r >>> 32), (int) r);
  }

  @Test
  void aWholeSdpBody() {
    assertEquals(SDP, found(message("application/sdp", SDP, "")));
    assertEquals(SDP, found(message("Application/SDP; charset=utf-8", SDP, "")));
    assertEquals(null, found(message("application/sdpx", SDP, "")));
    assertEquals(null, found(message(null, SDP, "")));
    assertEquals(null, found(message("application/sdp", "", "")));
    assertEquals(null, found(message("application/sdp", SDP, "Content-Encoding: gzip\r\n")));
  }

  static String multipart(String boundary) {
    return "--"
        + boundary
        + "\r\nContent-Type: application/sdp\r\n\r\n"
        + SDP
        + "\r\n--"
        + boundary
        + "\r\nContent-Type: application/isup\r\nContent-Disposition: signal\r\n\r\n"
        + "\u0001\u0002--not a delimiter\r\n"
        + "\r\n--"
        + boundary
        + "--\r\n";
  }

  @Test
  void theSdpPartOfAMultipartBody() {
    assertEquals(
        SDP, found(message("multipart/mixed;boundary=unique-1", multipart("unique-1"), "")));
    assertEquals(
        SDP, found(message("multipart/mixed; boundary=\"a b:c\"", multipart("a b:c"), "")));
    // The SDP second: the first part is skipped.
    String second =
        "--x\r\nContent-Type: text/plain\r\n\r\nhello\r\n--x\r\ncontent-type:application/sdp\r\n\r\n"
            + SDP
            + "\r\n--x--\r\n";
    assertEquals(SDP, found(message("multipart/alternative;boundary=x", second, "")));
  }

  @Test
  void multipartBodiesWithoutAUsableSdp() {
    assertEquals(null, found(message("multipart/mixed", multipart("u"), ""))); // no boundary
    assertEquals(null, found(message("multipart/mixed;boundary=zz", multipart("u"), "")));
    String noSdp = "--x\r\nContent-Type: text/plain\r\n\r\nhello\r\n--x--\r\n";
    assertEquals(null, found(message("multipart/mixed;boundary=x", noSdp, "")));
    String encoded =
        "--x\r\nContent-Type: application/sdp\r\nContent-Encoding: gzip\r\n\r\nxx\r\n--x--\r\n";
    assertEquals(null, found(message("multipart/mixed;boundary=x", encoded, "")));
    String unterminated = "--x\r\nContent-Type: application/sdp\r\n\r\n" + SDP;
    assertEquals(null, found(message("multipart/mixed;boundary=x", unterminated, "")));
    assertEquals(
        null,
        found(
            message("multipart/mixed;boundary=" + "b".repeat(71), multipart("b".repeat(71)), "")));
  }

  @Test
  void replacingThePartKeepsTheRestAndFixesContentLength() {
    String body = multipart("unique-1");
    SipMessage m = message("multipart/mixed;boundary=unique-1", body, "");
    long r = SdpBody.find(m);
    String anchored = "v=0\r\no=a 1 1 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\n";
    MessageEditor e = new MessageEditor(m);
    e.replaceBody((int) (r >>> 32), (int) r, anchored.getBytes(StandardCharsets.ISO_8859_1));
    String out = new String(e.apply(), StandardCharsets.ISO_8859_1);
    String newBody = body.replace(SDP, anchored);
    assertEquals(
        m.toString()
            .replace(body, newBody)
            .replace("Content-Length: " + body.length(), "Content-Length: " + newBody.length()),
        out);
  }
}
