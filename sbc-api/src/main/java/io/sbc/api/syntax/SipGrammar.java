package io.sbc.api.syntax;

/**
 * The RFC 3261 section 25.1 rules for what this SBC writes into a message from configuration or
 * from a rewrite: tokens (methods, header names), the user part of a URI, the number of a tel URI
 * (RFC 3966), reason phrases and header values. None of them allocates.
 */
public final class SipGrammar {
  private SipGrammar() {}

  /** {@code token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~")}. */
  public static boolean isToken(CharSequence s) {
    if (s == null || s.length() == 0) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (!isTokenChar(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  public static boolean isTokenChar(int c) {
    return isAlphanum(c)
        || c == '-'
        || c == '.'
        || c == '!'
        || c == '%'
        || c == '*'
        || c == '_'
        || c == '+'
        || c == '`'
        || c == '\''
        || c == '~';
  }

  /**
   * {@code user = 1*( unreserved / escaped / user-unreserved )}: alphanumerics, the marks {@code
   * -_.!~*'()}, {@code &=+$,;?/}, and '%' only as the start of two hex digits. Anything else ('@',
   * ':', a space, a quote, CR, LF) would change what the URI means or break the message.
   */
  public static boolean isUser(CharSequence s) {
    return s != null && s.length() > 0 && isUserPart(s);
  }

  /**
   * Whether {@code s} may stand inside a user part: as {@link #isUser} but possibly empty (a prefix
   * to add).
   */
  public static boolean isUserPart(CharSequence s) {
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= n || !isHex(s.charAt(i + 1)) || !isHex(s.charAt(i + 2))) {
          return false;
        }
        i += 2;
      } else if (!isUserChar(c)) {
        return false;
      }
    }
    return true;
  }

  /** An unreserved or user-unreserved character (not '%', which starts an escape). */
  public static boolean isUserChar(int c) {
    if (isAlphanum(c)) {
      return true;
    }
    return switch (c) {
      // mark
      case '-', '_', '.', '!', '~', '*', '\'', '(', ')' -> true;
      // user-unreserved
      case '&', '=', '+', '$', ',', ';', '?', '/' -> true;
      default -> false;
    };
  }

  /**
   * The number of a tel URI (RFC 3966 section 3): {@code "+" *phonedigit DIGIT *phonedigit} for a
   * global number, else {@code *phonedigit-hex (HEXDIG / "*" / "#") *phonedigit-hex}, the visual
   * separators being {@code - . ( )}. Parameters are not part of it.
   */
  public static boolean isTelephoneNumber(CharSequence s) {
    if (s == null || s.isEmpty()) {
      return false;
    }
    boolean global = s.charAt(0) == '+';
    boolean significant = false;
    for (int i = global ? 1 : 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= '0' && c <= '9') {
        significant = true;
      } else if (!global && (isHex(c) || c == '*' || c == '#')) {
        significant = true;
      } else if (c != '-' && c != '.' && c != '(' && c != ')') {
        return false;
      }
    }
    return significant;
  }

  /**
   * Text for one line: a reason phrase, or a header value as this SBC writes it. Visible
   * characters, SP, HTAB and non-ASCII (written as UTF-8); no CR, LF, NUL or other control
   * character, since a line break in a value starts a header of the writer's choosing.
   */
  public static boolean isText(CharSequence s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if ((c < 0x20 && c != '\t') || c == 0x7F) {
        return false;
      }
    }
    return true;
  }

  /**
   * A header value as RFC 3261 reads one ({@code *(TEXT-UTF8char / UTF8-CONT / LWS)}): what {@link
   * #isText} allows, plus line folding, a CRLF followed by SP or HTAB (section 7.3.1). A CR or LF
   * anywhere else, NUL or another control character makes it false.
   */
  public static boolean isHeaderValue(CharSequence s) {
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c == '\r') {
        if (i + 2 >= n || s.charAt(i + 1) != '\n' || !isWsp(s.charAt(i + 2))) {
          return false;
        }
        i++;
      } else if ((c < 0x20 && c != '\t') || c == 0x7F) {
        return false;
      }
    }
    return true;
  }

  private static boolean isWsp(char c) {
    return c == ' ' || c == '\t';
  }

  private static boolean isAlphanum(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  }

  private static boolean isHex(int c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }
}
