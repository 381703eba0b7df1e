package io.sbc.runtime.sip.message;

/**
 * A message, header or URI that does not follow the RFC 3261 section 25 grammar; its message is the
 * reason phrase a 400 answer carries.
 */
public final class SipParseException extends Exception {
  private static final long serialVersionUID = 1L;

  /** The status code the request deserves: 400 unless the problem is a version or a scheme. */
  private final int status;

  public SipParseException(String reason) {
    this(400, reason);
  }

  public SipParseException(int status, String reason) {
    // No stack trace: hostile input is routine, not exceptional, and must stay cheap.
    super(reason, null, false, false);
    this.status = status;
  }

  public int status() {
    return status;
  }
}
