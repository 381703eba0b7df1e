package io.sbc.runtime.routing;

import com.google.re2j.Pattern;
import io.sbc.api.syntax.RegularExpression;

/**
 * An Exact, Prefix or RegularExpression condition on a string, compiled once. Patterns are RE2
 * ({@link RegularExpression}): their time is linear in the length of the user or header value, so a
 * request cannot make a rule's pattern backtrack.
 */
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

  /**
   * @throws IllegalArgumentException for a pattern RE2 does not read (the validator refuses those
   *     first, with the field's path)
   */
  StringMatcher(String type, String value, boolean ignoreCase) {
    this.type =
        switch (type) {
          case "Prefix" -> Type.PREFIX;
          case "RegularExpression" -> Type.REGEX;
          default -> Type.EXACT;
        };
    this.value = value;
    this.ignoreCase = ignoreCase;
    this.pattern = this.type == Type.REGEX ? RegularExpression.compile(value, ignoreCase) : null;
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
