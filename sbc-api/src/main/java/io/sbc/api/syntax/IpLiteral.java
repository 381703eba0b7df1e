package io.sbc.api.syntax;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * IPv4 and IPv6 literals: parsed to their bytes without DNS, written in RFC 5952 text and in the
 * form a SIP URI host takes (IPv6 in brackets).
 *
 * <p>Own code rather than {@code com.github.seancfoley:ipaddress} (which resolves here): the
 * runtime parses hosts on the message path, and this parser allocates nothing (it writes into the
 * caller's array, reads {@code byte[]} ranges of a message as well as strings), where the library
 * builds several objects per parse; the library's defaults also accept forms that must not reach a
 * SIP header or an ACL (inet_aton's "1.2.3" and octal "010.0.0.1", zones, ranges, wildcards), each
 * to be switched off; and it is a 900 KB dependency for some 200 lines. No regular expressions, no
 * {@link InetAddress#getByName}.
 *
 * <p>Accepted text, strictly: IPv4 as four decimal octets 0..255 without leading zeros (RFC 3986
 * section 3.2.2 dec-octet: "010" is 8 to inet_aton and 10 to others, and two readings of one
 * address are how an ACL is bypassed); IPv6 as RFC 4291 section 2.2 text (RFC 3986 IPv6address,
 * which RFC 5954 made SIP's): 1..4 hex digits per group in either case, "::" at most once, the last
 * 32 bits possibly dotted IPv4, no zone id (RFC 6874 zones have no meaning beyond a link and SIP
 * URIs do not carry them).
 */
public final class IpLiteral {
  /** What the parse methods return for text that is not a literal. */
  public static final int NONE = 0;

  private IpLiteral() {}

  // ------------------------------------------------------------------------------ predicates

  /** Whether {@code s} is an IPv4 address ("192.0.2.1"). */
  public static boolean isIpv4(CharSequence s) {
    return s != null && ipv4(null, s, 0, s.length()) >= 0;
  }

  /** Whether {@code s} is an IPv6 address without brackets ("2001:db8::1"). */
  public static boolean isIpv6(CharSequence s) {
    return s != null && ipv6(null, s, 0, s.length(), false, null) == 16;
  }

  /** Whether {@code s} is an IPv4 address or an IPv6 address without brackets. */
  public static boolean isIpLiteral(CharSequence s) {
    return isIpv4(s) || isIpv6(s);
  }

  /**
   * Whether {@code b[from, to)} is an IPv4 address, as in a SIP URI host or a Via sent-by; never
   * allocates.
   */
  public static boolean isIpv4(byte[] b, int from, int to) {
    return ipv4(b, null, from, to) >= 0;
  }

  /**
   * Whether {@code b[from, to)} (between the brackets of an IPv6reference) is an IPv6 address;
   * never allocates.
   *
   * @param lenient also accept "2001:db8:::192.0.2.1", which RFC 3261's ABNF admitted before RFC
   *     5954 corrected it; RFC 5118 section 4.5 asks parsers to be robust towards it
   */
  public static boolean isIpv6(byte[] b, int from, int to, boolean lenient) {
    return ipv6(b, null, from, to, lenient, null) == 16;
  }

  // ------------------------------------------------------------------------------ parsing

  /**
   * Parses an IPv4 address, an IPv6 address, or an IPv6 reference in brackets into {@code out} (at
   * least 16 bytes; may be null to only check). Never allocates.
   *
   * @return 4 or 16, the number of bytes written, or {@link #NONE}
   */
  public static int parse(CharSequence s, byte[] out) {
    return s == null ? NONE : parse(null, s, 0, s.length(), false, out);
  }

  /**
   * As {@link #parse(CharSequence, byte[])}, also reading the three-colon form of RFC 3261's ABNF
   * ("[2001:db8:::192.0.2.1]" as 2001:db8::192.0.2.1): for hosts received from the network, which
   * the codec accepts in that form (RFC 5118 section 4.5).
   */
  public static int parseLenient(CharSequence s, byte[] out) {
    return s == null ? NONE : parse(null, s, 0, s.length(), true, out);
  }

  /** As {@link #parse(CharSequence, byte[])} on {@code b[from, to)}. */
  public static int parse(byte[] b, int from, int to, boolean lenient, byte[] out) {
    return parse(b, null, from, to, lenient, out);
  }

  /** The bytes of an IP literal (IPv6 with or without brackets), read strictly, or null. */
  public static byte[] toBytes(CharSequence s) {
    byte[] out = new byte[16];
    int n = parse(s, out);
    if (n == NONE) {
      return null;
    }
    return n == 16 ? out : new byte[] {out[0], out[1], out[2], out[3]};
  }

  /**
   * An IP literal (IPv6 with or without brackets, the three-colon form read as RFC 5118 asks) as an
   * address, or null for anything else; a host name is never looked up ({@link
   * InetAddress#getByAddress} does no I/O). An IPv4-mapped IPv6 address becomes an {@code
   * Inet4Address}, as {@code getByAddress} makes it.
   */
  public static InetAddress toInetAddress(CharSequence s) {
    byte[] out = new byte[16];
    int n = parseLenient(s, out);
    if (n == NONE) {
      return null;
    }
    try {
      return InetAddress.getByAddress(n == 16 ? out : new byte[] {out[0], out[1], out[2], out[3]});
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e); // 4 and 16 bytes are always an address
    }
  }

  /**
   * An address and port written "IPv4", "IPv4:port", "IPv6", "[IPv6]" or "[IPv6]:port" (a name
   * server, say) as a socket address, the port {@code defaultPort} when none is written; null for
   * anything else, a host name included (never looked up).
   */
  public static java.net.InetSocketAddress toSocketAddress(String s, int defaultPort) {
    if (s == null || s.isEmpty()) {
      return null;
    }
    String host = s;
    String port = null;
    if (s.charAt(0) == '[') {
      int close = s.indexOf(']');
      if (close < 0) {
        return null;
      }
      host = s.substring(1, close);
      if (close + 1 < s.length()) {
        if (s.charAt(close + 1) != ':') {
          return null;
        }
        port = s.substring(close + 2);
      }
      if (!isIpv6(host)) {
        return null;
      }
    } else if (s.indexOf(':') == s.lastIndexOf(':') && s.indexOf(':') > 0) {
      host = s.substring(0, s.indexOf(':'));
      port = s.substring(s.indexOf(':') + 1);
      if (!isIpv4(host)) {
        return null;
      }
    } else if (!isIpLiteral(s)) {
      return null;
    }
    int p = defaultPort;
    if (port != null) {
      if (port.isEmpty()
          || port.length() > 5
          || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
        return null;
      }
      p = Integer.parseInt(port);
      if (p < 1 || p > 65535) {
        return null;
      }
    }
    InetAddress a = toInetAddress(host);
    return a == null ? null : new java.net.InetSocketAddress(a, p);
  }

  // ------------------------------------------------------------------------------ writing

  /**
   * The text of an address of 4 or 16 bytes: dotted decimal, or RFC 5952 section 4 for IPv6
   * (lower-case hex without leading zeros, the longest run of two or more zero groups, the first of
   * equal runs, as "::"), with an IPv4-mapped address in the mixed notation section 5 recommends
   * ("::ffff:192.0.2.1"). No zone, no brackets.
   */
  public static String canonical(byte[] a) {
    StringBuilder sb = new StringBuilder(41);
    append(sb, a);
    return sb.toString();
  }

  /**
   * The canonical text of an IP literal (IPv6 with or without brackets, read as {@link
   * #parseLenient} reads it), or null.
   */
  public static String canonical(CharSequence s) {
    byte[] out = new byte[16];
    int n = parseLenient(s, out);
    if (n == NONE) {
      return null;
    }
    StringBuilder sb = new StringBuilder(41);
    append(sb, out, n);
    return sb.toString();
  }

  /** An address as a SIP URI host writes it: the canonical text, IPv6 in brackets. */
  public static String uriHost(byte[] a) {
    StringBuilder sb = new StringBuilder(43);
    if (a.length == 16) {
      sb.append('[');
      append(sb, a);
      sb.append(']');
    } else {
      append(sb, a);
    }
    return sb.toString();
  }

  /** An address (its zone dropped) as a SIP URI host writes it: IPv6 in brackets. */
  public static String uriHost(InetAddress a) {
    return uriHost(a.getAddress());
  }

  /**
   * An IP literal (IPv6 with or without brackets, read as {@link #parseLenient} reads it) as a SIP
   * URI host writes it: canonical, IPv6 in brackets (RFC 3261 section 25.1 IPv6reference); null
   * when it is not a literal.
   */
  public static String uriHost(CharSequence s) {
    byte[] out = new byte[16];
    int n = parseLenient(s, out);
    if (n == NONE) {
      return null;
    }
    StringBuilder sb = new StringBuilder(43);
    if (n == 16) {
      sb.append('[');
      append(sb, out, 16);
      sb.append(']');
    } else {
      append(sb, out, 4);
    }
    return sb.toString();
  }

  /** Appends the canonical text of an address of 4 or 16 bytes. */
  public static void append(StringBuilder sb, byte[] a) {
    if (a.length != 4 && a.length != 16) {
      throw new IllegalArgumentException("an address has 4 or 16 bytes, not " + a.length);
    }
    append(sb, a, a.length);
  }

  private static void append(StringBuilder sb, byte[] a, int n) {
    if (n == 4) {
      appendIpv4(sb, a, 0);
      return;
    }
    if (isIpv4Mapped(a)) {
      sb.append("::ffff:");
      appendIpv4(sb, a, 12);
      return;
    }
    int bestStart = -1;
    int bestLen = 1; // one zero group is written as 0, not "::" (RFC 5952 section 4.2.2)
    for (int i = 0; i < 8; ) {
      if (group(a, i) != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && group(a, j) == 0) {
        j++;
      }
      if (j - i > bestLen) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j;
    }
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        sb.append("::");
        i += bestLen - 1;
        continue;
      }
      if (i > 0 && i != bestStart + bestLen) {
        sb.append(':');
      }
      sb.append(Integer.toHexString(group(a, i)));
    }
  }

  /** Whether 16 bytes are an IPv4-mapped IPv6 address (::ffff:0:0/96, RFC 4291 2.5.5.2). */
  public static boolean isIpv4Mapped(byte[] a) {
    if (a.length != 16) {
      return false;
    }
    for (int i = 0; i < 10; i++) {
      if (a[i] != 0) {
        return false;
      }
    }
    return a[10] == (byte) 0xFF && a[11] == (byte) 0xFF;
  }

  private static int group(byte[] a, int i) {
    return ((a[2 * i] & 0xFF) << 8) | (a[2 * i + 1] & 0xFF);
  }

  private static void appendIpv4(StringBuilder sb, byte[] a, int off) {
    sb.append(a[off] & 0xFF)
        .append('.')
        .append(a[off + 1] & 0xFF)
        .append('.')
        .append(a[off + 2] & 0xFF)
        .append('.')
        .append(a[off + 3] & 0xFF);
  }

  // ------------------------------------------------------------------------------ the parser
  // One parser for strings and message bytes: exactly one of b and s is non-null, and at() reads
  // either, so neither path copies its input.

  private static int at(byte[] b, CharSequence s, int i) {
    return b != null ? b[i] & 0xFF : s.charAt(i);
  }

  private static int parse(
      byte[] b, CharSequence s, int from, int to, boolean lenient, byte[] out) {
    if (from >= to) {
      return NONE;
    }
    if (at(b, s, from) == '[') {
      if (to - from < 3 || at(b, s, to - 1) != ']') {
        return NONE;
      }
      return ipv6(b, s, from + 1, to - 1, lenient, out) == 16 ? 16 : NONE;
    }
    for (int i = from; i < to; i++) {
      if (at(b, s, i) == ':') {
        return ipv6(b, s, from, to, lenient, out) == 16 ? 16 : NONE;
      }
    }
    long v = ipv4(b, s, from, to);
    if (v < 0) {
      return NONE;
    }
    if (out != null) {
      putIpv4(out, 0, v);
    }
    return 4;
  }

  private static void putIpv4(byte[] out, int off, long v) {
    out[off] = (byte) (v >>> 24);
    out[off + 1] = (byte) (v >>> 16);
    out[off + 2] = (byte) (v >>> 8);
    out[off + 3] = (byte) v;
  }

  /** The 32-bit value of dotted-decimal {@code [from, to)}, or -1. */
  private static long ipv4(byte[] b, CharSequence s, int from, int to) {
    if (to - from < 7 || to - from > 15) {
      return -1;
    }
    long v = 0;
    int i = from;
    for (int octet = 0; octet < 4; octet++) {
      if (octet > 0) {
        if (i >= to || at(b, s, i) != '.') {
          return -1;
        }
        i++;
      }
      int start = i;
      int n = 0;
      while (i < to && i - start < 4) {
        int c = at(b, s, i);
        if (c < '0' || c > '9') {
          break;
        }
        n = n * 10 + (c - '0');
        i++;
      }
      int digits = i - start;
      if (digits == 0 || digits > 3 || n > 255 || (digits > 1 && at(b, s, start) == '0')) {
        return -1;
      }
      v = (v << 8) | n;
    }
    return i == to ? v : -1;
  }

  /**
   * Parses IPv6 text {@code [from, to)} into {@code out} (may be null); returns 16, or -1 when it
   * is not an address. Groups are written where they are read, and the groups after "::" are moved
   * to the end once their number is known.
   */
  private static int ipv6(byte[] b, CharSequence s, int from, int to, boolean lenient, byte[] out) {
    if (to - from < 2 || to - from > 46) { // 45: six groups and a dotted IPv4 part
      return -1;
    }
    int n = 0; // 16-bit groups read
    int gap = -1; // the group index where "::" stands
    boolean ipv4Next = false; // the lenient ":::" form: a dotted IPv4 part must follow
    int i = from;
    if (at(b, s, i) == ':') {
      if (at(b, s, i + 1) != ':') {
        return -1;
      }
      gap = 0;
      i += 2;
      if (lenient && i < to && at(b, s, i) == ':') {
        ipv4Next = true;
        i++;
      }
    }
    while (i < to) {
      int start = i;
      int v = 0;
      while (i < to && i - start < 5) {
        int d = hex(at(b, s, i));
        if (d < 0) {
          break;
        }
        v = (v << 4) | d;
        i++;
      }
      if (i < to && at(b, s, i) == '.') {
        // The last 32 bits in dotted decimal (RFC 4291 section 2.2, form 3).
        if (n > 6) {
          return -1;
        }
        long v4 = ipv4(b, s, start, to);
        if (v4 < 0) {
          return -1;
        }
        if (out != null) {
          putIpv4(out, 2 * n, v4);
        }
        n += 2;
        i = to;
        break;
      }
      int digits = i - start;
      if (digits == 0 || digits > 4 || n == 8 || ipv4Next) {
        return -1;
      }
      if (out != null) {
        out[2 * n] = (byte) (v >>> 8);
        out[2 * n + 1] = (byte) v;
      }
      n++;
      if (i == to) {
        break;
      }
      if (at(b, s, i) != ':') {
        return -1;
      }
      i++;
      if (i < to && at(b, s, i) == ':') {
        if (gap >= 0) {
          return -1;
        }
        gap = n;
        i++;
        if (lenient && i < to && at(b, s, i) == ':') {
          ipv4Next = true;
          i++;
        }
      } else if (i == to) {
        return -1; // a single trailing colon
      }
    }
    if (ipv4Next && n == gap) {
      return -1; // ":::" not followed by a dotted IPv4 part
    }
    if (gap < 0 ? n != 8 : n > 7) {
      return -1;
    }
    if (out != null && gap >= 0) {
      int tail = n - gap;
      System.arraycopy(out, 2 * gap, out, 16 - 2 * tail, 2 * tail);
      for (int k = 2 * gap; k < 16 - 2 * tail; k++) {
        out[k] = 0;
      }
    }
    return 16;
  }

  private static int hex(int c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  /**
   * "IP:port" or "[IPv6]:port" with a port 1..65535 (an RTPengine ng address): the host (IPv6
   * without brackets) and the port, or null when it is not one.
   */
  public static String[] parseSocketAddress(String a) {
    if (a == null) {
      return null;
    }
    String host;
    String port;
    if (a.startsWith("[")) {
      int close = a.indexOf(']');
      if (close < 0 || close + 1 >= a.length() || a.charAt(close + 1) != ':') {
        return null;
      }
      host = a.substring(1, close);
      port = a.substring(close + 2);
      if (host.indexOf(':') < 0) {
        return null;
      }
    } else {
      int colon = a.lastIndexOf(':');
      if (colon <= 0 || a.indexOf(':') != colon) {
        return null;
      }
      host = a.substring(0, colon);
      port = a.substring(colon + 1);
    }
    if (!IpLiteral.isIpLiteral(host) || port.isEmpty() || port.length() > 5) {
      return null;
    }
    int n = 0;
    for (int i = 0; i < port.length(); i++) {
      char c = port.charAt(i);
      if (c < '0' || c > '9') {
        return null;
      }
      n = n * 10 + (c - '0');
    }
    if (n < 1 || n > 65535) {
      return null;
    }
    return new String[] {host, port};
  }
}
