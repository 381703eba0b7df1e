package io.sbc.runtime.dispatcher;

import static io.sbc.runtime.dispatcher.Docs.doc;
import static io.sbc.runtime.dispatcher.Docs.invite;
import static io.sbc.runtime.dispatcher.Docs.uris;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sbc.api.SipDispatcher;
import io.sbc.runtime.sip.message.SipMessage;
import io.sbc.runtime.sip.proxy.ActiveCalls;
import io.sbc.runtime.sip.proxy.CallEvents;
import io.sbc.runtime.sip.proxy.Responses;
import io.sbc.runtime.sip.proxy.Target;
import io.sbc.runtime.sip.timer.ManualClock;
import io.sbc.runtime.sip.transaction.ClientTransaction;
import io.sbc.runtime.sip.transaction.MessageSender;
import io.sbc.runtime.sip.transaction.TimerSettings;
import io.sbc.runtime.sip.transaction.TransactionLayer;
import io.sbc.runtime.sip.transport.Flow;
import io.sbc.runtime.sip.transport.Listener;
import io.sbc.runtime.sip.transport.Loop;
import io.sbc.runtime.sip.transport.Protocol;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Health from OPTIONS probes on a manual clock, call tracking, and state kept over reloads. */
class DispatcherProbeTest {

  // --- the proxy's call events, as the proxy emits them ---------------------------------------

  final DispatcherEvents events = new DispatcherEvents();

  record TestCall(String callId, String method) implements CallEvents.Call {
    @Override
    public String rule() {
      return null;
    }

    @Override
    public long startedAt() {
      return 0;
    }
  }

  void started(Destination d, String method, String callId) {
    events.branchStarted(new TestCall(callId, method), d.target());
  }

  /** A branch ends; an answered INVITE becomes an active call, as the proxy records it. */
  void ended(Destination d, String method, String callId, int status) {
    TestCall c = new TestCall(callId, method);
    events.branchEnded(c, d.target(), status);
    if (method.equals("INVITE") && status >= 200 && status < 300) {
      calls.answered(c, d.target());
    }
  }

  static final String A = "sip:10.0.0.1";
  static final String B = "sip:10.0.0.2:5070";
  static final String T = "sip:10.0.0.3;transport=tcp";

  final ManualClock clock = new ManualClock(0);
  final Loop loop = new Loop(0, null, null, clock);
  final List<Sent> sent = new ArrayList<>();
  boolean failSends;
  final MessageSender sender =
      (l, flow, data, onFailure) -> {
        sent.add(new Sent(flow, Docs.DECODER.decode(data, data.length, false)));
        if (failSends && onFailure != null) {
          l.execute(onFailure);
        }
      };
  final TransactionLayer tl =
      new TransactionLayer(sender, new TimerSettings(500, 4000, 5000, 180000));
  final Listener udp =
      new Listener("udp", Protocol.UDP, new InetSocketAddress("192.0.2.10", 5060), null);
  final Listener tcp =
      new Listener("tcp", Protocol.TCP, new InetSocketAddress("192.0.2.10", 5061), null);
  int branches;
  final ProbeEnvironment env =
      new ProbeEnvironment(
          loop,
          tl,
          List.of(udp, tcp),
          () -> "z9hG4bK-sbcT-p" + (++branches),
          new io.sbc.runtime.sip.transport.SourceAddresses());
  final ActiveCalls calls = new ActiveCalls(clock, 3_600_000, events);

  record Sent(Flow flow, SipMessage message) {}

  /** interval 1000, timeout 300, 2 failures out, {@code successes} successes back. */
  SipDispatcher probed(int successes, String... destinations) {
    SipDispatcher d = doc("pool", "RoundRobin", destinations);
    d.spec.probe.intervalMillis = 1000;
    d.spec.probe.timeoutMillis = 300;
    d.spec.probe.failureThreshold = 2;
    d.spec.probe.successThreshold = successes;
    return d;
  }

  void advance(long ms) {
    clock.advance(ms);
    loop.timers().advance();
  }

  /** The OPTIONS sent since the last call, cleared. */
  List<Sent> probes() {
    List<Sent> out = new ArrayList<>();
    for (Sent s : sent) {
      if ("OPTIONS".equals(s.message.method())) {
        out.add(s);
      }
    }
    sent.clear();
    return out;
  }

  /** Answers a probe as its destination would, through the transaction layer as the proxy does. */
  void answer(Sent probe, int status) {
    SipMessage req = probe.message;
    ClientTransaction tx = tl.findClient(req.topVia().branch());
    assertNotNull(tx, "a transaction awaits the answer");
    byte[] b = Responses.build(req, status, "Whatever", "t1", null);
    tx.onResponse(Docs.DECODER.decode(b, b.length, false));
  }

  static List<String> select(Dispatcher d) {
    List<Target> out = new ArrayList<>();
    d.select(invite("c"), new SplittableRandom(1), out);
    return uris(out);
  }

  @Test
  void probesAreWellFormedOptionsFromTheRightListener() {
    Dispatcher d = Dispatcher.create(probed(1, A, T));
    d.startProbing(env);
    advance(0);
    List<Sent> p = probes();
    assertEquals(2, p.size());
    SipMessage m = p.get(0).message;
    assertNull(m.error());
    assertEquals("OPTIONS", m.method());
    assertEquals(A, m.text(m.uriStart(), m.uriEnd()));
    assertEquals("192.0.2.10", m.topVia().host());
    assertEquals(5060, m.topVia().port());
    assertTrue(m.topVia().branch().startsWith("z9hG4bK-sbcT-p"));
    assertNotNull(m.fromTag());
    assertNotNull(m.callId());
    assertEquals("OPTIONS", m.cseqMethod());
    assertEquals(70, m.maxForwards());
    assertSame(udp, p.get(0).flow.listener());
    assertEquals(new InetSocketAddress("10.0.0.1", 5060), p.get(0).flow.remote());
    assertSame(tcp, p.get(1).flow.listener());
    assertEquals("TCP", p.get(1).message.topVia().transport());
    assertEquals(5061, p.get(1).message.topVia().port());
    answer(p.get(0), 200);
    answer(p.get(1), 404); // any answer but 5xx/6xx shows it alive
    assertEquals(DestinationState.ACTIVE, d.destinations().get(1).state());
    advance(999);
    assertEquals(0, probes().size());
    advance(1);
    assertEquals(2, probes().size(), "the next round after the interval");
    assertEquals(2, d.snapshot().get(0).probesSent());
  }

  @Test
  void aDestinationNamedByHostNameIsProbedAtItsFirstResolvedHop() {
    io.sbc.runtime.sip.locate.Zone zone =
        new io.sbc.runtime.sip.locate.Zone()
            .srv(
                "_sip._udp.pbx.test",
                60,
                new io.sbc.runtime.sip.locate.SrvRecord(10, 0, 5070, "pbx1.pbx.test."),
                new io.sbc.runtime.sip.locate.SrvRecord(20, 0, 5080, "pbx2.pbx.test."))
            .a("pbx1.pbx.test.", 60, "10.0.0.7")
            .a("pbx2.pbx.test.", 60, "10.0.0.8")
            .hold();
    ProbeEnvironment named =
        new ProbeEnvironment(
            loop,
            tl,
            List.of(udp, tcp),
            () -> "z9hG4bK-sbcT-p" + (++branches),
            new io.sbc.runtime.sip.transport.SourceAddresses(),
            new io.sbc.runtime.sip.locate.DnsResolver(
                zone,
                io.sbc.runtime.sip.locate.DnsSettings.DEFAULT,
                List.of(udp, tcp),
                clock,
                () -> new SplittableRandom(3)));
    Dispatcher d = Dispatcher.create(probed(1, "sip:pbx.test", "sip:nowhere.test"));
    d.startProbing(named);
    advance(0);
    assertEquals(0, probes().size(), "no probe before the names resolve");
    zone.release();
    List<Sent> p = probes();
    assertEquals(1, p.size());
    assertEquals(new InetSocketAddress("10.0.0.7", 5070), p.get(0).flow.remote());
    assertEquals(
        "sip:pbx.test",
        p.get(0).message.text(p.get(0).message.uriStart(), p.get(0).message.uriEnd()));
    answer(p.get(0), 200);
    assertEquals(DestinationState.ACTIVE, d.destinations().get(0).state());
    Destination nowhere = d.destinations().get(1);
    assertEquals(1, d.snapshot().get(1).probeFailures(), "a name without records fails its probe");
    advance(1000);
    assertEquals(1, probes().size(), "cached: the next round probes at once");
    assertEquals(0, zone.heldCount(), "and asks nothing (the negative answer is cached too)");
    assertEquals(DestinationState.INACTIVE, nowhere.state(), "two rounds unresolved: out");
    assertTrue(nowhere.reason().startsWith("not resolved: host nowhere.test"), nowhere.reason());
  }

  @Test
  void failingProbesTakeItOutAndSuccessesBringItBack() {
    Dispatcher d = Dispatcher.create(probed(2, A, B));
    Destination a = d.destinations().get(0);
    d.startProbing(env);
    advance(0);
    List<Sent> p = probes();
    answer(p.get(0), 503);
    answer(p.get(1), 200);
    // One failure below the threshold only counts: a lost probe does not take it out.
    assertEquals(DestinationState.ACTIVE, a.state());
    assertEquals(1, d.snapshot().get(0).probeFailures());
    advance(1000);
    p = probes();
    answer(p.get(0), 500);
    answer(p.get(1), 200);
    assertEquals(DestinationState.INACTIVE, a.state());
    assertEquals("500 from probe", a.reason());
    advance(1000);
    p = probes();
    answer(p.get(0), 200);
    answer(p.get(1), 200);
    assertEquals(DestinationState.INACTIVE, a.state(), "one success of the two needed");
    advance(1000);
    p = probes();
    answer(p.get(0), 200);
    answer(p.get(1), 200);
    assertEquals(DestinationState.ACTIVE, a.state());
    assertEquals("200 from probe", a.reason());
    assertEquals(List.of(A, B), select(d).stream().sorted().toList());
    DestinationStatus s = d.snapshot().get(0);
    assertEquals(4, s.probesSent());
    assertEquals(2, s.probeFailures());
    assertEquals(2, s.stateChanges(), "ACTIVE -> INACTIVE -> ACTIVE");
  }

  @Test
  void everyStateChangeLogsOneLine() {
    List<String> lines = new ArrayList<>();
    java.util.logging.Logger log = java.util.logging.Logger.getLogger(Dispatcher.class.getName());
    java.util.logging.Handler h =
        new java.util.logging.Handler() {
          @Override
          public void publish(java.util.logging.LogRecord r) {
            lines.add(r.getLevel() + " " + r.getMessage());
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    log.addHandler(h);
    try {
      Dispatcher d = Dispatcher.create(probed(1, A));
      d.startProbing(env);
      advance(0);
      advance(300);
      advance(700);
      advance(300);
      advance(700);
      List<Sent> all = probes();
      answer(all.get(all.size() - 1), 200);
      assertEquals(
          List.of(
              "INFO dispatcher pool destination sip:10.0.0.1: ACTIVE -> INACTIVE (timeout; 2"
                  + " probes failed)",
              "INFO dispatcher pool destination sip:10.0.0.1: INACTIVE -> ACTIVE (200 from probe;"
                  + " 1 probe succeeded)"),
          lines);
    } finally {
      log.removeHandler(h);
    }
  }

  @Test
  void anUnansweredProbeTimesOutAndItsTransactionIsAbandoned() {
    Dispatcher d = Dispatcher.create(probed(1, A));
    Destination a = d.destinations().get(0);
    d.startProbing(env);
    advance(0);
    Sent p = probes().get(0);
    String branch = p.message.topVia().branch();
    advance(299);
    assertEquals(DestinationState.ACTIVE, a.state());
    advance(1);
    assertEquals(DestinationState.ACTIVE, a.state(), "one timeout, below the threshold");
    assertEquals(1, d.snapshot().get(0).probeFailures());
    assertNull(tl.findClient(branch), "a late answer finds no transaction");
    assertEquals(0, tl.clientCount());
    advance(700);
    assertEquals(1, probes().size());
    advance(300);
    assertEquals(DestinationState.INACTIVE, a.state());
    assertEquals(List.of(), select(d));
    advance(700);
    answer(probes().get(0), 200);
    assertEquals(DestinationState.ACTIVE, a.state());
  }

  @Test
  void aTransportErrorFailsTheProbe() {
    Dispatcher d = Dispatcher.create(probed(1, T));
    failSends = true;
    d.startProbing(env);
    advance(0);
    assertEquals(1, d.snapshot().get(0).probeFailures());
    advance(1000);
    assertEquals(DestinationState.INACTIVE, d.destinations().get(0).state());
    assertEquals("transport error", d.destinations().get(0).reason());
    assertEquals(0, loop.timers().size() - 1, "only the next round is scheduled");
  }

  @Test
  void noListenerForTheTransportFailsTheProbe() {
    Dispatcher d = Dispatcher.create(probed(1, T));
    d.startProbing(
        new ProbeEnvironment(
            loop,
            tl,
            List.of(udp),
            () -> "z9hG4bK-x",
            new io.sbc.runtime.sip.transport.SourceAddresses()));
    advance(0);
    assertEquals(0, probes().size());
    advance(1000);
    assertEquals(DestinationState.INACTIVE, d.destinations().get(0).state());
    assertEquals("no TCP listener", d.destinations().get(0).reason());
  }

  @Test
  void aProbeSentBeforeACallFailureCannotClearIt() {
    Dispatcher d = Dispatcher.create(probed(1, A));
    Destination a = d.destinations().get(0);
    d.startProbing(env);
    advance(0);
    Sent p = probes().get(0);
    ended(a, "INVITE", "c", 503);
    answer(p, 200);
    assertEquals(DestinationState.PROBING, a.state(), "the answer predates the failure");
    advance(1000);
    answer(probes().get(0), 200);
    assertEquals(DestinationState.ACTIVE, a.state());
  }

  @Test
  void aSlowProbeIsNotDoubled() {
    SipDispatcher doc = probed(1, A);
    doc.spec.probe.timeoutMillis = 2500;
    Dispatcher d = Dispatcher.create(doc);
    d.startProbing(env);
    advance(0);
    Sent first = probes().get(0);
    String branch = first.message.topVia().branch();
    advance(1000);
    advance(1000);
    // Only retransmissions of the first (timer E) went out: no second probe while it waits.
    assertEquals(
        java.util.Set.of(branch),
        probes().stream()
            .map(s -> s.message.topVia().branch())
            .collect(java.util.stream.Collectors.toSet()));
    answer(first, 200);
    advance(1000);
    List<Sent> next = probes();
    assertEquals(1, next.size());
    assertTrue(!next.get(0).message.topVia().branch().equals(branch));
  }

  @Test
  void closeStopsProbing() {
    Dispatcher d = Dispatcher.create(probed(1, A));
    d.startProbing(env);
    advance(0);
    answer(probes().get(0), 200);
    d.close();
    advance(5000);
    assertEquals(0, probes().size());
    assertEquals(0, loop.timers().size());
  }

  @Test
  void answeredCallsStayActiveUntilTheirByeOrTheyExpire() {
    Dispatcher d = Dispatcher.create(probed(1, A, B));
    Destination a = d.destinations().get(0);
    started(a, "INVITE", "call-1");
    ended(a, "INVITE", "call-1", 200);
    started(a, "INVITE", "call-2");
    ended(a, "INVITE", "call-2", 200);
    assertEquals(2, a.activeCalls());
    assertEquals(2, calls.size());
    calls.ended("call-1", CallEvents.EndReason.BYE, 200);
    assertEquals(1, a.activeCalls());
    assertTrue(calls.ended("call-2", CallEvents.EndReason.BYE, 200));
    assertTrue(!calls.ended("call-2", CallEvents.EndReason.BYE, 200), "ends once");
    assertEquals(0, a.activeCalls());
    started(a, "INVITE", "call-3");
    ended(a, "INVITE", "call-3", 200);
    clock.advance(3_600_000 - 1);
    assertEquals(0, calls.sweep());
    clock.advance(1);
    assertEquals(1, calls.sweep());
    assertEquals(0, a.activeCalls());
    assertEquals(3, d.snapshot().get(0).callsStarted());
  }

  @Test
  void reloadKeepsTheHealthAndCallsOfKeptUris() {
    Dispatcher d = Dispatcher.create(probed(1, A, B));
    d.startProbing(env);
    Destination a = d.destinations().get(0);
    Destination b = d.destinations().get(1);
    started(a, "INVITE", "c1");
    advance(0);
    List<Sent> p = probes();
    answer(p.get(0), 200);
    answer(p.get(1), 503);
    advance(1000);
    p = probes();
    answer(p.get(0), 200);
    answer(p.get(1), 503);
    assertEquals(DestinationState.INACTIVE, b.state());

    SipDispatcher next = probed(1, "sip:10.0.0.9", B + " 5", A);
    next.spec.algorithm = "Weighted";
    d.update(next);
    assertEquals(Algorithm.WEIGHTED, d.algorithm());
    assertSame(b, d.destinations().get(1), "same URI, same destination");
    assertSame(a, d.destinations().get(2));
    assertEquals(DestinationState.INACTIVE, b.state());
    assertEquals(1, a.activeCalls());
    List<DestinationStatus> s = d.snapshot();
    assertEquals("sip:10.0.0.9", s.get(0).uri());
    assertEquals(DestinationState.ACTIVE, s.get(0).state());
    assertEquals(5, s.get(1).weight());
    assertEquals(2, s.get(1).probesSent());
    assertEquals(List.of(A, "sip:10.0.0.9"), select(d).stream().sorted().toList());
    // The next round probes the new list.
    advance(1000);
    List<Sent> round = probes();
    assertEquals(3, round.size());
    answer(round.get(1), 200);
    assertEquals(DestinationState.ACTIVE, b.state());
    assertThrows(UnsupportedOperationException.class, () -> s.add(s.get(0)));
  }

  @Test
  void aBadReloadChangesNothing() {
    Dispatcher d = Dispatcher.create(probed(1, A, B));
    SipDispatcher bad = probed(1, "sip:gw_1.example.com");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.update(bad));
    assertTrue(e.getMessage().contains("host must be an IP address"), e.getMessage());
    assertEquals(2, d.destinations().size());
  }

  @Test
  void turningProbingOffBringsEveryDestinationBack() {
    Dispatcher d = Dispatcher.create(probed(1, A, B));
    ended(d.destinations().get(0), "INVITE", "c", 503);
    assertEquals(List.of(B), select(d));
    SipDispatcher off = probed(1, A, B);
    off.spec.probe.enabled = false;
    d.update(off);
    assertEquals(DestinationState.ACTIVE, d.destinations().get(0).state());
    assertEquals("probing disabled", d.destinations().get(0).reason());
    d.startProbing(env);
    advance(0);
    advance(5000);
    assertEquals(0, probes().size(), "no probes while disabled");
  }
}
