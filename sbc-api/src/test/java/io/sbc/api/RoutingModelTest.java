package io.sbc.api;

import static io.sbc.api.ConfigReaderTest.errorAt;
import static io.sbc.api.ConfigReaderTest.errors;
import static io.sbc.api.ConfigReaderTest.read;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Declarative routing: matches, filters, actions, backendRefs and SipDispatcher documents. */
class RoutingModelTest {

  static final String GATEWAY =
      """
      apiVersion: sbc.io/v1alpha1
      kind: SipGateway
      metadata:
        name: edge
      spec:
        listeners:
          - name: udp
            protocol: SIP-UDP
            port: 15060
          - name: tcp
            protocol: SIP-TCP
            port: 15060
      """;

  static final String DISPATCHER =
      """
      apiVersion: sbc.io/v1alpha1
      kind: SipDispatcher
      metadata:
        name: pool
      spec:
        destinations:
          - uri: sip:10.0.0.1:5060
          - uri: sip:10.0.0.2:5060
      """;

  static final String FORWARD = "backendRefs: [{uri: \"sip:127.0.0.1:15090\"}]\n";

  /** A SipRoute "r" on gateway edge with one rule named "main" whose fields are given. */
  static String route(String ruleFields) {
    StringBuilder sb =
        new StringBuilder(
            """
            apiVersion: sbc.io/v1alpha1
            kind: SipRoute
            metadata:
              name: r
            spec:
              parentRefs:
                - name: edge
              rules:
                - name: main
            """);
    for (String line : ruleFields.split("\n")) {
      sb.append("      ").append(line).append('\n');
    }
    return sb.toString();
  }

  /** The errors of gateway, dispatcher and a route with that rule. */
  static List<String> ruleErrors(String ruleFields) {
    return errors(GATEWAY + "---\n" + DISPATCHER + "---\n" + route(ruleFields));
  }

  /** The one error at spec.rules[0].path of the route (document 3); checks the prefix. */
  static String ruleError(String ruleFields, String path) {
    String p = "spec.rules[0]" + (path.isEmpty() ? "" : "." + path);
    String e = errorAt(ruleErrors(ruleFields), p);
    assertTrue(e.startsWith("test.yaml: document 3 (SipRoute/r): " + p + ": "), e);
    return e;
  }

  static List<String> dispatcherErrors(String dispatcher) {
    return errors(GATEWAY + "---\n" + dispatcher);
  }

  static String dispatcherError(String dispatcher, String path) {
    String e = errorAt(dispatcherErrors(dispatcher), path);
    assertTrue(e.startsWith("test.yaml: document 2 (SipDispatcher/pool): " + path + ": "), e);
    return e;
  }

  static void assertContains(String text, String part) {
    assertTrue(text.contains(part), "expected \"" + part + "\" in: " + text);
  }

  // ---- a complete configuration ----

  static final String FULL =
      """
      apiVersion: sbc.io/v1alpha1
      kind: SipGateway
      metadata:
        name: edge
      spec:
        listeners:
          - name: udp
            protocol: SIP-UDP
            port: 15060
          - name: tcp
            protocol: SIP-TCP
            port: 15060
        domains: [sbc.example.com]
      ---
      apiVersion: sbc.io/v1alpha1
      kind: SipRoute
      metadata:
        name: outbound
      spec:
        parentRefs: [{name: edge}]
        rules:
          - name: emergency
            matches:
              - methods: [INVITE]
                requestUri:
                  user: {type: Exact, value: "112"}
            backendRefs:
              - uri: sip:10.0.0.9:5060
          - name: national
            matches:
              - requestUri:
                  user: {type: Prefix, value: "0"}
                  host: {type: RegularExpression, value: "sbc\\\\.example\\\\.com"}
                from:
                  user: {type: RegularExpression, value: "[0-9]{4,}"}
                headers:
                  - name: X-Tenant
                    type: Exact
                    value: acme
                  - name: P-Asserted-Identity
                sourceCidrs: ["10.0.0.0/8", "2001:db8::/32", "192.0.2.7"]
                listeners: [udp]
                transports: [UDP, TCP]
            filters:
              - type: RewriteUser
                rewriteUser:
                  stripPrefix: 1
                  replace: {pattern: "([0-9]+)", substitution: "$1"}
                  addPrefix: "+49"
              - type: RequestHeaderModifier
                requestHeaderModifier:
                  add: [{name: X-Route, value: national}]
                  set: [{name: P-Preferred-Identity, value: "<sip:+4930123@example.com>"}]
                  remove: [X-Internal]
              - type: RewriteRequestUri
                rewriteRequestUri: {host: carrier.example.net, port: 5080}
              - type: RecordRoute
                recordRoute: {enabled: false}
            forking: serial
            backendRefs:
              - kind: SipDispatcher
                name: carriers
                weight: 10
                priority: 0
              - uri: sip:[2001:db8::5]:5060
                weight: 0
                priority: 1
            failover:
              codes: ["503", "5xx", "408", "6xx"]
      ---
      apiVersion: sbc.io/v1alpha1
      kind: SipRoute
      metadata:
        name: local
      spec:
        parentRefs: [{name: edge}]
        rules:
          - name: keepalive
            matches: [{methods: [OPTIONS]}]
            respond: {statusCode: 200, reason: OK}
          - name: moved
            matches: [{to: {user: {value: old}}}]
            redirect: {statusCode: 301, contacts: ["sip:new@example.com", "tel:+4930123"]}
          - name: relay
            allowRelay: true
            matches: [{requestUri: {host: {type: Exact, value: partner.example.org}}}]
            backendRefs: [{uri: "sip:10.0.0.10"}]
          - name: rest
            reject: {statusCode: 404, reason: Not Here}
      ---
      apiVersion: sbc.io/v1alpha1
      kind: SipDispatcher
      metadata:
        name: carriers
      spec:
        algorithm: Hash
        hashKey: FromUser
        destinations:
          - uri: sip:10.1.0.1:5060
            weight: 3
          - uri: sip:10.1.0.2:5060;transport=tcp
            priority: 1
        probe:
          intervalMillis: 10000
          timeoutMillis: 1000
          failureThreshold: 3
          successThreshold: 2
      """;

  @Test
  void fullConfigurationReads() {
    Configuration c = read(FULL);
    assertEquals(1, c.gateways().size());
    assertEquals(2, c.routes().size());
    assertEquals(1, c.dispatchers().size());
    assertEquals(c.routes(), c.routesOf(c.gateways().get(0)));

    SipRoute.Rule national = c.routes().get(0).spec.rules.get(1);
    SipRoute.Match m = national.matches.get(0);
    assertEquals("Prefix", m.requestUri.user.type);
    assertEquals("0", m.requestUri.user.value);
    assertEquals("sbc\\.example\\.com", m.requestUri.host.value);
    assertEquals("Exact", m.headers.get(0).type);
    assertEquals(Defaults.HEADER_MATCH_TYPE, m.headers.get(1).type);
    assertNull(m.headers.get(1).value);
    assertEquals(List.of("10.0.0.0/8", "2001:db8::/32", "192.0.2.7"), m.sourceCidrs);
    assertEquals(List.of("udp"), m.listeners);
    assertEquals(List.of("UDP", "TCP"), m.transports);
    assertEquals(4, national.filters.size());
    assertEquals(1, national.filters.get(0).rewriteUser.stripPrefix);
    assertEquals("$1", national.filters.get(0).rewriteUser.replace.substitution);
    assertEquals("+49", national.filters.get(0).rewriteUser.addPrefix);
    assertEquals(List.of("X-Internal"), national.filters.get(1).requestHeaderModifier.remove);
    assertEquals(5080, national.filters.get(2).rewriteRequestUri.port);
    assertFalse(national.filters.get(3).recordRoute.enabled);
    SipRoute.BackendRef toPool = national.backendRefs.get(0);
    assertEquals("SipDispatcher", toPool.kind);
    assertEquals(10, toPool.weight);
    assertEquals(0, national.backendRefs.get(1).weight);
    assertEquals(List.of("503", "5xx", "408", "6xx"), national.failover.codes);

    SipRoute.Rule emergency = c.routes().get(0).spec.rules.get(0);
    assertEquals(Defaults.FAILOVER_CODES, emergency.failover.codes);
    assertEquals(Defaults.WEIGHT, emergency.backendRefs.get(0).weight);
    assertEquals(Defaults.PRIORITY, emergency.backendRefs.get(0).priority);
    assertFalse(emergency.allowRelay);
    assertEquals(List.of(), emergency.filters);
    assertNull(emergency.reject);

    List<SipRoute.Rule> local = c.routes().get(1).spec.rules;
    assertEquals(200, local.get(0).respond.statusCode);
    assertEquals(301, local.get(1).redirect.statusCode);
    assertEquals(Defaults.STRING_MATCH_TYPE, local.get(1).matches.get(0).to.user.type);
    assertTrue(local.get(2).allowRelay);
    assertEquals("Not Here", local.get(3).reject.reason);

    SipDispatcher d = c.dispatcher("carriers");
    assertSame(c.dispatchers().get(0), d);
    assertNull(c.dispatcher("nope"));
    assertEquals("Hash", d.spec.algorithm);
    assertEquals("FromUser", d.spec.hashKey);
    assertEquals(3, d.spec.destinations.get(0).weight);
    assertEquals(Defaults.PRIORITY, d.spec.destinations.get(0).priority);
    assertEquals(Defaults.WEIGHT, d.spec.destinations.get(1).weight);
    assertEquals(1, d.spec.destinations.get(1).priority);
    assertEquals(10000, d.spec.probe.intervalMillis);
    assertTrue(d.spec.probe.enabled);
  }

  @Test
  void dispatcherDefaults() {
    Configuration c = read(GATEWAY + "---\n" + DISPATCHER);
    SipDispatcher.Spec s = c.dispatcher("pool").spec;
    assertEquals(Defaults.DISPATCH_ALGORITHM, s.algorithm);
    assertEquals(Defaults.HASH_KEY, s.hashKey);
    assertTrue(s.probe.enabled);
    assertEquals(Defaults.PROBE_INTERVAL_MILLIS, s.probe.intervalMillis);
    assertEquals(Defaults.PROBE_TIMEOUT_MILLIS, s.probe.timeoutMillis);
    assertEquals(Defaults.PROBE_FAILURE_THRESHOLD, s.probe.failureThreshold);
    assertEquals(Defaults.PROBE_SUCCESS_THRESHOLD, s.probe.successThreshold);
    assertEquals(Defaults.WEIGHT, s.destinations.get(0).weight);
  }

  @Test
  void unknownFieldInANewPlaceIsReported() {
    assertContains(
        ruleError(
            FORWARD + "filters: [{type: RecordRoute, recordRoute: {enabled: true, on: 1}}]",
            "filters[0].recordRoute.on"),
        "unknown field (known: enabled)");
    assertContains(dispatcherError(DISPATCHER + "  weights: 1\n", "spec.weights"), "unknown field");
  }

  // ---- matches ----

  @Test
  void stringMatchTypeMustBeKnown() {
    assertContains(
        ruleError(
            FORWARD + "matches: [{requestUri: {user: {type: Glob, value: '1*'}}}]",
            "matches[0].requestUri.user.type"),
        "'Glob' is not one of [Exact, Prefix, RegularExpression]");
  }

  @Test
  void stringMatchValueIsRequired() {
    assertContains(
        ruleError(
            FORWARD + "matches: [{from: {host: {type: Prefix}}}]", "matches[0].from.host.value"),
        "required");
  }

  @Test
  void regularExpressionMustCompile() {
    String e =
        ruleError(
            FORWARD + "matches: [{to: {user: {type: RegularExpression, value: '(12'}}}]",
            "matches[0].to.user.value");
    assertContains(e, "not a valid RE2 regular expression: missing closing )");
    assertContains(e, "(was (12)");
  }

  /**
   * Patterns run on RE2 (linear time), so Perl-only syntax is refused when the configuration is
   * read, naming the field, rather than compiling here and failing (or backtracking) there.
   */
  @Test
  void perlOnlySyntaxIsRefusedWithTheField() {
    String e =
        ruleError(
            FORWARD + "matches: [{requestUri: {user: {type: RegularExpression, value: '(1)\\1'}}}]",
            "matches[0].requestUri.user.value");
    assertContains(e, "not a valid RE2 regular expression: invalid escape sequence at `\\1`");
    assertContains(e, "no backreferences");
    e =
        ruleError(
            FORWARD
                + "matches: [{headers: [{name: X-A, type: RegularExpression, value: 'a(?=b)'}]}]",
            "matches[0].headers[0].value");
    assertContains(e, "invalid or unsupported Perl syntax");
    assertContains(e, "no lookahead or lookbehind");
    e =
        ruleError(
            FORWARD
                + "filters: [{type: RewriteUser, rewriteUser: {replace: {pattern: '(?<=0)1', substitution: x}}}]",
            "filters[0].rewriteUser.replace.pattern");
    assertContains(e, "not a valid RE2 regular expression");
    assertContains(e, "lookbehind");
    e =
        ruleError(
            FORWARD + "matches: [{from: {host: {type: RegularExpression, value: 'a++'}}}]",
            "matches[0].from.host.value");
    assertContains(e, "invalid nested repetition operator");
  }

  /** RE2 syntax that java.util.regex also reads is accepted: classes, named groups, (?i). */
  @Test
  void re2SyntaxIsAccepted() {
    read(
        GATEWAY
            + "---\n"
            + DISPATCHER
            + "---\n"
            + route(
                FORWARD
                    + "matches: [{requestUri: {user: {type: RegularExpression, value: '\\+?[0-9]{4,15}'},"
                    + " host: {type: RegularExpression, value: '(?i)SBC\\.example\\.com'}},"
                    + " headers: [{name: X-A, type: RegularExpression, value: '\\p{L}+'}]}]\n"
                    + "filters: [{type: RewriteUser, rewriteUser: {replace:"
                    + " {pattern: '^00(?P<cc>[1-9][0-9])(?<rest>[0-9]+)$', substitution: '+${cc}${rest}'}}}]"));
  }

  @Test
  void uriMatchNeedsUserOrHost() {
    assertContains(
        ruleError(FORWARD + "matches: [{from: {}}]", "matches[0].from"), "set user or host");
  }

  @Test
  void headerNameIsAToken() {
    assertContains(
        ruleError(
            FORWARD + "matches: [{headers: [{name: 'X Foo'}]}]", "matches[0].headers[0].name"),
        "not a SIP header name");
    assertContains(
        ruleError(
            FORWARD + "matches: [{headers: [{type: Present}]}]", "matches[0].headers[0].name"),
        "required");
  }

  @Test
  void headerMatchTypeMustBeKnown() {
    assertContains(
        ruleError(
            FORWARD + "matches: [{headers: [{name: X-A, type: Prefix, value: a}]}]",
            "matches[0].headers[0].type"),
        "'Prefix' is not one of [Present, Exact, RegularExpression]");
  }

  @Test
  void headerMatchValueRequiredExceptPresent() {
    assertContains(
        ruleError(
            FORWARD + "matches: [{headers: [{name: X-A, type: Exact}]}]",
            "matches[0].headers[0].value"),
        "required for type Exact");
  }

  @Test
  void headerMatchValueWithPresentIsAMistake() {
    assertContains(
        ruleError(
            FORWARD + "matches: [{headers: [{name: X-A, value: a}]}]",
            "matches[0].headers[0].value"),
        "not used by type Present");
  }

  @Test
  void headerMatchRegularExpressionMustCompile() {
    assertContains(
        ruleError(
            FORWARD + "matches: [{headers: [{name: X-A, type: RegularExpression, value: '*a'}]}]",
            "matches[0].headers[0].value"),
        "not a valid RE2 regular expression: missing argument to repetition operator at `*`");
  }

  @Test
  void sourceCidrsAreNetworks() {
    for (String[] c :
        List.of(
            new String[] {"10.0.0.0/33", "prefix length must be 0..32"},
            new String[] {"2001:db8::/129", "prefix length must be 0..128"},
            new String[] {"10.0.0.0/", "bad prefix length"},
            new String[] {"10.0.0.0/x", "bad prefix length"},
            new String[] {"10.0.0/8", "not an IPv4 or IPv6 network"},
            new String[] {"example.com/24", "not an IPv4 or IPv6 network"},
            new String[] {"1:2:3:4:5:6:7:8:9/64", "not an IPv4 or IPv6 network"},
            new String[] {"2001:db8:::1/64", "not an IPv4 or IPv6 network"})) {
      assertContains(
          ruleError(
              FORWARD + "matches: [{sourceCidrs: ['" + c[0] + "']}]", "matches[0].sourceCidrs[0]"),
          c[1]);
    }
  }

  @Test
  void cidrParser() {
    for (String ok :
        List.of(
            "0.0.0.0/0",
            "192.0.2.1",
            "10.0.0.0/8",
            "::/0",
            "::1",
            "::",
            "2001:db8::/32",
            "fe80::1:2/64",
            "1:2:3:4:5:6:7:8/128",
            "::ffff:192.0.2.1/128",
            "64:ff9b::192.0.2.1",
            "1:2:3:4:5:6:1.2.3.4")) {
      assertNull(Validator.cidrProblem(ok), ok);
    }
    for (String bad :
        List.of(
            "",
            "/8",
            "256.0.0.0/8",
            "1.2.3.4.5",
            ":::",
            "1::2::3",
            "12345::",
            "1:2:3:4:5:6:7:8:9",
            "1:2:3:4:5:6:7",
            "1:2:3:4:5:6:7:1.2.3.4",
            ":1::",
            "1::2:",
            "g::1",
            "fe80::1%eth0",
            "[::1]")) {
      assertTrue(Validator.cidrProblem(bad) != null, bad);
    }
  }

  @Test
  void transportsAreUdpTcpOrTls() {
    for (String t : List.of("SCTP", "udp", "SIP-UDP")) {
      assertContains(
          ruleError(FORWARD + "matches: [{transports: [" + t + "]}]", "matches[0].transports[0]"),
          "'" + t + "' is not one of [UDP, TCP, TLS]");
    }
  }

  @Test
  void listenersMustExistOnTheParentGateway() {
    String e = ruleError(FORWARD + "matches: [{listeners: [udp, wss]}]", "matches[0].listeners[1]");
    assertContains(e, "no listener 'wss' on the parent gateway (edge has udp, tcp)");
  }

  @Test
  void listenerOnAnyParentGatewayWillDo() {
    String core = GATEWAY.replace("name: edge", "name: core").replace("name: tcp", "name: wss");
    String r =
        route(FORWARD + "matches: [{listeners: [wss]}]")
            .replace("- name: edge", "- name: edge\n    - name: core");
    read(GATEWAY + "---\n" + core + "---\n" + r);
    List<String> errors = errors(GATEWAY + "---\n" + core + "---\n" + r.replace("[wss]", "[ws]"));
    assertContains(
        errorAt(errors, "spec.rules[0].matches[0].listeners[0]"),
        "no listener 'ws' on the parent gateways (edge has udp, tcp; core has udp, wss)");
  }

  @Test
  void methodsAreTokens() {
    assertContains(
        ruleError(FORWARD + "matches: [{methods: [\"INVIT\u00c9\"]}]", "matches[0].methods[0]"),
        "not a SIP method");
  }

  // ---- filters ----

  @Test
  void filterTypeRequired() {
    assertContains(
        ruleError(FORWARD + "filters: [{recordRoute: {enabled: false}}]", "filters[0].type"),
        "required, one of [RewriteUser, RequestHeaderModifier, RewriteRequestUri, RecordRoute]");
  }

  @Test
  void filterTypeMustBeKnown() {
    assertContains(
        ruleError(FORWARD + "filters: [{type: Mirror}]", "filters[0].type"),
        "'Mirror' is not one of [RewriteUser");
  }

  @Test
  void filterNeedsTheFieldOfItsType() {
    assertContains(
        ruleError(FORWARD + "filters: [{type: RewriteUser}]", "filters[0].rewriteUser"),
        "required for type RewriteUser");
  }

  @Test
  void filterHasNoOtherField() {
    assertContains(
        ruleError(
            FORWARD
                + "filters: [{type: RecordRoute, recordRoute: {}, rewriteRequestUri: {port: 1}}]",
            "filters[0].rewriteRequestUri"),
        "not allowed with type RecordRoute");
  }

  @Test
  void stripPrefixNotNegative() {
    assertContains(
        ruleError(
            FORWARD + "filters: [{type: RewriteUser, rewriteUser: {stripPrefix: -1}}]",
            "filters[0].rewriteUser.stripPrefix"),
        "must be 0 or more (was -1)");
  }

  @Test
  void replacePatternMustCompile() {
    assertContains(
        ruleError(
            FORWARD
                + "filters: [{type: RewriteUser, rewriteUser: {replace: {pattern: '[0-9', substitution: x}}}]",
            "filters[0].rewriteUser.replace.pattern"),
        "not a valid RE2 regular expression: missing closing ]");
  }

  @Test
  void replaceNeedsPatternAndSubstitution() {
    assertContains(
        ruleError(
            FORWARD + "filters: [{type: RewriteUser, rewriteUser: {replace: {substitution: x}}}]",
            "filters[0].rewriteUser.replace.pattern"),
        "required");
    assertContains(
        ruleError(
            FORWARD + "filters: [{type: RewriteUser, rewriteUser: {replace: {pattern: x}}}]",
            "filters[0].rewriteUser.replace.substitution"),
        "required");
  }

  @Test
  void substitutionGroupsMustExist() {
    assertContains(
        ruleError(
            FORWARD
                + "filters: [{type: RewriteUser, rewriteUser: {replace: {pattern: '0(.*)', substitution: '$2'}}}]",
            "filters[0].rewriteUser.replace.substitution"),
        "$2: the pattern has 1 group");
  }

  /** What a substitution writes itself must be URI user text: no '@', space, CR or LF. */
  @Test
  void substitutionTextIsUserText() {
    for (String sub :
        List.of("$1@evil.example", "\"$1\\r\\nX-Injected: 1\"", "'a b$1'", "'<$1>'")) {
      String e =
          ruleError(
              FORWARD
                  + "filters: [{type: RewriteUser, rewriteUser: {replace: {pattern: '0(.*)', substitution: "
                  + sub
                  + "}}}]",
              "filters[0].rewriteUser.replace.substitution");
      assertContains(e, "may hold only characters allowed in a SIP URI user part");
      assertFalse(e.contains("\r") || e.contains("\n"), e);
    }
    read(
        GATEWAY
            + "---\n"
            + DISPATCHER
            + "---\n"
            + route(
                FORWARD
                    + "filters: [{type: RewriteUser, rewriteUser: {replace: {pattern: '0(.*)', substitution: '+49%2A$1;x=\\$'}}}]"));
  }

  /** Substitutions are read against their pattern as the runtime reads them (SubstitutionTest). */
  @Test
  void substitutionNamedGroupMustExist() {
    assertContains(
        ruleError(
            FORWARD
                + "filters: [{type: RewriteUser, rewriteUser: {replace: {pattern: '(?P<cc>0)(.*)', substitution: '${c}$2'}}}]",
            "filters[0].rewriteUser.replace.substitution"),
        "${c}: the pattern has no group named c");
  }

  @Test
  void addPrefixHoldsUserCharacters() {
    assertContains(
        ruleError(
            FORWARD + "filters: [{type: RewriteUser, rewriteUser: {addPrefix: 'a@b'}}]",
            "filters[0].rewriteUser.addPrefix"),
        "characters allowed in a SIP URI user part");
    assertContains(
        ruleError(
            FORWARD + "filters: [{type: RewriteUser, rewriteUser: {addPrefix: '%4'}}]",
            "filters[0].rewriteUser.addPrefix"),
        "%XX escapes");
    read(
        GATEWAY
            + "---\n"
            + DISPATCHER
            + "---\n"
            + route(
                FORWARD
                    + "filters: [{type: RewriteUser, rewriteUser: {addPrefix: \"+49%2A;p=1\"}}]"));
  }

  @Test
  void headerModifierNamesAreTokens() {
    assertContains(
        ruleError(
            FORWARD
                + "filters: [{type: RequestHeaderModifier, requestHeaderModifier: {add: [{name: 'X:A', value: a}]}}]",
            "filters[0].requestHeaderModifier.add[0].name"),
        "not a SIP header name");
    assertContains(
        ruleError(
            FORWARD
                + "filters: [{type: RequestHeaderModifier, requestHeaderModifier: {remove: ['X A']}}]",
            "filters[0].requestHeaderModifier.remove[0]"),
        "not a SIP header name");
  }

  @Test
  void headerModifierValueRequiredAndOnOneLine() {
    assertContains(
        ruleError(
            FORWARD
                + "filters: [{type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: X-A}]}}]",
            "filters[0].requestHeaderModifier.set[0].value"),
        "required");
    assertContains(
        ruleError(
            FORWARD
                + "filters: [{type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: X-A, value: \"a\\r\\nVia: x\"}]}}]",
            "filters[0].requestHeaderModifier.set[0].value"),
        "must not contain line breaks");
  }

  @Test
  void headerModifierLeavesProxyHeadersAlone() {
    for (String h : List.of("Via", "call-id", "CSeq", "v", "Record-Route")) {
      assertContains(
          ruleError(
              FORWARD
                  + "filters: [{type: RequestHeaderModifier, requestHeaderModifier: {remove: ["
                  + h
                  + "]}}]",
              "filters[0].requestHeaderModifier.remove[0]"),
          "maintained by the proxy");
    }
  }

  @Test
  void headerModifierMustDoSomething() {
    assertContains(
        ruleError(
            FORWARD + "filters: [{type: RequestHeaderModifier, requestHeaderModifier: {}}]",
            "filters[0].requestHeaderModifier"),
        "nothing to do");
  }

  @Test
  void rewriteRequestUriHost() {
    for (String h : List.of("bad_host", "[2001:db8::1]", "a..b")) {
      assertContains(
          ruleError(
              FORWARD
                  + "filters: [{type: RewriteRequestUri, rewriteRequestUri: {host: '"
                  + h
                  + "'}}]",
              "filters[0].rewriteRequestUri.host"),
          "not a host name or IP address");
    }
    read(
        GATEWAY
            + "---\n"
            + route(
                FORWARD
                    + "filters: [{type: RewriteRequestUri, rewriteRequestUri: {host: '2001:db8::1'}}]"));
  }

  @Test
  void rewriteRequestUriPort() {
    for (String port : List.of("0", "65536")) {
      assertContains(
          ruleError(
              FORWARD
                  + "filters: [{type: RewriteRequestUri, rewriteRequestUri: {port: "
                  + port
                  + "}}]",
              "filters[0].rewriteRequestUri.port"),
          "must be 1..65535 (was " + port + ")");
    }
  }

  @Test
  void rewriteRequestUriMustDoSomething() {
    assertContains(
        ruleError(
            FORWARD + "filters: [{type: RewriteRequestUri, rewriteRequestUri: {}}]",
            "filters[0].rewriteRequestUri"),
        "nothing to do");
  }

  // ---- actions ----

  @Test
  void ruleWithoutActionNamesTheRule() {
    String e = ruleError("matches: [{methods: [INVITE]}]", "");
    assertContains(e, "rule 'main' needs exactly one action");
    assertContains(e, "(has none)");
  }

  @Test
  void emptyBackendRefsIsNoAction() {
    assertContains(ruleError("backendRefs: []", ""), "(has none)");
  }

  @Test
  void ruleWithSeveralActions() {
    assertContains(
        ruleError(FORWARD + "reject: {statusCode: 403}\nrespond: {}", ""),
        "(has backendRefs, reject, respond)");
  }

  @Test
  void rejectStatus() {
    for (String code : List.of("399", "700")) {
      assertContains(
          ruleError("reject: {statusCode: " + code + "}", "reject.statusCode"),
          "must be 400..699 (was " + code + ")");
    }
  }

  @Test
  void rejectReasonOnOneLine() {
    assertContains(
        ruleError("reject: {reason: \"no\\nway\"}", "reject.reason"),
        "must not contain line breaks");
  }

  @Test
  void redirectStatus() {
    assertContains(
        ruleError(
            "redirect: {statusCode: 400, contacts: ['sip:a@example.com']}", "redirect.statusCode"),
        "must be 300..399 (was 400)");
  }

  @Test
  void redirectNeedsAContact() {
    assertContains(ruleError("redirect: {}", "redirect.contacts"), "at least one contact");
  }

  @Test
  void redirectContactsAreSipOrTelUris() {
    assertContains(
        ruleError(
            "redirect: {contacts: ['sip:a@example.com', 'http://example.com']}",
            "redirect.contacts[1]"),
        "must be a sip:, sips: or tel: URI (was http://example.com)");
  }

  @Test
  void respondStatus() {
    assertContains(
        ruleError("respond: {statusCode: 180}", "respond.statusCode"),
        "must be 200..699 (was 180)");
  }

  // ---- backendRefs ----

  @Test
  void backendRefUriOrDispatcherNotBoth() {
    assertContains(
        ruleError(
            "backendRefs: [{uri: 'sip:10.0.0.1', kind: SipDispatcher, name: pool}]",
            "backendRefs[0]"),
        "either uri or kind: SipDispatcher with name, not both");
  }

  @Test
  void backendRefNeedsUriOrDispatcher() {
    assertContains(
        ruleError("backendRefs: [{weight: 5}]", "backendRefs[0].uri"),
        "required (or kind: SipDispatcher and name)");
  }

  @Test
  void backendRefKindMustBeSipDispatcher() {
    assertContains(
        ruleError("backendRefs: [{kind: Service, name: pool}]", "backendRefs[0].kind"),
        "must be SipDispatcher (was Service)");
  }

  @Test
  void backendRefNameNeedsKind() {
    assertContains(
        ruleError("backendRefs: [{name: pool}]", "backendRefs[0].kind"), "required with name");
  }

  @Test
  void backendRefKindNeedsName() {
    assertContains(
        ruleError("backendRefs: [{kind: SipDispatcher}]", "backendRefs[0].name"), "required");
  }

  @Test
  void backendRefWeightAndPriority() {
    for (String w : List.of("-1", "1001")) {
      assertContains(
          ruleError(
              "backendRefs: [{uri: 'sip:10.0.0.1', weight: " + w + "}]", "backendRefs[0].weight"),
          "must be 0..1000 (was " + w + ")");
      assertContains(
          ruleError(
              "backendRefs: [{kind: SipDispatcher, name: pool, priority: " + w + "}]",
              "backendRefs[0].priority"),
          "must be 0..1000 (was " + w + ")");
    }
  }

  @Test
  void backendRefToAMissingDispatcher() {
    String e = ruleError("backendRefs: [{kind: SipDispatcher, name: nope}]", "backendRefs[0].name");
    assertContains(e, "no SipDispatcher 'nope' in this configuration (there is pool)");
    String none =
        errorAt(
            errors(GATEWAY + "---\n" + route("backendRefs: [{kind: SipDispatcher, name: nope}]")),
            "spec.rules[0].backendRefs[0].name");
    assertContains(none, "(there is none)");
  }

  @Test
  void backendRefToADispatcherThatIsThere() {
    Configuration c =
        read(
            GATEWAY
                + "---\n"
                + DISPATCHER
                + "---\n"
                + route("backendRefs: [{kind: SipDispatcher, name: pool}]"));
    assertEquals("pool", c.routes().get(0).spec.rules.get(0).backendRefs.get(0).name);
  }

  @Test
  void failoverCodes() {
    for (String code : List.of("200", "2xx", "50", "5XX", "700", "abc", "3xx")) {
      assertContains(
          ruleError(FORWARD + "failover: {codes: ['" + code + "']}", "failover.codes[0]"),
          "must be a status code 300..699 (\"503\") or a class 4xx, 5xx or 6xx (was " + code + ")");
    }
    read(GATEWAY + "---\n" + route(FORWARD + "failover: {codes: ['300', '699', '4xx', '6xx']}"));
    read(GATEWAY + "---\n" + route(FORWARD + "failover: {codes: []}"));
  }

  // ---- SipDispatcher ----

  @Test
  void dispatcherNeedsADestination() {
    String d =
        DISPATCHER.substring(0, DISPATCHER.indexOf("  destinations:")) + "  destinations: []\n";
    assertContains(dispatcherError(d, "spec.destinations"), "at least one destination");
  }

  @Test
  void dispatcherDestinationIsASipUriWithAnIpOrAHostName() {
    assertContains(
        dispatcherError(
            DISPATCHER.replace("sip:10.0.0.2:5060", "tel:10.0.0.2"), "spec.destinations[1].uri"),
        "must be a sip: or sips: URI (was tel:10.0.0.2)");
    assertContains(
        dispatcherError(
            DISPATCHER.replace("sip:10.0.0.2:5060", "sip:pbx_1.example.com"),
            "spec.destinations[1].uri"),
        "host must be an IP address");
    assertEquals(
        "sip:pbx.example.com",
        read(GATEWAY + "---\n" + DISPATCHER.replace("sip:10.0.0.2:5060", "sip:pbx.example.com"))
            .dispatchers()
            .get(0)
            .spec
            .destinations
            .get(1)
            .uri);
    assertContains(
        dispatcherError(DISPATCHER + "    - weight: 2\n", "spec.destinations[2].uri"), "required");
  }

  @Test
  void dispatcherDuplicateDestination() {
    assertContains(
        dispatcherError(DISPATCHER.replace("10.0.0.2", "10.0.0.1"), "spec.destinations[1].uri"),
        "duplicate destination sip:10.0.0.1:5060");
  }

  @Test
  void dispatcherDestinationWeightAndPriority() {
    assertContains(
        dispatcherError(DISPATCHER + "      weight: 1001\n", "spec.destinations[1].weight"),
        "must be 0..1000 (was 1001)");
    assertContains(
        dispatcherError(DISPATCHER + "      priority: -1\n", "spec.destinations[1].priority"),
        "must be 0..1000 (was -1)");
  }

  @Test
  void dispatcherAlgorithm() {
    assertContains(
        dispatcherError(DISPATCHER + "  algorithm: Fastest\n", "spec.algorithm"),
        "'Fastest' is not one of [RoundRobin, Weighted, Hash, LeastActive, Random, Priority]");
  }

  @Test
  void dispatcherHashKey() {
    assertContains(
        dispatcherError(DISPATCHER + "  hashKey: ToTag\n", "spec.hashKey"),
        "'ToTag' is not one of [CallID, FromUser, RequestUriUser]");
  }

  @Test
  void dispatcherProbeRanges() {
    String[][] cases = {
      {"intervalMillis: 99", "spec.probe.intervalMillis", "must be 100..3600000 (was 99)"},
      {"intervalMillis: 3600001", "spec.probe.intervalMillis", "must be 100..3600000"},
      {"timeoutMillis: 49", "spec.probe.timeoutMillis", "must be 50..60000 (was 49)"},
      {"timeoutMillis: 60001", "spec.probe.timeoutMillis", "must be 50..60000"},
      {"failureThreshold: 0", "spec.probe.failureThreshold", "must be 1..100 (was 0)"},
      {"successThreshold: 101", "spec.probe.successThreshold", "must be 1..100 (was 101)"},
    };
    for (String[] c : cases) {
      assertContains(dispatcherError(DISPATCHER + "  probe: {" + c[0] + "}\n", c[1]), c[2]);
    }
  }

  @Test
  void dispatcherProbeTimeoutBelowInterval() {
    assertContains(
        dispatcherError(
            DISPATCHER + "  probe: {intervalMillis: 1000, timeoutMillis: 1000}\n",
            "spec.probe.timeoutMillis"),
        "must be below intervalMillis (1000 >= 1000)");
  }

  @Test
  void dispatcherNamesAreUnique() {
    List<String> errors = errors(GATEWAY + "---\n" + DISPATCHER + "---\n" + DISPATCHER);
    String e = errorAt(errors, "metadata.name");
    assertTrue(e.startsWith("test.yaml: document 3 (SipDispatcher/pool): "), e);
    assertContains(e, "another SipDispatcher is named 'pool' (document 2");
  }

  /**
   * Names are unique per kind, as Kubernetes names are per resource type: a SipDispatcher and a
   * SipRoute may both be "r", and a backendRef naming "r" finds the dispatcher.
   */
  @Test
  void aDispatcherMayShareARouteName() {
    Configuration c =
        read(
            GATEWAY
                + "---\n"
                + DISPATCHER.replace("name: pool", "name: r")
                + "---\n"
                + route("backendRefs: [{kind: SipDispatcher, name: r}]"));
    assertEquals(List.of("r"), c.dispatchers().stream().map(d -> d.metadata.name).toList());
    assertEquals(List.of("r"), c.routes().stream().map(r -> r.metadata.name).toList());
    assertSame(c.dispatchers().get(0), c.dispatcher("r"));
    SipRoute.BackendRef ref = c.routes().get(0).spec.rules.get(0).backendRefs.get(0);
    assertEquals(SipDispatcher.KIND, ref.kind);
    assertSame(c.dispatcher(ref.name), c.dispatchers().get(0));
    assertEquals(
        List.of("sip:10.0.0.1:5060", "sip:10.0.0.2:5060"),
        c.dispatcher("r").spec.destinations.stream().map(d -> d.uri).toList());
  }

  @Test
  void dispatcherCommonFields() {
    List<String> errors =
        dispatcherErrors(
            DISPATCHER.replace("sbc.io/v1alpha1", "v1").replace("name: pool", "name: Pool"));
    assertContains(errorAt(errors, "apiVersion"), "must be sbc.io/v1alpha1");
    assertContains(errorAt(errors, "metadata.name"), "DNS-1123");
  }

  @Test
  void everyProblemOfEveryNewDocumentAtOnce() {
    List<String> errors =
        errors(
            GATEWAY
                + "---\n"
                + DISPATCHER.replace("10.0.0.2", "pbx_local")
                + "  algorithm: X\n"
                + "---\n"
                + route(
                    "matches: [{transports: [SCTP], listeners: [ws]}]\n"
                        + "backendRefs: [{kind: SipDispatcher, name: gone, weight: 2000}]"));
    List<String> expected =
        List.of(
            "test.yaml: document 2 (SipDispatcher/pool): spec.destinations[1].uri: host must be",
            "test.yaml: document 2 (SipDispatcher/pool): spec.algorithm: 'X' is not one of",
            "test.yaml: document 3 (SipRoute/r): spec.rules[0].matches[0].transports[0]: 'SCTP'",
            "test.yaml: document 3 (SipRoute/r): spec.rules[0].backendRefs[0].weight: must be",
            "test.yaml: document 3 (SipRoute/r): spec.rules[0].matches[0].listeners[0]: no listener",
            "test.yaml: document 3 (SipRoute/r): spec.rules[0].backendRefs[0].name: no SipDispatcher");
    for (String x : expected) {
      assertTrue(
          errors.stream().anyMatch(e -> e.startsWith(x)),
          "missing \"" + x + "\" in:\n" + String.join("\n", errors));
    }
    assertEquals(expected.size(), errors.size(), String.join("\n", errors));
  }
}
