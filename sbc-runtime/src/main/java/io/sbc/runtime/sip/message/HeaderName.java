package io.sbc.runtime.sip.message;

/**
 * Codes for the header fields the SBC looks at, found from raw bytes without allocating; every
 * other header is {@link #OTHER}.
 */
public final class HeaderName {
  private HeaderName() {}

  public static final byte OTHER = 0;
  public static final byte VIA = 1;
  public static final byte FROM = 2;
  public static final byte TO = 3;
  public static final byte CALL_ID = 4;
  public static final byte CSEQ = 5;
  public static final byte MAX_FORWARDS = 6;
  public static final byte CONTACT = 7;
  public static final byte CONTENT_LENGTH = 8;
  public static final byte CONTENT_TYPE = 9;
  public static final byte ROUTE = 10;
  public static final byte RECORD_ROUTE = 11;
  public static final byte PROXY_REQUIRE = 12;
  public static final byte REQUIRE = 13;
  public static final byte SUPPORTED = 14;
  public static final byte EXPIRES = 15;
  public static final byte AUTHORIZATION = 16;
  public static final byte PROXY_AUTHORIZATION = 17;
  public static final byte WWW_AUTHENTICATE = 18;
  public static final byte PROXY_AUTHENTICATE = 19;
  public static final byte UNSUPPORTED = 20;
  public static final byte SUBJECT = 21;
  public static final byte EVENT = 22;
  public static final byte REFER_TO = 23;
  public static final byte CONTENT_ENCODING = 24;
  public static final byte ALLOW = 25;
  public static final byte DATE = 26;
  public static final byte RETRY_AFTER = 27;
  public static final byte COUNT = 28;

  private static final String[] CANONICAL = {
    null,
    "Via",
    "From",
    "To",
    "Call-ID",
    "CSeq",
    "Max-Forwards",
    "Contact",
    "Content-Length",
    "Content-Type",
    "Route",
    "Record-Route",
    "Proxy-Require",
    "Require",
    "Supported",
    "Expires",
    "Authorization",
    "Proxy-Authorization",
    "WWW-Authenticate",
    "Proxy-Authenticate",
    "Unsupported",
    "Subject",
    "Event",
    "Refer-To",
    "Content-Encoding",
    "Allow",
    "Date",
    "Retry-After"
  };

  /** The canonical spelling of a known header, or null for {@link #OTHER}. */
  public static String canonical(byte code) {
    return CANONICAL[code];
  }

  /**
   * Looks up a header name, case-insensitively, including the compact forms of RFC 3261 section
   * 7.3.3 (and RFC 3515 "r", RFC 3265 "o").
   */
  public static byte lookup(byte[] b, int from, int to) {
    int len = to - from;
    if (len == 1) {
      switch (b[from] | 0x20) {
        case 'v':
          return VIA;
        case 'f':
          return FROM;
        case 't':
          return TO;
        case 'i':
          return CALL_ID;
        case 'm':
          return CONTACT;
        case 'l':
          return CONTENT_LENGTH;
        case 'c':
          return CONTENT_TYPE;
        case 'k':
          return SUPPORTED;
        case 's':
          return SUBJECT;
        case 'o':
          return EVENT;
        case 'r':
          return REFER_TO;
        case 'e':
          return CONTENT_ENCODING;
        default:
          return OTHER;
      }
    }
    // Candidates by length, then one case-insensitive comparison.
    for (byte code = 1; code < COUNT; code++) {
      String name = CANONICAL[code];
      if (name.length() == len && equalsIgnoreCase(b, from, name)) {
        return code;
      }
    }
    return OTHER;
  }

  /** Compares bytes with an ASCII string, ignoring case. */
  public static boolean equalsIgnoreCase(byte[] b, int from, String s) {
    for (int i = 0, n = s.length(); i < n; i++) {
      int c = b[from + i];
      int d = s.charAt(i);
      if (c != d && (c | 0x20) != (d | 0x20)) {
        return false;
      }
      if (c != d && !Character.isLetter(d)) {
        return false;
      }
    }
    return true;
  }
}
