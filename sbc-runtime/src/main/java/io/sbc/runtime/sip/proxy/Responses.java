package io.sbc.runtime.sip.proxy;

import io.sbc.runtime.sip.message.HeaderName;
import io.sbc.runtime.sip.message.SipMessage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Builds the responses the proxy answers itself (RFC 3261 section 8.2.6). */
public final class Responses {
  private Responses() {}

  /**
   * A response to {@code req}: its Via lines, From, Call-ID and CSeq copied as received, To with a
   * tag added when absent (for all but 100), and {@code extra} header lines (each ending in CRLF)
   * before an empty body. Works on a request that failed to parse, copying what it has.
   */
  public static byte[] build(
      SipMessage req, int status, String reason, String toTag, String extra) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(384);
    write(out, "SIP/2.0 " + status + " " + reason + "\r\n");
    byte[] b = req.bytes();
    for (int i = 0; i < req.headerCount(); i++) {
      byte code = req.headerCode(i);
      if (code == HeaderName.VIA
          || code == HeaderName.FROM
          || code == HeaderName.CALL_ID
          || code == HeaderName.CSEQ) {
        out.write(b, req.headerLineStart(i), req.headerLineEnd(i) - req.headerLineStart(i));
        terminate(out, b, req.headerLineEnd(i));
      } else if (code == HeaderName.TO) {
        int vs = req.headerValueStart(i);
        int ve = req.headerValueEnd(i);
        out.write(b, req.headerLineStart(i), ve - req.headerLineStart(i));
        if (status > 100 && toTag != null && (req.to() == null || req.to().tag() == null)) {
          write(out, ";tag=" + toTag);
        }
        write(out, "\r\n");
      }
    }
    if (extra != null) {
      write(out, extra);
    }
    write(out, "Server: sbc\r\nContent-Length: 0\r\n\r\n");
    return out.toByteArray();
  }

  /** A header line copied from a message whose last line lacked a line end gets one. */
  private static void terminate(ByteArrayOutputStream out, byte[] b, int lineEnd) {
    if (lineEnd == 0 || b[lineEnd - 1] != '\n') {
      write(out, "\r\n");
    }
  }

  /**
   * The reason phrase of the 500 a caller gets when no target's host resolved to any hop: RFC 3261
   * section 8.1.3.1 treats the failure like a transport error (a 503), which section 16.7 step 6
   * turns into a 500 upstream; the phrase says which failure it was (the name itself goes to the
   * log, not to the caller).
   */
  public static final String NEXT_HOP_NOT_RESOLVED =
      "Server Internal Error (next hop not resolved)";

  /** The reason phrase the proxy uses for a status it generates. */
  public static String reason(int status) {
    return switch (status) {
      case 100 -> "Trying";
      case 200 -> "OK";
      case 400 -> "Bad Request";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 408 -> "Request Timeout";
      case 416 -> "Unsupported URI Scheme";
      case 420 -> "Bad Extension";
      case 481 -> "Call/Transaction Does Not Exist";
      case 482 -> "Loop Detected";
      case 483 -> "Too Many Hops";
      case 487 -> "Request Terminated";
      case 500 -> "Server Internal Error";
      case 503 -> "Service Unavailable";
      case 505 -> "Version Not Supported";
      case 513 -> "Message Too Large";
      default -> "Unknown";
    };
  }

  private static void write(ByteArrayOutputStream out, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.ISO_8859_1);
    out.write(bytes, 0, bytes.length);
  }
}
