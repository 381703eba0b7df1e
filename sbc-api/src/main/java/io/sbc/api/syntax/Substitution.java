package io.sbc.api.syntax;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The replacement of a RewriteUser replace filter, read once against its pattern: {@code $n} is
 * group n (0 the whole match; further digits are taken while they still name a group, as {@code
 * java.util.regex} and RE2/J read it), {@code ${name}} a named group, {@code \c} the character c.
 *
 * <p>Parsed here rather than handed to RE2/J's {@code Matcher.replaceAll} for two reasons: errors
 * ($3 with two groups, an unknown name, a trailing '\' or '$') are found when the configuration is
 * validated, not by the first call; and RE2/J 1.8 writes the text "null" for a named group that did
 * not take part in the match, where a group that did not match must add nothing.
 */
public final class Substitution {
  private final Pattern pattern;
  private final String text;
  // Parts in order: a literal where group[i] < 0, else that group.
  private final String[] literal;
  private final int[] group;

  private Substitution(Pattern pattern, String text, String[] literal, int[] group) {
    this.pattern = pattern;
    this.text = text;
    this.literal = literal;
    this.group = group;
  }

  /**
   * Reads {@code substitution} for {@code pattern}.
   *
   * @throws IllegalArgumentException saying what is wrong, for a configuration error message
   */
  public static Substitution compile(Pattern pattern, String substitution) {
    int groups = pattern.groupCount();
    Map<String, Integer> names = pattern.namedGroups();
    List<String> literals = new ArrayList<>();
    List<Integer> refs = new ArrayList<>();
    StringBuilder lit = new StringBuilder();
    String s = substitution;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\') {
        if (++i == s.length()) {
          throw new IllegalArgumentException("ends with a lone \\ (write \\\\ for a backslash)");
        }
        lit.append(s.charAt(i));
        continue;
      }
      if (c != '$') {
        lit.append(c);
        continue;
      }
      if (++i == s.length()) {
        throw new IllegalArgumentException("ends with a lone $ (write \\$ for a dollar sign)");
      }
      char n = s.charAt(i);
      int g;
      if (n == '{') {
        int close = s.indexOf('}', i);
        if (close < 0) {
          throw new IllegalArgumentException("unclosed ${ group name");
        }
        String name = s.substring(i + 1, close);
        Integer idx = names.get(name);
        if (idx == null) {
          throw new IllegalArgumentException(
              "${" + name + "}: the pattern has no group named " + name);
        }
        g = idx;
        i = close;
      } else if (n >= '0' && n <= '9') {
        g = n - '0';
        if (g > groups) {
          throw new IllegalArgumentException(
              "$" + n + ": the pattern has " + groups + " group" + (groups == 1 ? "" : "s"));
        }
        while (i + 1 < s.length()) {
          char d = s.charAt(i + 1);
          if (d < '0' || d > '9' || g * 10 + (d - '0') > groups) {
            break;
          }
          g = g * 10 + (d - '0');
          i++;
        }
      } else {
        throw new IllegalArgumentException(
            "$ must be followed by a group number or {name} (write \\$ for a dollar sign)");
      }
      if (lit.length() > 0) {
        literals.add(lit.toString());
        refs.add(-1);
        lit.setLength(0);
      }
      literals.add(null);
      refs.add(g);
    }
    if (lit.length() > 0) {
      literals.add(lit.toString());
      refs.add(-1);
    }
    return new Substitution(
        pattern,
        substitution,
        literals.toArray(new String[0]),
        refs.stream().mapToInt(Integer::intValue).toArray());
  }

  public Pattern pattern() {
    return pattern;
  }

  /**
   * The literal text the substitution adds, escapes resolved and groups left out: what the
   * configuration alone writes into every result (checked against the URI user rules).
   */
  public String literalText() {
    StringBuilder sb = new StringBuilder();
    for (int k = 0; k < group.length; k++) {
      if (group[k] < 0) {
        sb.append(literal[k]);
      }
    }
    return sb.toString();
  }

  /**
   * Whether the literal text holds only characters of a URI user: {@link SipGrammar#isUserChar} and
   * '%' (which may start an escape completed by a group).
   */
  public boolean literalTextIsUserText() {
    for (int k = 0; k < group.length; k++) {
      if (group[k] < 0) {
        String l = literal[k];
        for (int i = 0; i < l.length(); i++) {
          char c = l.charAt(i);
          if (c != '%' && !SipGrammar.isUserChar(c)) {
            return false;
          }
        }
      }
    }
    return true;
  }

  /** The substitution as written. */
  public String text() {
    return text;
  }

  /**
   * Replaces every match of the pattern in {@code input}, as {@code Matcher.replaceAll} does;
   * returns {@code input} itself when nothing matches.
   */
  public String replaceAll(String input) {
    Matcher m = pattern.matcher(input);
    if (!m.find()) {
      return input;
    }
    StringBuilder sb = new StringBuilder(input.length() + 16);
    int last = 0;
    do {
      sb.append(input, last, m.start());
      for (int k = 0; k < group.length; k++) {
        int g = group[k];
        if (g < 0) {
          sb.append(literal[k]);
        } else {
          int start = m.start(g);
          if (start >= 0) {
            sb.append(input, start, m.end(g));
          }
        }
      }
      last = m.end();
    } while (m.find());
    return sb.append(input, last, input.length()).toString();
  }

  @Override
  public String toString() {
    return text;
  }
}
