package io.sbc.runtime.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.sbc.runtime.config.GatewayConfig;
import io.sbc.runtime.sip.message.SipLimits;
import io.sbc.runtime.sip.message.SipMessage;
import io.sbc.runtime.sip.message.SipMessageDecoder;
import io.sbc.runtime.sip.proxy.RouteAction;
import io.sbc.runtime.sip.proxy.Target;
import io.sbc.runtime.sip.transport.Flow;
import io.sbc.runtime.sip.transport.Listener;
import io.sbc.runtime.sip.transport.Protocol;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The routing conformance suite: {@code routing/conformance.tsv} lists requests and the decision
 * the table compiled from {@code routing/conformance.yaml} must take for each. Requests are built
 * as real SIP bytes and decoded by {@link SipMessageDecoder}, as the transport would.
 */
class RoutingConformanceTest {
  static final SipMessageDecoder DECODER = new SipMessageDecoder(SipLimits.DEFAULT);
  static final String DEFAULT_FROM = "sip:alice@client.example.com";

  static final Map<String, Listener> LISTENERS =
      Map.of(
          "udp", new Listener("udp", Protocol.UDP, new InetSocketAddress("127.0.0.1", 5060), null),
          "tcp", new Listener("tcp", Protocol.TCP, new InetSocketAddress("127.0.0.1", 5060), null),
          "trunk",
              new Listener("trunk", Protocol.UDP, new InetSocketAddress("127.0.0.1", 5070), null));

  /** The stand-in for the SipDispatcher "pool": always its two destinations, in order. */
  static final Function<String, DestinationPool> POOLS =
      name ->
          "pool".equals(name)
              ? (m, rnd, out) -> {
                out.add(target("sip:127.0.0.1:7001"));
                out.add(target("sip:127.0.0.1:7002"));
              }
              : null;

  static RoutingTable table;

  record Case(
      int line,
      String name,
      String method,
      String requestUri,
      String from,
      String to,
      List<String> headers,
      String source,
      String listener,
      String expected) {}

  @BeforeAll
  static void compile() throws Exception {
    GatewayConfig cfg = GatewayConfig.load(resource("conformance.yaml"), null);
    table = cfg.router(POOLS, () -> new SplittableRandom(42));
  }

  static Path resource(String name) throws Exception {
    URL u = RoutingConformanceTest.class.getResource("/routing/" + name);
    assertNotNull(u, "missing test resource routing/" + name);
    return Path.of(u.toURI());
  }

  static Target target(String uri) {
    return Target.parse(uri, null);
  }

  static List<Case> cases() throws Exception {
    List<String> lines = Files.readAllLines(resource("conformance.tsv"), StandardCharsets.UTF_8);
    List<Case> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < lines.size(); i++) {
      String l = lines.get(i);
      if (l.isBlank() || l.startsWith("#")) {
        continue;
      }
      String[] c = l.split("\t", -1);
      assertEquals(9, c.length, "conformance.tsv:" + (i + 1) + ": 9 tab-separated columns");
      assertTrue(names.add(c[0]), "conformance.tsv:" + (i + 1) + ": duplicate case " + c[0]);
      out.add(
          new Case(
              i + 1,
              c[0],
              c[1],
              c[2],
              dash(c[3], DEFAULT_FROM),
              dash(c[4], c[2]),
              "-".equals(c[5]) ? List.of() : List.of(c[5].split("\\|")),
              c[6],
              c[7],
              c[8]));
    }
    return out;
  }

  private static String dash(String v, String dflt) {
    return "-".equals(v) ? dflt : v;
  }

  /** A complete request as a UA would send it, decoded as the transport would. */
  static SipMessage request(Case c) {
    Listener l = LISTENERS.get(c.listener());
    assertNotNull(l, c.name() + ": unknown listener " + c.listener());
    String viaHost = c.source().contains(":") ? "[" + c.source() + "]" : c.source();
    StringBuilder sb = new StringBuilder();
    sb.append(c.method()).append(' ').append(c.requestUri()).append(" SIP/2.0\r\n");
    sb.append("Via: SIP/2.0/")
        .append(l.protocol().name())
        .append(' ')
        .append(viaHost)
        .append(":5060;branch=z9hG4bK-")
        .append(c.line())
        .append("\r\n");
    sb.append("Max-Forwards: 70\r\n");
    sb.append("From: <").append(c.from()).append(">;tag=f").append(c.line()).append("\r\n");
    sb.append("To: <").append(c.to()).append(">\r\n");
    sb.append("Call-ID: conformance-").append(c.line()).append("@client.example.com\r\n");
    sb.append("CSeq: 1 ").append(c.method()).append("\r\n");
    sb.append("Contact: <sip:alice@").append(viaHost).append(":5060>\r\n");
    for (String h : c.headers()) {
      sb.append(h.trim()).append("\r\n");
    }
    sb.append("Content-Length: 0\r\n\r\n");
    byte[] b = sb.toString().getBytes(StandardCharsets.UTF_8);
    SipMessage m = DECODER.decode(b, b.length, l.protocol().reliable());
    assertNotNull(m, c.name());
    assertNull(m.error(), () -> c.name() + ": the request does not decode: " + m.error());
    return m;
  }

  static Flow flow(Case c) throws Exception {
    return new Flow(
        LISTENERS.get(c.listener()),
        new InetSocketAddress(InetAddress.getByName(c.source()), 5060),
        null);
  }

  @TestFactory
  Stream<DynamicTest> conformance() throws Exception {
    List<Case> cases = cases();
    assertFalse(cases.isEmpty());
    return cases.stream()
        .map(
            c ->
                DynamicTest.dynamicTest(
                    c.name(),
                    () -> {
                      RouteAction a = table.route(request(c), flow(c));
                      check(c, a);
                    }));
  }

  /** Checks every clause of the expected decision. */
  static void check(Case c, RouteAction a) {
    String where = "conformance.tsv:" + c.line() + " " + c.name() + ": ";
    for (String clause : c.expected().split(" \\| ")) {
      String cl = clause.trim();
      int sp = cl.indexOf(' ');
      String verb = sp < 0 ? cl : cl.substring(0, sp);
      String arg = sp < 0 ? "" : cl.substring(sp + 1);
      switch (verb) {
        case "forward" -> {
          assertEquals(
              0, a.status(), where + "forwarded, not answered " + a.status() + " " + a.reason());
          checkTargets(where, arg, a.targets().stream().map(Target::uri).toList());
        }
        case "rule" -> assertEquals(arg, a.rule(), where + "deciding rule");
        case "rewrite" -> {
          String uri = a.rewrite() == null ? null : a.rewrite().requestUri();
          assertEquals("none".equals(arg) ? null : arg, uri, where + "new Request-URI");
        }
        case "header-add" -> {
          assertNotNull(a.rewrite(), where + "no rewrite");
          assertTrue(
              a.rewrite().addHeaders().contains(arg + "\r\n"),
              where + "adds " + arg + "; adds " + a.rewrite().addHeaders());
        }
        case "header-remove" -> {
          assertNotNull(a.rewrite(), where + "no rewrite");
          assertTrue(
              a.rewrite().removeHeaders().stream().anyMatch(arg::equalsIgnoreCase),
              where + "removes " + arg + "; removes " + a.rewrite().removeHeaders());
        }
        case "record-route" -> assertEquals("on".equals(arg), a.recordRoute(), where + cl);
        case "serial" -> assertFalse(a.parallel(), where + cl);
        case "parallel" -> assertTrue(a.parallel(), where + cl);
        case "fails-over" -> {
          for (String code : arg.split(",")) {
            assertTrue(
                a.failover().failsOver(Integer.parseInt(code)), where + "fails over on " + code);
          }
        }
        case "stops-on" -> {
          for (String code : arg.split(",")) {
            assertFalse(a.failover().failsOver(Integer.parseInt(code)), where + "stops on " + code);
          }
        }
        case "reject", "respond" -> {
          String[] p = arg.split(" ", 2);
          assertEquals(Integer.parseInt(p[0]), a.status(), where + "status");
          if (p.length > 1) {
            assertEquals(p[1], a.reason(), where + "reason");
          }
          assertTrue(a.targets().isEmpty(), where + "no targets");
        }
        case "redirect" -> {
          String[] p = arg.split(" ", 2);
          assertEquals(Integer.parseInt(p[0]), a.status(), where + "status");
          StringBuilder contacts = new StringBuilder();
          for (String u : p[1].split(",")) {
            contacts.append("Contact: <").append(u).append(">\r\n");
          }
          assertEquals(contacts.toString(), a.extraHeaders(), where + "Contact lines");
        }
        case "404", "403" -> {
          assertEquals(Integer.parseInt(verb), a.status(), where + "no rule: status");
          assertNull(a.rule(), where + "no rule decided, but " + a.rule());
          assertTrue(a.targets().isEmpty(), where + "no targets");
        }
        default -> fail(where + "unknown clause '" + cl + "'");
      }
    }
  }

  /** "A,B,{C/D},E": in this order, C and D in either order. */
  static void checkTargets(String where, String spec, List<String> actual) {
    List<String> got = new ArrayList<>(actual);
    int i = 0;
    for (String item : spec.split(",")) {
      if (item.startsWith("{")) {
        List<String> group = List.of(item.substring(1, item.length() - 1).split("/"));
        assertTrue(
            i + group.size() <= got.size(), where + "targets " + got + " do not match " + spec);
        assertEquals(
            new HashSet<>(group),
            new HashSet<>(got.subList(i, i + group.size())),
            where + "targets " + got + " do not match " + spec);
        i += group.size();
      } else {
        assertTrue(i < got.size(), where + "targets " + got + " do not match " + spec);
        assertEquals(item, got.get(i), where + "targets " + got + " do not match " + spec);
        i++;
      }
    }
    assertEquals(i, got.size(), where + "targets " + got + " do not match " + spec);
  }

  static Case find(String name) throws Exception {
    return cases().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
  }

  /** The configured supplier gives the same seeded generator each time: decisions replay. */
  @Test
  void seededWeightedOrderReplays() throws Exception {
    Case c = find("lcr-weighted-replace");
    SipMessage m = request(c);
    Flow f = flow(c);
    List<String> first = table.route(m, f).targets().stream().map(Target::uri).toList();
    for (int i = 0; i < 100; i++) {
      assertEquals(first, table.route(m, f).targets().stream().map(Target::uri).toList());
    }
    // The same seed through the explicit-generator entry point gives the same order too.
    List<String> explicit =
        table.route(m, f, new SplittableRandom(42)).targets().stream().map(Target::uri).toList();
    assertEquals(first, explicit);
    // And a sequence of decisions from one seeded generator replays as a sequence.
    SplittableRandom r1 = new SplittableRandom(7);
    SplittableRandom r2 = new SplittableRandom(7);
    for (int i = 0; i < 200; i++) {
      assertEquals(
          table.route(m, f, r1).targets().stream().map(Target::uri).toList(),
          table.route(m, f, r2).targets().stream().map(Target::uri).toList());
    }
  }

  /** Weights 3:1 within priority 0: the first choice splits 75/25 over 10,000 decisions. */
  @Test
  void weightedSplitIsStatisticallySound() throws Exception {
    Case c = find("lcr-weighted-replace");
    SipMessage m = request(c);
    Flow f = flow(c);
    SplittableRandom rnd = new SplittableRandom(12345);
    Map<String, Integer> firsts = new HashMap<>();
    int n = 10_000;
    for (int i = 0; i < n; i++) {
      List<Target> t = table.route(m, f, rnd).targets();
      assertEquals(4, t.size());
      // priority 1, then the weight-0 destination of priority 2, always after priority 0
      assertEquals("sip:127.0.0.1:6203", t.get(2).uri());
      assertEquals("sip:127.0.0.1:6204", t.get(3).uri());
      firsts.merge(t.get(0).uri(), 1, Integer::sum);
    }
    double heavy = firsts.getOrDefault("sip:127.0.0.1:6201", 0) / (double) n;
    double light = firsts.getOrDefault("sip:127.0.0.1:6202", 0) / (double) n;
    assertEquals(0.75, heavy, 0.02, "weight 3 of 4 first: " + firsts);
    assertEquals(0.25, light, 0.02, "weight 1 of 4 first: " + firsts);
  }

  /** Every rule of the configuration decides at least one case: the suite covers the file. */
  @Test
  void everyRuleIsExercised() throws Exception {
    Set<String> decided = new HashSet<>();
    for (Case c : cases()) {
      RouteAction a = table.route(request(c), flow(c));
      if (a.rule() != null) {
        decided.add(a.rule());
      }
    }
    Set<String> expected =
        new HashSet<>(
            List.of(
                "exact-1000-invite",
                "prefix-1",
                "prefix-12",
                "prefix-123-tcp",
                "prefix-123-vip",
                "regex-4-digits",
                "prefix-2-message",
                "exact-1234",
                "or-matches",
                "lcr-plus1",
                "lcr-plus1212",
                "lcr-plus44-weighted",
                "national",
                "premium",
                "busy-default-reason",
                "moved",
                "strip-and-prefix",
                "options-local",
                "subscribe-first",
                "partner",
                "partner-acme",
                "emergency-no-record-route",
                "yealink-rewrite-host",
                "to-sales",
                "to-support-host",
                "from-trunk-parallel",
                "trunk-listener",
                "source-v6",
                "dispatcher",
                "relay-allowed",
                "tcp-info"));
    expected.removeAll(decided);
    assertTrue(expected.isEmpty(), "rules no case reaches: " + expected);
  }
}
