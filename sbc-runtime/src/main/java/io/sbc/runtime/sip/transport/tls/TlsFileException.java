package io.sbc.runtime.sip.transport.tls;

/** A certificate, key or trust file that cannot serve, with the file and the reason in its text. */
public final class TlsFileException extends Exception {
  private static final long serialVersionUID = 1L;

  public TlsFileException(String message) {
    super(message);
  }

  public TlsFileException(String message, Throwable cause) {
    super(message, cause);
  }
}
