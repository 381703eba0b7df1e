package io.sbc.runtime.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sbc.api.ConfigReader;
import io.sbc.api.Configuration;
import io.sbc.api.SipRoute;
import io.sbc.api.syntax.RegularExpression;
import io.sbc.api.syntax.Substitution;
import io.sbc.runtime.config.GatewayConfig;
import io.sbc.runtime.sip.proxy.FailoverPolicy;
import io.sbc.runtime.sip.proxy.RouteAction;
import io.sbc.runtime.sip.proxy.Target;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Rewrite results are checked before a request is forwarded: a RewriteUser that yields a
 * Request-URI user RFC 3261 does not allow (or a tel number RFC 3966 does not) is answered, 500
 * when the rewrite broke a valid user, 400 when the user was already not valid, and logged once per
 * rule. Requests are real bytes decoded as the transport decodes them.
 */
class RewriteCheckTest {
  static final String GATEWAY =
      """
      apiVersion: sbc.io/v1alpha1
      kind: SipGateway
      metadata:
        name: gw
      spec:
        listeners:
          - name: udp
            protocol: SIP-UDP
            address: 127.0.0.1
            port: 5060
        domains: [sbc.example.com]
      ---
      apiVersion: sbc.io/v1alpha1
      kind: SipRoute
      metadata:
        name: dialplan
      spec:
        parentRefs: [{name: gw}]
        rules:
          - name: strip-too-much
            matches: [{requestUri: {user: {type: Prefix, value: "9"}}}]
            filters: [{type: RewriteUser, rewriteUser: {stripPrefix: 4}}]
            backendRefs: [{uri: "sip:127.0.0.1:6001"}]
          - name: escape-from-digits
            matches: [{requestUri: {user: {type: Prefix, value: "7"}}}]
            filters: [{type: RewriteUser, rewriteUser: {replace: {pattern: '^7(.*)$', substitution: '%$1'}}}]
            backendRefs: [{uri: "sip:127.0.0.1:6002"}]
          - name: add-plus
            matches: [{requestUri: {user: {type: Prefix, value: "8"}}}]
            filters: [{type: RewriteUser, rewriteUser: {addPrefix: "+"}}]
            backendRefs: [{uri: "sip:127.0.0.1:6003"}]
          - name: tel-strip
            matches: [{requestUri: {user: {type: Prefix, value: "+99"}}}]
            filters: [{type: RewriteUser, rewriteUser: {stripPrefix: 3}}]
            backendRefs: [{uri: "sip:127.0.0.1:6004"}]
      """;

  static RoutingTable table;
  final Logger log = Logger.getLogger(CompiledRule.class.getName());
  final List<LogRecord> records = new ArrayList<>();
  final List<String> lines = new ArrayList<>();
  final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord r) {
          synchronized (records) {
            records.add(r);
            lines.add(
                r instanceof ExtLogRecord e
                    ? e.getFormattedMessage()
                    : String.valueOf(r.getMessage()));
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @BeforeEach
  void setUp() throws Exception {
    // A new table per test: the once-per-rule warning belongs to the compiled rule.
    table =
        GatewayConfig.load("gw.yaml", GATEWAY, null)
            .router(n -> null, () -> new SplittableRandom(1));
    log.addHandler(capture);
  }

  @AfterEach
  void tearDown() {
    log.removeHandler(capture);
  }

  static RouteAction route(String ruri) {
    return RoutingEdgeCasesTest.route(table, ruri, "127.0.0.1");
  }

  static void assertAnswered(RouteAction a, int status, String reason, String rule) {
    assertEquals(status, a.status(), a.toString());
    assertEquals(reason, a.reason());
    assertEquals(rule, a.rule());
    assertTrue(a.targets().isEmpty());
    assertNull(a.rewrite());
  }

  @Test
  void validRewritesAreForwarded() {
    RouteAction a = route("sip:912345@sbc.example.com");
    assertEquals(0, a.status());
    assertEquals("sip:45@sbc.example.com", a.rewrite().requestUri());
    a = route("sip:741@sbc.example.com;user=phone");
    assertEquals("sip:%41@sbc.example.com;user=phone", a.rewrite().requestUri());
    a = route("sip:8123@sbc.example.com");
    assertEquals("sip:+8123@sbc.example.com", a.rewrite().requestUri());
    a = route("tel:+991234");
    assertEquals("tel:1234", a.rewrite().requestUri());
    assertEquals(List.of("sip:127.0.0.1:6004"), a.targets().stream().map(Target::uri).toList());
  }

  /** The rule's rewrite broke a valid user: the SBC's fault, 500, and the request stays here. */
  @Test
  void aRewriteThatBreaksTheUserIsAnswered500() {
    // stripPrefix 4 of "912" leaves "": "sip:@host" is no URI (user = 1*(...)).
    assertAnswered(
        route("sip:912@sbc.example.com"), 500, CompiledRule.BAD_REWRITE_REASON, "strip-too-much");
    // "%" + "zz" is a broken escape.
    assertAnswered(
        route("sip:7zz@sbc.example.com"),
        500,
        CompiledRule.BAD_REWRITE_REASON,
        "escape-from-digits");
    // tel: stripping "+99" of "+99" leaves no number.
    assertAnswered(route("tel:+99"), 500, CompiledRule.BAD_REWRITE_REASON, "tel-strip");
  }

  /**
   * The decoder passes characters RFC 3261 does not allow unescaped in a user ('#', '"', '|'); a
   * rule that would write them into a URI it builds answers 400: the request is at fault.
   */
  @Test
  void aUserThatWasAlreadyInvalidIsAnswered400() {
    for (String user : List.of("8*31#", "8\"x\"", "8a|b", "8{1}")) {
      assertAnswered(
          route("sip:" + user + "@sbc.example.com"), 400, CompiledRule.BAD_USER_REASON, "add-plus");
    }
    // The same characters escaped are fine.
    assertEquals(
        "sip:+8*31%23@sbc.example.com",
        route("sip:8*31%23@sbc.example.com").rewrite().requestUri());
  }

  @Test
  void loggedOncePerRule() {
    for (int i = 0; i < 3; i++) {
      assertEquals(500, route("sip:912@sbc.example.com").status());
    }
    assertEquals(500, route("sip:7zz@sbc.example.com").status());
    assertEquals(500, route("sip:7zz@sbc.example.com").status());
    synchronized (records) {
      assertTrue(
          records.stream().allMatch(r -> r.getLevel().intValue() == Level.WARNING.intValue()),
          lines::toString);
    }
    assertEquals(2, lines.size(), lines.toString());
    assertTrue(
        lines
            .get(0)
            .startsWith(
                "rule \"strip-too-much\": RewriteUser turned Request-URI user \"912\" into \"\""),
        lines.get(0));
    assertTrue(lines.get(0).contains("answered 500"), lines.get(0));
    assertTrue(lines.get(1).contains("\"7zz\" into \"%zz\""), lines.get(1));
  }

  /**
   * Even a rule built around the compiler's checks cannot put a line break into the Request-URI:
   * the result is checked where it is made. Its log line escapes the break.
   */
  @Test
  void aLineBreakFromARewriteNeverLeaves() {
    Substitution inject =
        Substitution.compile(RegularExpression.compile("^(.*)$", false), "$1\r\nX-Injected: 1");
    CompiledRule rule =
        new CompiledRule(
            "inject",
            0,
            false,
            false,
            new CompiledMatch[] {
              new CompiledMatch(
                  null,
                  null,
                  null,
                  null,
                  null,
                  null,
                  null,
                  new CompiledMatch.HeaderCondition[0],
                  null,
                  null,
                  null)
            },
            0,
            null,
            null,
            new CompiledRule.Backend[] {
              new CompiledRule.Backend(Target.parse("sip:127.0.0.1:6009", null), null, 1, 0)
            },
            false,
            true,
            FailoverPolicy.DEFAULT,
            new CompiledRule.UserRewrite[] {new CompiledRule.UserRewrite(0, inject, null)},
            null,
            0,
            List.of(),
            List.of());
    table =
        new RouteCompiler(
                Set.of("sbc.example.com"),
                n -> null,
                RoutingConformanceTest::target,
                SplittableRandom::new)
            .index(List.of(rule));
    assertAnswered(
        route("sip:bob@sbc.example.com"), 500, CompiledRule.BAD_REWRITE_REASON, "inject");
    assertEquals(1, lines.size(), lines.toString());
    String line = lines.get(0);
    assertTrue(line.contains("into \"bob\\x0d\\x0aX-Injected: 1\""), line);
    assertFalse(line.contains("\r") || line.contains("\n"), line);
  }

  /**
   * Header lines and reason phrases from the configuration are checked when rules are compiled, so
   * a model that never passed the validator is refused rather than written into requests.
   */
  @Test
  void headerValuesWithLineBreaksAreRefusedAtCompile() throws Exception {
    Configuration c =
        ConfigReader.read(
            "gw.yaml",
            GATEWAY
                + "    - name: tag\n"
                + "      filters: [{type: RequestHeaderModifier, requestHeaderModifier:"
                + " {add: [{name: X-A, value: a}]}}]\n"
                + "      backendRefs: [{uri: \"sip:127.0.0.1:6005\"}]\n"
                + "    - name: refuse\n"
                + "      reject: {statusCode: 403, reason: Nope}\n");
    SipRoute r = c.routes().get(0);
    r.spec.rules.get(4).filters.get(0).requestHeaderModifier.add.get(0).value =
        "a\r\nVia: SIP/2.0/UDP evil.example";
    r.spec.rules.get(5).reject.reason = "Nope\r\nX-Injected: 1";
    RouteCompiler compiler =
        new RouteCompiler(
            Set.of("sbc.example.com"),
            n -> null,
            RoutingConformanceTest::target,
            SplittableRandom::new);
    compiler.compile(List.of(r));
    List<String> errors = compiler.errors();
    assertEquals(2, errors.size(), errors.toString());
    assertTrue(
        errors.get(0).startsWith("SipRoute/dialplan: spec.rules[4]: line breaks"), errors.get(0));
    assertTrue(
        errors.get(1).startsWith("SipRoute/dialplan: spec.rules[5]: line breaks"), errors.get(1));
    assertFalse(String.join("", errors).contains("\n"), errors.toString());
  }
}
