package io.sbc.runtime.routing;

import java.util.regex.Pattern;

/** An Exact, Prefix or RegularExpression condition on a string, compiled once. */
final class StringMatcher {
  enum Type {
    EXACT,
    PREFIX,
    REGEX
  }

  final Type type;
  final String value;
  private final boolean ignoreCase;
  private final Pattern pattern;

  StringMatcher(String type, String value, boolean ignoreCase) {
    this.type =
        switch (type) {
          case "Prefix" -> Type.PREFIX;
          case "RegularExpression" -> Type.REGEX;
          default -> Type.EXACT;
        };
    this.value = value;
    this.ignoreCase = ignoreCase;
    this.pattern =
        this.type == Type.REGEX
            ? Pattern.compile(value, ignoreCase ? Pattern.CASE_INSENSITIVE : 0)
            : null;
  }

  /** Whether {@code s} (null: absent) satisfies the condition. */
  boolean test(String s) {
    if (s == null) {
      return false;
    }
    return switch (type) {
      case EXACT -> ignoreCase ? s.equalsIgnoreCase(value) : s.equals(value);
      case PREFIX -> s.regionMatches(ignoreCase, 0, value, 0, value.length());
      case REGEX -> pattern.matcher(s).matches();
    };
  }
}
