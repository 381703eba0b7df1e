package io.sbc.runtime.sip.transaction;

import io.sbc.runtime.sip.message.HeaderName;
import io.sbc.runtime.sip.message.SipMessage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Builds the final response a server transaction sends on its own, when its user never answered
 * (RFC 3261 section 8.2.6: Via, From, Call-ID and CSeq copied, To with a tag added).
 */
final class ResponseBuilder {
  private ResponseBuilder() {}

  /**
   * A response to {@code req} from the index its decoder made (no second decoding): every Via line
   * in order (section 8.2.6.2), From, Call-ID and CSeq as received, To with {@code toTag} added
   * when it has none (section 8.2.6.2), and an empty body.
   */
  static byte[] build(SipMessage req, int status, String reason, String toTag) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(384);
    write(out, "SIP/2.0 " + status + " " + reason + "\r\n");
    byte[] b = req.bytes();
    for (int i = 0; i < req.headerCount(); i++) {
      byte code = req.headerCode(i);
      if (code == HeaderName.VIA
          || code == HeaderName.FROM
          || code == HeaderName.CALL_ID
          || code == HeaderName.CSEQ) {
        line(out, b, req.headerLineStart(i), req.headerValueEnd(i));
      } else if (code == HeaderName.TO) {
        int end = req.headerValueEnd(i);
        out.write(b, req.headerLineStart(i), end - req.headerLineStart(i));
        if (req.to() != null && req.to().tag() == null) {
          write(out, ";tag=" + toTag);
        }
        write(out, "\r\n");
      }
    }
    write(out, "Content-Length: 0\r\n\r\n");
    return out.toByteArray();
  }

  private static void line(ByteArrayOutputStream out, byte[] b, int start, int valueEnd) {
    out.write(b, start, valueEnd - start);
    write(out, "\r\n");
  }

  private static void write(ByteArrayOutputStream out, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.ISO_8859_1);
    out.write(bytes, 0, bytes.length);
  }
}
