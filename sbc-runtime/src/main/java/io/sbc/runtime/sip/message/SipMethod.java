package io.sbc.runtime.sip.message;

/** Method names as shared constants, so the methods the proxy compares never allocate. */
public final class SipMethod {
  private SipMethod() {}

  public static final String INVITE = "INVITE";
  public static final String ACK = "ACK";
  public static final String BYE = "BYE";
  public static final String CANCEL = "CANCEL";
  public static final String OPTIONS = "OPTIONS";
  public static final String REGISTER = "REGISTER";
  public static final String INFO = "INFO";
  public static final String PRACK = "PRACK";
  public static final String UPDATE = "UPDATE";
  public static final String SUBSCRIBE = "SUBSCRIBE";
  public static final String NOTIFY = "NOTIFY";
  public static final String REFER = "REFER";
  public static final String MESSAGE = "MESSAGE";
  public static final String PUBLISH = "PUBLISH";

  private static final String[] KNOWN = {
    INVITE, ACK, BYE, CANCEL, OPTIONS, REGISTER, INFO, PRACK, UPDATE, SUBSCRIBE, NOTIFY, REFER,
    MESSAGE, PUBLISH
  };

  /**
   * The method named by the bytes: a shared constant for the known methods (method names are
   * case-sensitive, RFC 3261 section 7.1), a new string for an extension method.
   */
  public static String of(byte[] b, int from, int to) {
    int len = to - from;
    for (String m : KNOWN) {
      if (m.length() == len && matches(b, from, m)) {
        return m;
      }
    }
    return new String(b, from, len, java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  private static boolean matches(byte[] b, int from, String m) {
    for (int i = 0; i < m.length(); i++) {
      if (b[from + i] != m.charAt(i)) {
        return false;
      }
    }
    return true;
  }
}
