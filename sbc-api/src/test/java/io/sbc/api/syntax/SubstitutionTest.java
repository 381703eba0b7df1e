package io.sbc.api.syntax;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.re2j.Pattern;
import org.junit.jupiter.api.Test;

/** RewriteUser substitutions: $n, ${name}, \ escapes, read once, applied as replaceAll. */
class SubstitutionTest {

  static String replace(String regex, String sub, String input) {
    return Substitution.compile(RegularExpression.compile(regex, false), sub).replaceAll(input);
  }

  static String problem(String regex, String sub) {
    Pattern p = RegularExpression.compile(regex, false);
    return assertThrows(IllegalArgumentException.class, () -> Substitution.compile(p, sub))
        .getMessage();
  }

  @Test
  void groupsAndEscapes() {
    assertEquals("+4930123", replace("^0([1-9][0-9]+)$", "+49$1", "030123"));
    assertEquals("+4930123", replace("^00(?P<cc>[1-9][0-9])(.*)$", "+${cc}$2", "004930123"));
    assertEquals(
        "+4930123", replace("^00(?<cc>[1-9][0-9])(?<rest>.*)$", "+${cc}${rest}", "004930123"));
    assertEquals("$1", replace("x", "\\$1", "x"));
    assertEquals("a\\b", replace("x", "a\\\\b", "x"));
    assertEquals("[x]", replace("x", "[$0]", "x"));
    assertEquals("", replace(".*", "", "abc"));
    assertEquals("unchanged", replace("^9", "x", "unchanged"));
    // replaceAll: every match, left to right.
    assertEquals("a-b-c", replace("\\.", "-", "a.b.c"));
    assertEquals("-a-b-", replace("x*", "-", "ab"));
  }

  /** $12 is group 12 when there are twelve groups, else group 1 then "2" (as java.util.regex). */
  @Test
  void groupNumbersTakeDigitsWhileTheyNameAGroup() {
    assertEquals("a2", replace("(a)", "$12", "a"));
    String twelve = "(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)(l)";
    assertEquals("l", replace(twelve, "$12", "abcdefghijkl"));
    assertEquals("a0", replace(twelve, "$1\\0", "abcdefghijkl"));
    assertEquals(
        java.util.regex.Pattern.compile(twelve).matcher("abcdefghijkl").replaceAll("$13-$10"),
        replace(twelve, "$13-$10", "abcdefghijkl"));
  }

  /** A group that took no part adds nothing; RE2/J 1.8's own replaceAll writes "null" for it. */
  @Test
  void unmatchedGroupsAddNothing() {
    assertEquals("+b", replace("(?P<x>a)?b", "+${x}$0", "b"));
    assertEquals("+b", replace("(a)?b", "+$1$0", "b"));
    Pattern p = Pattern.compile("(?P<x>a)?b");
    assertEquals("+nullb", p.matcher("b").replaceAll("+${x}$0")); // why we parse ourselves
  }

  @Test
  void sameResultsAsJavaUtilRegexWhereBothApply() {
    String[][] cases = {
      {"^\\+(\\d+)$", "00$1", "+442071234567"},
      {"^0([1-9][0-9]+)$", "+49$1", "0301234567"},
      {"([0-9])([0-9])", "$2$1", "123456"},
      {"^(\\d{3})(\\d*)$", "$1-$2", "0301234"},
      {"[^0-9+]", "", "+49 (30) 123-456"},
    };
    for (String[] c : cases) {
      assertEquals(
          java.util.regex.Pattern.compile(c[0]).matcher(c[2]).replaceAll(c[1]),
          replace(c[0], c[1], c[2]),
          c[0]);
    }
  }

  @Test
  void problemsFoundWhenRead() {
    String regex = "(?<cc>[0-9]{2})(.*)";
    assertTrue(problem(regex, "$3").contains("$3: the pattern has 2 groups"));
    assertTrue(problem("0(.*)", "$2").contains("$2: the pattern has 1 group"));
    assertTrue(problem("0", "$1").contains("$1: the pattern has 0 groups"));
    assertTrue(problem(regex, "${x}").contains("${x}: the pattern has no group named x"));
    assertTrue(problem(regex, "${cc").contains("unclosed"));
    assertTrue(problem(regex, "a$").contains("lone $"));
    assertTrue(problem(regex, "a\\").contains("lone \\"));
    assertTrue(problem(regex, "$a").contains("group number or {name}"));
    Pattern p = RegularExpression.compile(regex, false);
    Substitution s = Substitution.compile(p, "+${cc}$2");
    assertSame(p, s.pattern());
    assertEquals("+${cc}$2", s.text());
  }
}
