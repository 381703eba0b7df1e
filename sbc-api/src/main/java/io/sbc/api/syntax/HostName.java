package io.sbc.api.syntax;

/**
 * Host names as RFC 3261 section 25.1 writes them ({@code hostname = *( domainlabel "." ) toplabel
 * [ "." ]}), with RFC 1123's lengths: labels of 1..63 letters, digits and '-', neither first nor
 * last a '-', at most 253 characters before an optional final dot, and a last label that starts
 * with a letter. That last rule is also what keeps "1.2.3" or "256.1.1.1" from passing for names:
 * they are malformed IPv4 addresses, not hosts.
 */
public final class HostName {
  /** The longest name, without its final dot (RFC 1123 section 2.1, RFC 2181 section 11). */
  public static final int MAX_LENGTH = 253;

  /** The longest label (RFC 1035 section 2.3.4). */
  public static final int MAX_LABEL = 63;

  private HostName() {}

  /** Whether {@code s} is a host name (not an IP literal), strictly: no '_'. */
  public static boolean isValid(CharSequence s) {
    return s != null && check(null, s, 0, s.length(), false);
  }

  /**
   * Whether {@code b[from, to)} is a host name; never allocates.
   *
   * @param allowUnderscore also accept '_' inside labels: deployed DNS names carry it, and a SIP
   *     peer writing one is no reason to refuse its request (the codec passes true)
   */
  public static boolean isValid(byte[] b, int from, int to, boolean allowUnderscore) {
    return check(b, null, from, to, allowUnderscore);
  }

  /**
   * How a host compares with another (RFC 3261 section 19.1.4: case-insensitively; RFC 5954: IP
   * literals by value): an IP literal as {@link IpLiteral#uriHost} writes it ("[::1]" for
   * "0:0:0:0:0:0:0:1", with or without brackets), anything else in lower case. Two hosts are the
   * same host when their keys are equal.
   */
  public static String key(CharSequence host) {
    String literal = IpLiteral.uriHost(host);
    return literal != null ? literal : host.toString().toLowerCase(java.util.Locale.ROOT);
  }

  private static int at(byte[] b, CharSequence s, int i) {
    return b != null ? b[i] & 0xFF : s.charAt(i);
  }

  private static boolean check(byte[] b, CharSequence s, int from, int to, boolean underscore) {
    if (to > from && at(b, s, to - 1) == '.') {
      to--; // the root label: "example.com." is a fully qualified example.com
    }
    if (to <= from || to - from > MAX_LENGTH) {
      return false;
    }
    int labelStart = from;
    for (int i = from; i <= to; i++) {
      int c = i < to ? at(b, s, i) : '.';
      if (c == '.') {
        int len = i - labelStart;
        if (len == 0 || len > MAX_LABEL || at(b, s, labelStart) == '-' || at(b, s, i - 1) == '-') {
          return false;
        }
        if (i == to && !isLetter(at(b, s, labelStart))) {
          return false; // toplabel = ALPHA / ALPHA *( alphanum / "-" ) alphanum
        }
        labelStart = i + 1;
      } else if (!isLetter(c) && !(c >= '0' && c <= '9') && c != '-' && !(underscore && c == '_')) {
        return false;
      }
    }
    return true;
  }

  private static boolean isLetter(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }
}
