package io.sbc.api.syntax;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** RFC 3261 section 25.1 token, user, reason phrase and header value; RFC 3966 numbers. */
class SipGrammarTest {

  @Test
  void tokens() {
    for (String ok : List.of("INVITE", "x-custom", "X-Custom_1.a!%*+`'~", "a", "0")) {
      assertTrue(SipGrammar.isToken(ok), ok);
    }
    for (String bad :
        List.of(
            "", "A B", "A:B", "A\r\n", "A\t", "\u00e9", "A/B", "A@B", "(", "\"", "A=B", "A;B",
            "A,B", "A?B", "[A]", "{A}", "A\\B")) {
      assertFalse(SipGrammar.isToken(bad), bad);
    }
    assertFalse(SipGrammar.isToken(null));
  }

  @Test
  void users() {
    for (String ok :
        List.of(
            "alice",
            "+4930123456",
            "%41lice",
            "%00",
            "a;b=c",
            "a?b",
            "a/b",
            "a&b=c+d$e,f",
            "-_.!~*'()",
            "1234;phone-context=+49")) {
      assertTrue(SipGrammar.isUser(ok), ok);
      assertTrue(SipGrammar.isUserPart(ok), ok);
    }
    for (String bad :
        List.of(
            "", "a@b", "a:b", "a b", "a\"b", "a<b", "a>b", "%4", "%zz", "a%", "a%4g", "a\r\nb",
            "a\nb", "\u00e9", "a#b", "a[b", "a|b", "a\\b", "a^b", "a`b", "a{b}")) {
      assertFalse(SipGrammar.isUser(bad), bad);
    }
    assertTrue(SipGrammar.isUserPart(""));
    assertFalse(SipGrammar.isUser(null));
  }

  @Test
  void telephoneNumbers() {
    for (String ok :
        List.of("+49-30-1234", "+1(555)123.4567", "+4930", "1234", "*21#", "ABC", "#31#", "1")) {
      assertTrue(SipGrammar.isTelephoneNumber(ok), ok);
    }
    for (String bad :
        List.of("", "+", "-", "()", "+49a", "12 34", "1;phone-context=x", "1@x", "1\r\n", "+-")) {
      assertFalse(SipGrammar.isTelephoneNumber(bad), bad);
    }
  }

  @Test
  void oneLineText() {
    for (String ok : List.of("", "Forbidden", "tab\there", "Gr\u00fc\u00dfe", "a \"quoted\" <x>")) {
      assertTrue(SipGrammar.isText(ok), ok);
      assertTrue(SipGrammar.isHeaderValue(ok), ok);
    }
    for (String bad :
        List.of("a\rb", "a\nb", "a\r\nb", "a\r\n b", "a\u0000b", "a\u007fb", "a\u001bb", "\r\n")) {
      assertFalse(SipGrammar.isText(bad), bad);
    }
  }

  /** A header value may be folded (RFC 3261 7.3.1); no other line break or control character. */
  @Test
  void headerValues() {
    for (String ok : List.of("a\r\n b", "a\r\n\tb", "a,\r\n  b\r\n c")) {
      assertTrue(SipGrammar.isHeaderValue(ok), ok);
    }
    for (String bad :
        List.of(
            "a\r\nb",
            "a\r\nVia: x",
            "a\rb",
            "a\nb",
            "a\n b",
            "a\r\n",
            "a\r",
            "a\r\n\r\n b",
            "a\u0000",
            "a\u0007")) {
      assertFalse(SipGrammar.isHeaderValue(bad), bad);
    }
  }
}
