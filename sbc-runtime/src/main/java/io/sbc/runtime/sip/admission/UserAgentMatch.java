package io.sbc.runtime.sip.admission;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * Whether a request's User-Agent value contains one of a few substrings (ASCII, case-insensitive),
 * found in the raw bytes before the message is parsed: a walk over the header lines' starts and a
 * plain comparison, no regular expression, no allocation.
 */
final class UserAgentMatch {
  private static final byte[] NAME = "user-agent".getBytes(StandardCharsets.US_ASCII);

  /** The substrings, lower case. */
  private final byte[][] needles;

  UserAgentMatch(List<String> substrings) {
    needles = new byte[substrings.size()][];
    for (int i = 0; i < needles.length; i++) {
      needles[i] = substrings.get(i).toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
    }
  }

  boolean isEmpty() {
    return needles.length == 0;
  }

  /**
   * Whether a User-Agent header of the message in {@code b[from, to)} (the start line at {@code
   * from}) has a value containing one of the substrings; only the header section is read.
   */
  boolean matches(byte[] b, int from, int to) {
    int i = nextLine(b, from, to);
    while (i < to) {
      byte c = b[i];
      if (c == '\r' || c == '\n') {
        return false; // the empty line: the body is not looked at
      }
      int end = nextLine(b, i, to);
      if ((c | 0x20) == 'u' && isUserAgent(b, i, end)) {
        int v = i + NAME.length;
        while (v < end && (b[v] == ' ' || b[v] == '\t')) {
          v++;
        }
        // RFC 3261 7.3.1: a line starting with whitespace continues the value.
        while (end < to && (b[end] == ' ' || b[end] == '\t')) {
          end = nextLine(b, end, to);
        }
        if (v < end && b[v] == ':' && contains(b, v + 1, end)) {
          return true;
        }
      }
      i = end;
    }
    return false;
  }

  /** The index after the next LF at or after {@code i}, or {@code to}. */
  private static int nextLine(byte[] b, int i, int to) {
    while (i < to && b[i] != '\n') {
      i++;
    }
    return i < to ? i + 1 : to;
  }

  private static boolean isUserAgent(byte[] b, int i, int end) {
    if (end - i <= NAME.length) {
      return false;
    }
    for (int k = 0; k < NAME.length; k++) {
      if (lower(b[i + k]) != NAME[k]) {
        return false;
      }
    }
    return true;
  }

  private boolean contains(byte[] b, int from, int to) {
    for (byte[] n : needles) {
      int last = to - n.length;
      byte first = n[0];
      for (int i = from; i <= last; i++) {
        if (lower(b[i]) == first && regionMatches(b, i, n)) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean regionMatches(byte[] b, int at, byte[] n) {
    for (int k = 1; k < n.length; k++) {
      if (lower(b[at + k]) != n[k]) {
        return false;
      }
    }
    return true;
  }

  private static byte lower(byte c) {
    return c >= 'A' && c <= 'Z' ? (byte) (c | 0x20) : c;
  }
}
