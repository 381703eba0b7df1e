package io.sbc.api.syntax;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.re2j.Pattern;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** User-written patterns: RE2 syntax, linear time, clear errors. */
class RegularExpressionTest {

  @Test
  void compilesRe2() {
    Pattern p = RegularExpression.compile("\\+?[0-9]{4,15}", false);
    assertTrue(p.matcher("+4930123456").matches());
    assertFalse(p.matcher("+49a").matches());
    assertTrue(
        RegularExpression.compile("sbc\\.example\\.com", true)
            .matcher("SBC.Example.COM")
            .matches());
    assertFalse(
        RegularExpression.compile("sbc\\.example\\.com", false)
            .matcher("SBC.example.com")
            .matches());
    assertEquals(2, RegularExpression.compile("(?P<cc>[0-9]{2})(?<rest>.*)", false).groupCount());
  }

  @Test
  void perlOnlySyntaxIsExplained() {
    String[][] cases = {
      {"(a)\\1", "invalid escape sequence at `\\1`", "no backreferences"},
      {"a(?=b)", "invalid or unsupported Perl syntax at `(?=`", "no lookahead or lookbehind"},
      {"a(?!b)", "invalid or unsupported Perl syntax", "lookahead"},
      {"(?<=a)b", "invalid named capture", "lookbehind"},
      {"a++", "invalid nested repetition operator", "possessive"},
      {"(?>a)", "invalid or unsupported Perl syntax", "atomic"},
    };
    for (String[] c : cases) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class, () -> RegularExpression.compile(c[0], false));
      assertTrue(e.getMessage().startsWith("not a valid RE2 regular expression: "), e.getMessage());
      assertTrue(e.getMessage().contains(c[1]), e.getMessage());
      assertTrue(e.getMessage().contains(c[2]), e.getMessage());
      assertTrue(e.getMessage().endsWith("(was " + c[0] + ")"), e.getMessage());
    }
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> RegularExpression.compile("[0-9", false));
    assertEquals(
        "not a valid RE2 regular expression: missing closing ] at `[0-9` (was [0-9)",
        e.getMessage());
  }

  /**
   * The classic catastrophic patterns against a 10,000-character user: java.util.regex backtracks
   * for longer than the universe has existed; RE2 takes time linear in the input.
   */
  @Test
  void catastrophicPatternsRunInLinearTime() {
    String user = "a".repeat(10_000) + "!";
    for (String regex : List.of("(a+)+$", "(a|aa)+$", "(a*)*b", "(x+x+)+y", "^(a|a?)+$")) {
      Pattern p = RegularExpression.compile(regex, false);
      assertTimeoutPreemptively(
          Duration.ofSeconds(10), () -> assertFalse(p.matcher(user).matches(), regex), regex);
    }
    // Linear: ten times the input costs about ten times the time, not 2^n. Measured loosely (best
    // of several runs, generous bound) so a busy machine does not fail it.
    Pattern p = RegularExpression.compile("(a+)+$", false);
    String small = "a".repeat(10_000) + "!";
    String large = "a".repeat(100_000) + "!";
    long tSmall = best(() -> p.matcher(small).matches());
    long tLarge = best(() -> p.matcher(large).matches());
    assertTrue(
        tLarge < 100 * Math.max(tSmall, 200_000),
        "10k: " + tSmall + " ns, 100k: " + tLarge + " ns");
  }

  private static long best(Runnable r) {
    long best = Long.MAX_VALUE;
    for (int i = 0; i < 7; i++) {
      long t0 = System.nanoTime();
      r.run();
      best = Math.min(best, System.nanoTime() - t0);
    }
    return best;
  }
}
