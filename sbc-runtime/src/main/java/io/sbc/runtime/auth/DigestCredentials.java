package io.sbc.runtime.auth;

import java.util.Locale;

/**
 * The parameters of one Authorization or Proxy-Authorization value with the Digest scheme (RFC 3261
 * section 25.1 digest-response, RFC 7616 section 3.4).
 */
record DigestCredentials(
    String username,
    String realm,
    String nonce,
    String uri,
    String response,
    String algorithm,
    String cnonce,
    String nc,
    String qop) {

  /** The longest header value considered: longer ones are refused, not scanned. */
  static final int MAX_LENGTH = 4096;

  /**
   * Parses a header value; null when it is not Digest, lacks a required parameter or is malformed.
   */
  static DigestCredentials parse(String v) {
    if (v.length() > MAX_LENGTH) {
      return null;
    }
    int i = skipSpace(v, 0);
    if (!v.regionMatches(true, i, "Digest", 0, 6)
        || i + 6 >= v.length()
        || (v.charAt(i + 6) != ' ' && v.charAt(i + 6) != '\t')) {
      return null;
    }
    i += 6;
    String username = null;
    String realm = null;
    String nonce = null;
    String uri = null;
    String response = null;
    String algorithm = null;
    String cnonce = null;
    String nc = null;
    String qop = null;
    int n = v.length();
    while (true) {
      i = skipSpace(v, i);
      if (i >= n) {
        break;
      }
      int nameStart = i;
      while (i < n && v.charAt(i) != '=' && v.charAt(i) != ' ' && v.charAt(i) != '\t') {
        i++;
      }
      String name = v.substring(nameStart, i).toLowerCase(Locale.ROOT);
      i = skipSpace(v, i);
      if (i >= n || v.charAt(i) != '=') {
        return null;
      }
      i = skipSpace(v, i + 1);
      String value;
      if (i < n && v.charAt(i) == '"') {
        StringBuilder sb = new StringBuilder();
        i++;
        boolean closed = false;
        while (i < n) {
          char c = v.charAt(i++);
          if (c == '\\' && i < n) {
            sb.append(v.charAt(i++));
          } else if (c == '"') {
            closed = true;
            break;
          } else {
            sb.append(c);
          }
        }
        if (!closed) {
          return null;
        }
        value = sb.toString();
      } else {
        int s = i;
        while (i < n && v.charAt(i) != ',' && v.charAt(i) != ' ' && v.charAt(i) != '\t') {
          i++;
        }
        value = v.substring(s, i);
      }
      switch (name) {
        case "username" -> username = value;
        case "realm" -> realm = value;
        case "nonce" -> nonce = value;
        case "uri" -> uri = value;
        case "response" -> response = value.toLowerCase(Locale.ROOT);
        case "algorithm" -> algorithm = value;
        case "cnonce" -> cnonce = value;
        case "nc" -> nc = value;
        case "qop" -> qop = value;
        default -> {
          // opaque, userhash and extensions: not used
        }
      }
      i = skipSpace(v, i);
      if (i < n) {
        if (v.charAt(i) != ',') {
          return null;
        }
        i++;
      }
    }
    if (username == null || realm == null || nonce == null || uri == null || response == null) {
      return null;
    }
    return new DigestCredentials(username, realm, nonce, uri, response, algorithm, cnonce, nc, qop);
  }

  /** The nonce count as a number (RFC 7616: 8 hex digits); -1 when absent or malformed. */
  long nonceCount() {
    if (nc == null || nc.length() != 8) {
      return -1;
    }
    long x = 0;
    for (int i = 0; i < 8; i++) {
      int d = Character.digit(nc.charAt(i), 16);
      if (d < 0) {
        return -1;
      }
      x = x * 16 + d;
    }
    return x;
  }

  private static int skipSpace(String v, int i) {
    while (i < v.length() && (v.charAt(i) == ' ' || v.charAt(i) == '\t')) {
      i++;
    }
    return i;
  }

  @Override
  public String toString() {
    return "DigestCredentials[" + username + "@" + realm + "]"; // never the response
  }
}
