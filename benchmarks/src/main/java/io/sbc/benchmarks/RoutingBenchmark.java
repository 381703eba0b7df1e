package io.sbc.benchmarks;

import io.sbc.api.SipRoute;
import io.sbc.runtime.routing.RouteCompiler;
import io.sbc.runtime.routing.RoutingTable;
import io.sbc.runtime.sip.message.SipLimits;
import io.sbc.runtime.sip.message.SipMessage;
import io.sbc.runtime.sip.message.SipMessageDecoder;
import io.sbc.runtime.sip.proxy.RouteAction;
import io.sbc.runtime.sip.proxy.Target;
import io.sbc.runtime.sip.transport.Flow;
import io.sbc.runtime.sip.transport.Listener;
import io.sbc.runtime.sip.transport.Protocol;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The whole routing decision for a parsed INVITE against a compiled table of N prefix rules (an LCR
 * table): Request-URI user extraction, the exact index, the prefix trie (every stored prefix of the
 * number, longest first), the rule's conditions, the target order and the result. Sampled per call,
 * so JMH reports percentiles (p50, p90, p99, p99.9).
 *
 * <p>The rules are SipRoute model objects compiled by {@link RouteCompiler}, as a configuration
 * file's would be: prefixes of 2..10 digits, each with a priority-0 and a priority-1 carrier. Run
 * with bench/jmh.sh.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class RoutingBenchmark {
  /** How many prefix rules the table holds. */
  @Param({"100000", "1000000"})
  public int prefixes;

  /** How many different INVITEs (Request-URI users) the decisions cycle through. */
  static final int MESSAGES = 512;

  RoutingTable table;
  SipMessage[] invites;
  Flow flow;

  @Setup(Level.Trial)
  public void setup() {
    SplittableRandom rnd = new SplittableRandom(20_240_601L);
    MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
    long heapBefore = usedHeapAfterGc(mem);
    long t0 = System.nanoTime();
    List<SipRoute> routes = List.of(lcrRoute(prefixes, rnd));
    long t1 = System.nanoTime();
    table = compile(routes);
    long t2 = System.nanoTime();
    routes = null; // the model is garbage once compiled, as in the runtime
    long heapAfter = usedHeapAfterGc(mem);
    System.out.printf(
        "%n[routing] %,d prefix rules: model built in %,d ms, compiled in %,d ms;"
            + " table retains %,d MB of heap (%,d bytes per rule)%n",
        prefixes,
        (t1 - t0) / 1_000_000,
        (t2 - t1) / 1_000_000,
        (heapAfter - heapBefore) >> 20,
        (heapAfter - heapBefore) / prefixes);

    Listener l = new Listener("udp", Protocol.UDP, new InetSocketAddress("127.0.0.1", 5060), null);
    flow = new Flow(l, new InetSocketAddress("192.0.2.10", 5060), null);
    SipMessageDecoder decoder = new SipMessageDecoder(SipLimits.DEFAULT);
    invites = new SipMessage[MESSAGES];
    int forwarded = 0;
    for (int i = 0; i < MESSAGES; i++) {
      String user = "+" + digits(rnd, 11 + rnd.nextInt(3));
      byte[] b = invite(user, i).getBytes(StandardCharsets.UTF_8);
      SipMessage m = decoder.decode(b, b.length, false);
      if (m == null || m.error() != null) {
        throw new IllegalStateException(
            "INVITE does not decode: " + (m == null ? null : m.error()));
      }
      invites[i] = m;
      if (table.route(m, flow).status() == 0) {
        forwarded++;
      }
    }
    System.out.printf(
        "[routing] %d INVITEs, %d of them routed by a prefix rule%n", MESSAGES, forwarded);
  }

  /** One SipRoute with {@code n} prefix rules: "+" and 2..10 digits, two carriers each. */
  static SipRoute lcrRoute(int n, SplittableRandom rnd) {
    SipRoute route = new SipRoute();
    route.apiVersion = SipRoute.API_VERSION;
    route.kind = SipRoute.KIND;
    route.metadata.name = "lcr";
    SipRoute.ParentRef parent = new SipRoute.ParentRef();
    parent.name = "bench";
    route.spec.parentRefs.add(parent);
    List<SipRoute.Rule> rules = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      SipRoute.Rule r = new SipRoute.Rule();
      r.name = "p" + i;
      SipRoute.Match m = new SipRoute.Match();
      m.methods = List.of("INVITE");
      m.requestUri = new SipRoute.UriMatch();
      m.requestUri.user = new SipRoute.StringMatch();
      m.requestUri.user.type = "Prefix";
      m.requestUri.user.value = "+" + digits(rnd, 2 + rnd.nextInt(9));
      r.matches = List.of(m);
      int carrier = rnd.nextInt(CARRIERS);
      r.backendRefs = List.of(backend(carrier, 0), backend((carrier + 1) % CARRIERS, 1));
      rules.add(r);
    }
    route.spec.rules = rules;
    return route;
  }

  static final int CARRIERS = 32;

  static SipRoute.BackendRef backend(int carrier, int priority) {
    SipRoute.BackendRef b = new SipRoute.BackendRef();
    b.uri = "sip:10.0." + (carrier / 8) + "." + (10 + carrier % 8) + ":5060";
    b.priority = priority;
    return b;
  }

  /** Compiled as GatewayConfig.router does, static URIs resolved once per distinct URI. */
  static RoutingTable compile(List<SipRoute> routes) {
    Map<String, Target> targets = new HashMap<>();
    RouteCompiler c =
        new RouteCompiler(
            Set.of("127.0.0.1", "sbc.example.com"),
            name -> null,
            uri -> targets.computeIfAbsent(uri, RoutingBenchmark::target),
            ThreadLocalRandom::current);
    RoutingTable t = c.compile(routes);
    if (!c.errors().isEmpty()) {
      throw new IllegalStateException(c.errors().subList(0, 1).toString());
    }
    return t;
  }

  static Target target(String uri) {
    return Target.destination(uri, null);
  }

  static String digits(SplittableRandom rnd, int n) {
    char[] c = new char[n];
    for (int i = 0; i < n; i++) {
      c[i] = (char) ('0' + rnd.nextInt(10));
    }
    return new String(c);
  }

  static String invite(String user, int i) {
    return "INVITE sip:"
        + user
        + "@sbc.example.com;user=phone SIP/2.0\r\n"
        + "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-bench-"
        + i
        + "\r\n"
        + "Max-Forwards: 70\r\n"
        + "From: <sip:alice@client.example.com>;tag=a"
        + i
        + "\r\n"
        + "To: <sip:"
        + user
        + "@sbc.example.com;user=phone>\r\n"
        + "Call-ID: bench-"
        + i
        + "@client.example.com\r\n"
        + "CSeq: 1 INVITE\r\n"
        + "Contact: <sip:alice@192.0.2.10:5060>\r\n"
        + "Content-Type: application/sdp\r\n"
        + "Content-Length: 0\r\n\r\n";
  }

  static long usedHeapAfterGc(MemoryMXBean mem) {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return mem.getHeapMemoryUsage().getUsed();
  }

  /** Which INVITE the next decision is for (per thread). */
  @State(Scope.Thread)
  public static class Cursor {
    int next;
  }

  @Benchmark
  public RouteAction route(Cursor c) {
    SipMessage m = invites[c.next];
    c.next = (c.next + 1) & (MESSAGES - 1);
    return table.route(m, flow);
  }
}
