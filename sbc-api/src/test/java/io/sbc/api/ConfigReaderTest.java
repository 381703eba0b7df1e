package io.sbc.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigReaderTest {
  static final String FILE = "test.yaml";

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
      """;

  static final String ROUTE =
      """
      apiVersion: sbc.io/v1alpha1
      kind: SipRoute
      metadata:
        name: to-pbx
      spec:
        parentRefs:
          - name: edge
        rules:
          - backendRefs:
              - uri: sip:127.0.0.1:15090
      """;

  static Configuration read(String yaml) {
    try {
      return ConfigReader.read(FILE, yaml);
    } catch (ConfigException e) {
      throw new AssertionError("unexpected errors:\n" + e.getMessage(), e);
    }
  }

  static List<String> errors(String yaml) {
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigReader.read(FILE, yaml));
    assertFalse(e.errors().isEmpty());
    assertEquals(String.join("\n", e.errors()), e.getMessage());
    return e.errors();
  }

  /** The one error line that names this path; fails listing all errors when there is none. */
  static String errorAt(List<String> errors, String path) {
    for (String e : errors) {
      if (e.contains(": " + path + ": ")) {
        return e;
      }
    }
    return fail("no error at " + path + " in:\n" + String.join("\n", errors));
  }

  static String twoDocs(String gateway, String route) {
    return gateway + "---\n" + route;
  }

  static Path examples() {
    String p = System.getProperty("sbc.examples");
    return p != null ? Path.of(p) : Path.of("..", "examples");
  }

  @Test
  void quickstartReads() throws IOException {
    Path file = examples().resolve("quickstart.yaml");
    String text = Files.readString(file, StandardCharsets.UTF_8);
    Configuration c = read(text);
    assertEquals(1, c.gateways().size());
    assertEquals(1, c.routes().size());
    SipGateway g = c.gateways().get(0);
    assertEquals("quickstart", g.metadata.name);
    assertEquals(2, g.spec.listeners.size());
    assertEquals("SIP-UDP", g.spec.listeners.get(0).protocol);
    assertEquals("SIP-TCP", g.spec.listeners.get(1).protocol);
    assertEquals("127.0.0.1", g.spec.listeners.get(0).address);
    assertEquals(5060, g.spec.listeners.get(0).port);
    assertEquals(List.of(c.routes().get(0)), c.routesOf(g));
    assertEquals("sip:127.0.0.1:5090", c.routes().get(0).spec.rules.get(0).backendRefs.get(0).uri);
  }

  @Test
  void defaultsApplied() {
    Configuration c = read(twoDocs(GATEWAY, ROUTE));
    SipGateway.Spec s = c.gateways().get(0).spec;
    SipGateway.Listener l = s.listeners.get(0);
    assertEquals(Defaults.LISTENER_ADDRESS, l.address);
    assertNull(l.advertisedAddress);
    assertEquals(List.of(), s.domains);
    assertEquals(Defaults.PROXY_MODE, s.proxy.mode);
    assertEquals(Defaults.MAX_FORWARDS, s.proxy.maxForwards);
    assertEquals(Defaults.T1, s.timers.t1);
    assertEquals(Defaults.T2, s.timers.t2);
    assertEquals(Defaults.T4, s.timers.t4);
    assertEquals(Defaults.TIMER_C, s.timers.timerC);
    assertEquals(32_000, s.timers.timerD);
    assertEquals(Defaults.TIMER_D, s.timers.timerD);
    assertEquals(Defaults.MAX_MESSAGE_SIZE, s.limits.maxMessageSize);
    assertEquals(Defaults.MAX_HEADERS, s.limits.maxHeaders);
    assertEquals(Defaults.MAX_TCP_CONNECTIONS, s.limits.maxTcpConnections);
    assertEquals(Defaults.MAX_OUTBOUND_TCP_CONNECTIONS, s.limits.maxOutboundTcpConnections);
    assertEquals(Defaults.MAX_TCP_CONNECTIONS_PER_SOURCE, s.limits.maxTcpConnectionsPerSource);
    assertEquals(Defaults.TCP_IDLE_TIMEOUT_SECONDS, s.limits.tcpIdleTimeoutSeconds);
    assertEquals(Defaults.TCP_MESSAGE_TIMEOUT_SECONDS, s.limits.tcpMessageTimeoutSeconds);
    assertEquals(Defaults.MAX_TCP_WRITE_QUEUE_BYTES, s.limits.maxTcpWriteQueueBytes);
    SipRoute.Rule rule = c.routes().get(0).spec.rules.get(0);
    assertEquals(Defaults.RECORD_ROUTE, rule.recordRoute);
    assertEquals(Defaults.FORKING, rule.forking);
    assertEquals(List.of(), rule.matches);
  }

  @Test
  void timerDIsReadAndBounded() {
    Configuration c = read(twoDocs(GATEWAY + "  timers:\n    timerD: 64000\n", ROUTE));
    assertEquals(64_000, c.gateways().get(0).spec.timers.timerD);
    // RFC 3261 17.1.1.2: at least 32 s on unreliable transports.
    String low =
        errorAt(
            errors(twoDocs(GATEWAY + "  timers:\n    timerD: 5000\n", ROUTE)),
            "spec.timers.timerD");
    assertTrue(low.contains("32000..600000") && low.contains("5000"), low);
    String high =
        errorAt(
            errors(twoDocs(GATEWAY + "  timers:\n    timerD: 600001\n", ROUTE)),
            "spec.timers.timerD");
    assertTrue(high.contains("32000..600000"), high);
  }

  @Test
  void timerCBelow64T1IsRefused() {
    // 64*T1 = 64000 with t1 1000: timer C 60000 would cut timer B short.
    List<String> errors =
        errors(twoDocs(GATEWAY + "  timers:\n    t1: 1000\n    timerC: 60000\n", ROUTE));
    String e = errorAt(errors, "spec.timers.timerC");
    assertTrue(e.contains("64*t1 (64000)") && e.contains("60000"), e);
    assertEquals(1, errors.size(), String.join("\n", errors));
    // From 3 minutes on, timer C is what RFC 3261 16.6 step 11 asks for, whatever T1.
    read(twoDocs(GATEWAY + "  timers:\n    t1: 5000\n    t2: 8000\n    timerC: 180000\n", ROUTE));
    read(twoDocs(GATEWAY + "  timers:\n    t1: 500\n    timerC: 32000\n", ROUTE));
  }

  @Test
  void explicitNullKeepsTheDefault() {
    Configuration c =
        read(
            twoDocs(
                GATEWAY + "  proxy:\n  timers:\n    t1:\n  domains:\n",
                ROUTE + "      recordRoute:\n      forking:\n"));
    SipGateway.Spec s = c.gateways().get(0).spec;
    assertEquals(Defaults.PROXY_MODE, s.proxy.mode);
    assertEquals(Defaults.T1, s.timers.t1);
    assertEquals(List.of(), s.domains);
    SipRoute.Rule rule = c.routes().get(0).spec.rules.get(0);
    assertEquals(Defaults.RECORD_ROUTE, rule.recordRoute);
    assertEquals(Defaults.FORKING, rule.forking);
  }

  @Test
  void everyFieldCanBeSet() {
    String yaml =
        """
        apiVersion: sbc.io/v1alpha1
        kind: SipGateway
        metadata:
          name: edge
          namespace: voice
          labels:
            app: sbc
        spec:
          listeners:
            - name: udp6
              protocol: SIP-UDP
              address: "::1"
              port: 15060
              advertisedAddress: sbc.example.com
          domains: [sbc.example.com, 192.0.2.1]
          proxy:
            mode: stateless
            maxForwards: 20
          timers: {t1: 250, t2: 2000, t4: 2500, timerC: 60000}
          limits:
            maxMessageSize: 8192
            maxHeaders: 64
            maxTcpConnections: 10
            maxOutboundTcpConnections: 20
            maxTcpConnectionsPerSource: 4
            tcpIdleTimeoutSeconds: 30
            tcpMessageTimeoutSeconds: 5
            maxTcpWriteQueueBytes: 131072
        ---
        apiVersion: sbc.io/v1alpha1
        kind: SipRoute
        metadata:
          name: r
        spec:
          parentRefs: [{name: edge, namespace: voice}]
          rules:
            - name: invites
              matches:
                - methods: [INVITE, OPTIONS]
              recordRoute: false
              forking: parallel
              backendRefs:
                - uri: sip:10.0.0.1:5070;transport=tcp
                - uri: sip:[2001:db8::1]:5070
        """;
    Configuration c = read(yaml);
    SipGateway g = c.gateways().get(0);
    assertEquals("voice", g.metadata.namespace);
    assertEquals("sbc", g.metadata.labels.get("app"));
    assertEquals("::1", g.spec.listeners.get(0).address);
    assertEquals("sbc.example.com", g.spec.listeners.get(0).advertisedAddress);
    assertEquals("stateless", g.spec.proxy.mode);
    assertEquals(60000, g.spec.timers.timerC);
    assertEquals(10, g.spec.limits.maxTcpConnections);
    assertEquals(20, g.spec.limits.maxOutboundTcpConnections);
    assertEquals(4, g.spec.limits.maxTcpConnectionsPerSource);
    assertEquals(30, g.spec.limits.tcpIdleTimeoutSeconds);
    assertEquals(5, g.spec.limits.tcpMessageTimeoutSeconds);
    assertEquals(131072, g.spec.limits.maxTcpWriteQueueBytes);
    SipRoute.Rule rule = c.routes().get(0).spec.rules.get(0);
    assertEquals(List.of("INVITE", "OPTIONS"), rule.matches.get(0).methods);
    assertFalse(rule.recordRoute);
    assertEquals("parallel", rule.forking);
    assertEquals(2, rule.backendRefs.size());
  }

  @Test
  void unknownFieldNamesFileDocumentKindAndPath() {
    List<String> errors =
        errors(twoDocs(GATEWAY.replace("protocol: SIP-UDP", "prot: SIP-UDP"), ROUTE));
    String e = errorAt(errors, "spec.listeners[0].prot");
    assertTrue(e.startsWith("test.yaml: document 1 (SipGateway/edge): "), e);
    assertTrue(e.contains("unknown field"), e);
    assertTrue(e.contains("protocol"), "lists the known fields: " + e);
    // the field it stands for is then missing, and that is reported too
    assertTrue(errorAt(errors, "spec.listeners[0].protocol").contains("required"));
  }

  @Test
  void everyUnknownFieldOfADocumentIsReported() {
    String yaml =
        """
        apiVersion: sbc.io/v1alpha1
        kind: SipGateway
        metdata:
          name: edge
        spec:
          listener: []
          listeners:
            - name: udp
              protocol: SIP-UDP
              port: 15060
              bind: 1.2.3.4
          timers:
            t3: 10
        extra: 1
        """;
    List<String> errors = errors(yaml);
    for (String path :
        List.of("metdata", "spec.listener", "spec.listeners[0].bind", "spec.timers.t3", "extra")) {
      assertTrue(errorAt(errors, path).contains("unknown field"), path);
    }
    assertTrue(errorAt(errors, "metadata.name").contains("required"));
  }

  @Test
  void wrongTypeNamesThePath() {
    List<String> errors = errors(twoDocs(GATEWAY.replace("port: 15060", "port: abc"), ROUTE));
    String e = errorAt(errors, "spec.listeners[0].port");
    assertTrue(e.startsWith("test.yaml: document 1 (SipGateway/edge): "), e);
    assertTrue(e.contains("expected an integer") && e.contains("'abc'"), e);
    assertEquals(1, errors.size(), "no second 'required' for the same field: " + errors);
  }

  @Test
  void otherWrongTypes() {
    String yaml =
        twoDocs(
            GATEWAY.replace("name: udp", "name: [udp]").replace("port: 15060", "port: 15060.5")
                + "  proxy: stateless\n  domains: example.com\n  timers:\n    t1: 99999999999\n",
            ROUTE.replace("- backendRefs:", "- recordRoute: \"true\"\n      backendRefs:"));
    List<String> errors = errors(yaml);
    assertTrue(
        errorAt(errors, "spec.listeners[0].name").contains("expected a string (was a list)"));
    assertTrue(
        errorAt(errors, "spec.listeners[0].port").contains("expected an integer (was 15060.5)"));
    assertTrue(errorAt(errors, "spec.proxy").contains("expected a mapping"));
    assertTrue(errorAt(errors, "spec.domains").contains("expected a list"));
    assertTrue(errorAt(errors, "spec.timers.t1").contains("out of range"));
    assertTrue(errorAt(errors, "spec.rules[0].recordRoute").contains("expected true or false"));
    assertEquals(6, errors.size(), String.join("\n", errors));
  }

  @Test
  void numberWhereAStringIsExpected() {
    List<String> errors = errors(twoDocs(GATEWAY.replace("name: edge", "name: 42"), ROUTE));
    assertTrue(errorAt(errors, "metadata.name").contains("quote it"));
  }

  @Test
  void unknownKind() {
    List<String> errors =
        errors(twoDocs(GATEWAY, ROUTE.replace("kind: SipRoute", "kind: SipRoot")));
    assertEquals(1, errors.size(), String.join("\n", errors));
    String e = errors.get(0);
    assertTrue(
        e.startsWith("test.yaml: document 2 (SipRoot/to-pbx): kind: unknown kind 'SipRoot'"), e);
    assertTrue(e.contains("SipGateway, SipRoute or SipDispatcher"), e);
  }

  @Test
  void missingKind() {
    String e = errors(twoDocs(GATEWAY, ROUTE.replace("kind: SipRoute\n", ""))).get(0);
    assertTrue(e.startsWith("test.yaml: document 2 (?/to-pbx): kind: required"), e);
  }

  @Test
  void wrongApiVersion() {
    List<String> errors = errors(twoDocs(GATEWAY.replace("sbc.io/v1alpha1", "sbc.io/v1"), ROUTE));
    String e = errorAt(errors, "apiVersion");
    assertTrue(e.startsWith("test.yaml: document 1 (SipGateway/edge): apiVersion: "), e);
    assertTrue(e.contains("sbc.io/v1alpha1") && e.contains("sbc.io/v1)"), e);
  }

  @Test
  void missingMetadataName() {
    List<String> errors = errors(twoDocs(GATEWAY, ROUTE.replace("  name: to-pbx\n", "")));
    String e = errorAt(errors, "metadata.name");
    assertTrue(e.startsWith("test.yaml: document 2 (SipRoute/?): metadata.name: required"), e);
  }

  @Test
  void badMetadataName() {
    assertTrue(
        errorAt(
                errors(twoDocs(GATEWAY, ROUTE.replace("name: to-pbx", "name: To_PBX"))),
                "metadata.name")
            .contains("DNS-1123"));
  }

  @Test
  void badProtocol() {
    String e =
        errorAt(
            errors(twoDocs(GATEWAY.replace("SIP-UDP", "SIP-SCTP"), ROUTE)),
            "spec.listeners[0].protocol");
    assertTrue(e.contains("'SIP-SCTP' is not one of [SIP-UDP, SIP-TCP, "), e);
  }

  @Test
  void portOutOfRange() {
    for (String port : List.of("0", "70000", "-1")) {
      String e =
          errorAt(errors(twoDocs(GATEWAY.replace("15060", port), ROUTE)), "spec.listeners[0].port");
      assertTrue(e.contains("must be 1..65535 (was " + port + ")"), e);
    }
  }

  @Test
  void tcpLimitsOutOfRangeNameTheirField() {
    List<String> errors =
        errors(
            twoDocs(
                GATEWAY
                    + """
                      limits:
                        maxOutboundTcpConnections: 0
                        maxTcpConnectionsPerSource: 0
                        tcpMessageTimeoutSeconds: 3601
                        maxTcpWriteQueueBytes: 1024
                    """,
                ROUTE));
    assertTrue(
        errorAt(errors, "spec.limits.maxOutboundTcpConnections")
            .contains("must be 1..1000000 (was 0)"));
    assertTrue(
        errorAt(errors, "spec.limits.maxTcpConnectionsPerSource")
            .contains("must be 1..1000000 (was 0)"));
    assertTrue(
        errorAt(errors, "spec.limits.tcpMessageTimeoutSeconds")
            .contains("must be 1..3600 (was 3601)"));
    assertTrue(
        errorAt(errors, "spec.limits.maxTcpWriteQueueBytes")
            .contains("must be 65535..8388608 (was 1024)"));
    assertEquals(4, errors.size(), String.join("\n", errors));
  }

  @Test
  void missingPortAndBadAddress() {
    List<String> errors =
        errors(twoDocs(GATEWAY.replace("port: 15060", "address: localhost"), ROUTE));
    assertTrue(errorAt(errors, "spec.listeners[0].port").contains("required"));
    assertTrue(errorAt(errors, "spec.listeners[0].address").contains("IPv4 or IPv6"));
  }

  /** The listener with advertisedAddress set to the YAML scalar given (quoted as needed). */
  static String advertising(String yamlScalar) {
    return GATEWAY + "      advertisedAddress: " + yamlScalar + "\n";
  }

  /**
   * advertisedAddress is written into every Via and Record-Route: a host name or an IP literal,
   * IPv6 without brackets as in address (the runtime brackets it in URIs).
   */
  @Test
  void advertisedAddressIsAHostNameOrAnIpAddress() {
    for (String ok :
        List.of(
            "sbc.example.com",
            "sbc.example.com.",
            "sbc-1.voice.example",
            "203.0.113.5",
            "\"2001:db8::5\"",
            "\"::ffff:192.0.2.1\"",
            "\"2001:DB8:0:0:0:0:0:5\"")) {
      String expected = ok.replace("\"", "");
      assertEquals(
          expected,
          read(twoDocs(advertising(ok), ROUTE))
              .gateways()
              .get(0)
              .spec
              .listeners
              .get(0)
              .advertisedAddress);
    }
    for (String bad :
        List.of(
            "\"sbc example.com\"",
            "\"sbc.example.com:5060\"",
            "\"sip:sbc.example.com\"",
            "-sbc.example.com",
            "sbc..example.com",
            "sbc_1.example.com",
            "example.123",
            "\"256.1.1.1\"",
            "\"1.2.3\"",
            "\"01.2.3.4\"",
            "\"fe80::1%eth0\"",
            "\"2001:db8:::192.0.2.1\"",
            "\"\"")) {
      String e =
          errorAt(errors(twoDocs(advertising(bad), ROUTE)), "spec.listeners[0].advertisedAddress");
      assertTrue(
          e.contains("must be a host name or an IPv4 or IPv6 address (IPv6 without brackets)"), e);
    }
    String e =
        errorAt(
            errors(twoDocs(advertising("\"[2001:db8::5]\""), ROUTE)),
            "spec.listeners[0].advertisedAddress");
    assertTrue(
        e.endsWith("write an IPv6 address without brackets, as in address: \"[2001:db8::5]\""), e);
  }

  /**
   * A CR LF in advertisedAddress would add a header of the writer's choosing to every request the
   * SBC forwards; it is refused, the error showing the line break rather than breaking the log.
   */
  @Test
  void advertisedAddressLineBreakIsRefused() {
    List<String> errors =
        errors(twoDocs(advertising("\"sbc.example.com\\r\\nX-Injected: 1\""), ROUTE));
    String e = errorAt(errors, "spec.listeners[0].advertisedAddress");
    assertTrue(e.endsWith(": \"sbc.example.com\\r\\nX-Injected: 1\""), e);
    assertFalse(e.contains("\r") || e.contains("\n"), e);
    assertEquals(1, errors.size(), errors.toString());
    errors = errors(twoDocs(advertising("\"203.0.113.5\\n\""), ROUTE));
    assertTrue(
        errorAt(errors, "spec.listeners[0].advertisedAddress").endsWith("\"203.0.113.5\\n\""));
  }

  @Test
  void noListeners() {
    String gw = GATEWAY.substring(0, GATEWAY.indexOf("  listeners:")) + "  listeners: []\n";
    assertTrue(errorAt(errors(twoDocs(gw, ROUTE)), "spec.listeners").contains("at least one"));
  }

  @Test
  void duplicateListener() {
    String gw = GATEWAY + "    - name: udp\n      protocol: SIP-UDP\n      port: 15060\n";
    List<String> errors = errors(twoDocs(gw, ROUTE));
    assertTrue(errorAt(errors, "spec.listeners[1].name").contains("duplicate listener name"));
    assertTrue(errorAt(errors, "spec.listeners[1]").contains("another listener already serves"));
  }

  @Test
  void backendUriMustBeSip() {
    for (String uri : List.of("http://127.0.0.1:15090", "tel:127.0.0.1", "127.0.0.1:15090")) {
      String e =
          errorAt(
              errors(twoDocs(GATEWAY, ROUTE.replace("sip:127.0.0.1:15090", uri))),
              "spec.rules[0].backendRefs[0].uri");
      assertTrue(e.startsWith("test.yaml: document 2 (SipRoute/to-pbx): "), e);
      assertTrue(e.contains("must be a sip: or sips: URI"), e);
    }
  }

  @Test
  void backendHostIsAnIpOrAHostNameKeptAsAName() {
    String e =
        errorAt(
            errors(twoDocs(GATEWAY, ROUTE.replace("sip:127.0.0.1:15090", "sip:pbx_1.example.com"))),
            "spec.rules[0].backendRefs[0].uri");
    assertTrue(e.contains("host must be an IP address (IPv6 in brackets) or a host name"), e);
    for (String uri :
        List.of("sip:trunk.example.com", "sip:pbx.example.com:5070;transport=tcp", "sip:[::1]")) {
      Configuration c = read(twoDocs(GATEWAY, ROUTE.replace("sip:127.0.0.1:15090", uri)));
      assertEquals(uri, c.routes().get(0).spec.rules.get(0).backendRefs.get(0).uri);
    }
  }

  @Test
  void dnsServersAreIpAddressesWithPorts() {
    Configuration c =
        read(
            twoDocs(
                GATEWAY
                    + "  dns:\n    servers: [\"127.0.0.1:5353\", \"192.0.2.53\", \"[::1]:53\"]\n"
                    + "    negativeCacheSeconds: 5\n",
                ROUTE));
    SipGateway.Dns d = c.gateways().get(0).spec.dns;
    assertEquals(List.of("127.0.0.1:5353", "192.0.2.53", "[::1]:53"), d.servers);
    assertEquals(5, d.negativeCacheSeconds);
    assertEquals(Defaults.DNS_QUERY_TIMEOUT_MILLIS, d.queryTimeoutMillis);
    List<String> errors =
        errors(
            twoDocs(
                GATEWAY
                    + "  dns:\n    servers: [\"ns.example.com\", \"127.0.0.1:0\", \"::1:53:\"]\n"
                    + "    queryTimeoutMillis: 10\n",
                ROUTE));
    for (int i = 0; i < 3; i++) {
      assertTrue(
          errorAt(errors, "spec.dns.servers[" + i + "]").contains("must be an IP address"),
          errors.toString());
    }
    assertTrue(errorAt(errors, "spec.dns.queryTimeoutMillis").contains("must be 100..30000"));
  }

  @Test
  void forkingValue() {
    String e =
        errorAt(
            errors(
                twoDocs(
                    GATEWAY,
                    ROUTE.replace("- backendRefs:", "- forking: sequential\n      backendRefs:"))),
            "spec.rules[0].forking");
    assertTrue(e.contains("must be serial or parallel (was sequential)"), e);
  }

  @Test
  void badMethod() {
    String e =
        errorAt(
            errors(
                twoDocs(
                    GATEWAY,
                    ROUTE.replace(
                        "- backendRefs:",
                        "- matches: [{methods: [INVITE, \"BY E\"]}]\n      backendRefs:"))),
            "spec.rules[0].matches[0].methods[1]");
    assertTrue(e.contains("not a SIP method"), e);
  }

  @Test
  void sectionNameMustNameAListenerOfTheGateway() throws Exception {
    Configuration ok =
        ConfigReader.read(
            "test.yaml",
            twoDocs(
                GATEWAY, ROUTE.replace("- name: edge", "- name: edge\n      sectionName: udp")));
    assertEquals("udp", ok.routes().get(0).spec.parentRefs.get(0).sectionName);
    List<String> errors =
        errors(
            twoDocs(
                GATEWAY, ROUTE.replace("- name: edge", "- name: edge\n      sectionName: tls")));
    assertEquals(1, errors.size(), String.join("\n", errors));
    String e = errors.get(0);
    assertTrue(e.contains("spec.parentRefs[0].sectionName: "), e);
    assertTrue(e.contains("has no listener 'tls'") && e.contains("udp"), e);
  }

  @Test
  void parentRefToMissingGateway() {
    List<String> errors = errors(twoDocs(GATEWAY, ROUTE.replace("- name: edge", "- name: core")));
    assertEquals(1, errors.size(), String.join("\n", errors));
    String e = errors.get(0);
    assertTrue(
        e.startsWith("test.yaml: document 2 (SipRoute/to-pbx): spec.parentRefs[0].name: "), e);
    assertTrue(e.contains("no SipGateway 'core'") && e.contains("edge"), e);
  }

  @Test
  void noGateway() {
    List<String> errors = errors(ROUTE);
    assertTrue(
        errors.stream()
            .anyMatch(e -> e.equals("test.yaml: no SipGateway document: nothing to serve")),
        errors.toString());
  }

  @Test
  void emptyFile() {
    assertEquals(List.of("test.yaml: no SipGateway document: nothing to serve"), errors(""));
  }

  @Test
  void duplicateNames() {
    List<String> errors = errors(twoDocs(GATEWAY, ROUTE) + "---\n" + GATEWAY);
    String e = errorAt(errors, "metadata.name");
    assertTrue(e.startsWith("test.yaml: document 3 (SipGateway/edge): "), e);
    assertTrue(e.contains("another SipGateway is named 'edge' (document 1"), e);
  }

  @Test
  void notAMapping() {
    String e = errors(twoDocs(GATEWAY, ROUTE) + "---\n- a\n- b\n").get(0);
    assertTrue(e.startsWith("test.yaml: document 3: expected a mapping (was a list)"), e);
  }

  @Test
  void emptyListEntry() {
    List<String> errors = errors(twoDocs(GATEWAY + "    -\n", ROUTE));
    assertTrue(errorAt(errors, "spec.listeners[1]").contains("empty list entry"));
    assertEquals(1, errors.size(), String.join("\n", errors));
  }

  @Test
  void allProblemsOfAllDocumentsAtOnce() {
    String yaml =
        twoDocs(
                GATEWAY
                        .replace("protocol: SIP-UDP", "prot: SIP-UDP")
                        .replace("port: 15060", "port: 70000")
                    + "  timers:\n    t1: fast\n",
                ROUTE
                    .replace("sbc.io/v1alpha1", "v1")
                    .replace("sip:127.0.0.1:15090", "tel:+123")
                    .replace(
                        "- backendRefs:", "- forking: all\n      weight: 3\n      backendRefs:"))
            + "---\nkind: Service\nmetadata: {name: x}\n";
    List<String> errors = errors(yaml);
    String d1 = "test.yaml: document 1 (SipGateway/edge): ";
    String d2 = "test.yaml: document 2 (SipRoute/to-pbx): ";
    String d3 = "test.yaml: document 3 (Service/x): ";
    List<String> expected =
        List.of(
            d1 + "spec.listeners[0].prot: unknown field",
            d1 + "spec.listeners[0].protocol: required",
            d1 + "spec.listeners[0].port: must be 1..65535 (was 70000)",
            d1 + "spec.timers.t1: expected an integer (was 'fast')",
            d2 + "apiVersion: must be sbc.io/v1alpha1",
            d2 + "spec.rules[0].weight: unknown field",
            d2 + "spec.rules[0].forking: must be serial or parallel",
            d2 + "spec.rules[0].backendRefs[0].uri: must be a sip: or sips: URI",
            d3 + "kind: unknown kind 'Service'");
    for (String x : expected) {
      assertTrue(
          errors.stream().anyMatch(e -> e.startsWith(x)),
          "missing \"" + x + "\" in:\n" + String.join("\n", errors));
    }
    assertEquals(expected.size(), errors.size(), String.join("\n", errors));
  }

  @Test
  void invalidYamlGivesLineAndColumn() {
    String yaml = GATEWAY.replace("  name: edge", "  name: [edge");
    List<String> errors = errors(yaml);
    assertEquals(1, errors.size(), errors.toString());
    String e = errors.get(0);
    assertTrue(e.startsWith("test.yaml: document 1: line "), e);
    assertTrue(e.contains("column") && e.contains("not valid YAML"), e);
  }

  @Test
  void invalidYamlInALaterDocumentStillReportsTheEarlierOnes() {
    String yaml = twoDocs(GATEWAY.replace("15060", "0"), "a: [\n");
    List<String> errors = errors(yaml);
    errorAt(errors, "spec.listeners[0].port");
    String last = errors.get(errors.size() - 1);
    assertTrue(last.startsWith("test.yaml: document 2: line "), last);
    assertEquals(2, errors.size(), String.join("\n", errors));
  }

  @Test
  void tabIndentationIsASyntaxError() {
    String e = errors("kind: SipGateway\nspec:\n\tlisteners: []\n").get(0);
    assertTrue(e.matches("test\\.yaml: document 1: line 3, column \\d+: not valid YAML: .*"), e);
  }

  @Test
  void duplicateKeyIsAnError() {
    String e =
        errors(twoDocs(GATEWAY + "  proxy: {mode: stateless}\n  proxy: {mode: stateful}\n", ROUTE))
            .get(0);
    assertTrue(e.contains("line ") && e.contains("proxy"), e);
  }
}
