package io.sbc.api.syntax;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;

/**
 * The user-written regular expressions of routes (RegularExpression matches, RewriteUser replace
 * patterns), compiled with RE2/J: matching takes time linear in the input whatever the pattern, so
 * a Request-URI user or a header value of attacker-chosen length cannot make a pattern such as
 * {@code (a+)+$} backtrack for hours, as it would with {@code java.util.regex}. The price is RE2's
 * syntax: no backreferences, no lookaround, no possessive or atomic groups. The validator and the
 * runtime both compile through here, so a pattern that validates is the pattern that runs.
 */
public final class RegularExpression {
  private RegularExpression() {}

  /**
   * Compiles an RE2 pattern.
   *
   * @param ignoreCase compare letters case-insensitively (host names, RFC 3261 section 19.1.4)
   * @throws IllegalArgumentException "not a valid RE2 regular expression: ..." with RE2's reason,
   *     and for Perl-only syntax a word on what RE2 lacks
   */
  public static Pattern compile(String regex, boolean ignoreCase) {
    try {
      return Pattern.compile(regex, ignoreCase ? Pattern.CASE_INSENSITIVE : 0);
    } catch (PatternSyntaxException e) {
      String why = e.getDescription();
      String near = e.getPattern();
      StringBuilder sb = new StringBuilder("not a valid RE2 regular expression: ").append(why);
      if (near != null && !near.isEmpty()) {
        sb.append(" at `").append(near).append('`');
      }
      if (why.startsWith("invalid or unsupported Perl syntax")
          || why.startsWith("invalid escape sequence")
          || why.startsWith("invalid nested repetition")
          || why.startsWith("invalid named capture")) {
        sb.append(
            " (RE2 syntax: no backreferences such as \\1, no lookahead or lookbehind such as"
                + " (?=, (?!, (?<=, no possessive or atomic forms)");
      }
      throw new IllegalArgumentException(sb.append(" (was ").append(regex).append(')').toString());
    }
  }
}
