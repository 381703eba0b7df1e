package io.sbc.runtime.dispatcher;

import static io.sbc.runtime.dispatcher.Docs.doc;
import static io.sbc.runtime.dispatcher.Docs.invite;
import static io.sbc.runtime.dispatcher.Docs.uris;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sbc.api.SipDispatcher;
import io.sbc.runtime.sip.message.SipMessage;
import io.sbc.runtime.sip.proxy.ActiveCalls;
import io.sbc.runtime.sip.proxy.CallEvents;
import io.sbc.runtime.sip.proxy.Target;
import io.sbc.runtime.sip.timer.ManualClock;
import io.sbc.runtime.sip.transport.Protocol;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The order each algorithm gives, with seeded randomness, and skipping destinations down. */
class DispatcherSelectTest {

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
  static final String C = "sip:10.0.0.3;transport=tcp";

  final ActiveCalls calls = new ActiveCalls(new ManualClock(), 60_000, events);

  Dispatcher create(String algorithm, String... destinations) {
    return Dispatcher.create(doc("pool", algorithm, destinations));
  }

  static List<String> select(Dispatcher d, SipMessage m, SplittableRandom random) {
    List<Target> out = new ArrayList<>();
    d.select(m, random, out);
    return uris(out);
  }

  static List<String> select(Dispatcher d) {
    return select(d, invite("c1"), new SplittableRandom(1));
  }

  /** Takes a destination out the way a failed call does. */
  void fail(Dispatcher d, String uri) {
    for (Destination x : d.destinations()) {
      if (x.uri().equals(uri)) {
        ended(x, "INVITE", "x", 503);
        assertEquals(DestinationState.PROBING, x.state());
      }
    }
  }

  @Test
  void targetsCarryAddressTransportAndFeedback() {
    Dispatcher d = create("RoundRobin", A, B, C);
    List<Target> out = new ArrayList<>();
    d.select(invite("c1"), new SplittableRandom(1), out);
    assertEquals(3, out.size());
    Target a = out.get(0);
    assertEquals("/10.0.0.1:5060", a.hop().address().toString());
    assertEquals(Protocol.UDP, a.hop().protocol());
    assertSame(d.destinations().get(0), a.owner());
    assertEquals(5070, out.get(1).hop().address().getPort());
    assertEquals(Protocol.TCP, out.get(2).hop().protocol());
    // The same Target instances every time: selection does not build them.
    List<Target> again = new ArrayList<>();
    d.select(invite("c2"), new SplittableRandom(1), again);
    assertSame(out.get(1), again.get(0));
  }

  @Test
  void roundRobinRotatesTheStartRestInOrder() {
    Dispatcher d = create("RoundRobin", A, B, C);
    assertEquals(List.of(A, B, C), select(d));
    assertEquals(List.of(B, C, A), select(d));
    assertEquals(List.of(C, A, B), select(d));
    assertEquals(List.of(A, B, C), select(d));
  }

  @Test
  void roundRobinRotatesOverTheUpDestinationsOnly() {
    Dispatcher d = create("RoundRobin", A, B, C);
    fail(d, B);
    assertEquals(List.of(A, C), select(d));
    assertEquals(List.of(C, A), select(d));
    assertEquals(List.of(A, C), select(d));
  }

  @Test
  void allSuspectedFallsBackToTheSuspects() {
    // Nothing confirmed up: the suspects (failed in a call, not yet confirmed down by probes) are
    // tried rather than refusing the call; INACTIVE ones never are.
    for (String alg : io.sbc.api.Defaults.DISPATCH_ALGORITHMS) {
      Dispatcher d = create(alg, A, B, C);
      fail(d, A);
      fail(d, B);
      fail(d, C);
      assertEquals(List.of(A, B, C), select(d).stream().sorted().toList(), alg);
    }
  }

  @Test
  void randomStartsAnywhereReplayableWithASeed() {
    Dispatcher d = create("Random", A, B, C);
    SplittableRandom r1 = new SplittableRandom(42);
    SplittableRandom r2 = new SplittableRandom(42);
    Map<String, Integer> firsts = new HashMap<>();
    for (int i = 0; i < 300; i++) {
      List<String> s = select(d, invite("c" + i), r1);
      assertEquals(s, select(d, invite("c" + i), r2), "same seed, same decisions");
      assertEquals(3, s.size());
      firsts.merge(s.get(0), 1, Integer::sum);
      // The failover order is the configured one from the chosen start.
      int k = List.of(A, B, C).indexOf(s.get(0));
      assertEquals(List.of(A, B, C).get((k + 1) % 3), s.get(1));
    }
    for (String u : List.of(A, B, C)) {
      assertTrue(firsts.get(u) > 60, u + " chosen " + firsts.get(u) + " times of 300");
    }
  }

  @Test
  void weightedChoosesInProportionThenByDescendingWeight() {
    Dispatcher d = create("Weighted", A + " 1", B + " 3", C + " 2");
    SplittableRandom r = new SplittableRandom(7);
    Map<String, Integer> firsts = new HashMap<>();
    int n = 6000;
    for (int i = 0; i < n; i++) {
      List<String> s = select(d, invite("c"), r);
      firsts.merge(s.get(0), 1, Integer::sum);
      List<String> rest = new ArrayList<>(List.of(B, C, A));
      rest.remove(s.get(0));
      assertEquals(rest, s.subList(1, 3));
    }
    assertEquals(1000, firsts.get(A), 120);
    assertEquals(3000, firsts.get(B), 150);
    assertEquals(2000, firsts.get(C), 150);
  }

  @Test
  void weightZeroIsOnlyAFailover() {
    Dispatcher d = create("Weighted", A + " 0", B + " 1");
    SplittableRandom r = new SplittableRandom(3);
    for (int i = 0; i < 100; i++) {
      assertEquals(List.of(B, A), select(d, invite("c"), r));
    }
    fail(d, B);
    assertEquals(List.of(A), select(d, invite("c"), r));
  }

  @Test
  void priorityTriesTheLowestValueFirstWeightedWithin() {
    // A is the backup (priority 1); B and C share priority 0 with weights 1:3.
    Dispatcher d = create("Priority", A + " 5 1", B + " 1 0", C + " 3 0");
    SplittableRandom r = new SplittableRandom(11);
    int c = 0;
    int n = 4000;
    for (int i = 0; i < n; i++) {
      List<String> s = select(d, invite("c"), r);
      assertEquals(A, s.get(2), "the higher priority value comes last");
      if (s.get(0).equals(C)) {
        c++;
        assertEquals(B, s.get(1));
      } else {
        assertEquals(List.of(B, C), s.subList(0, 2));
      }
    }
    assertEquals(3000, c, 150);
    fail(d, B);
    fail(d, C);
    assertEquals(List.of(A), select(d, invite("c"), r));
  }

  @Test
  void hashIsStableForAKeyAndSpreadsKeys() {
    Dispatcher d = create("Hash", A, B, C);
    Map<String, Integer> firsts = new HashMap<>();
    for (int i = 0; i < 3000; i++) {
      SipMessage m = invite("call-" + i + "@10.0.0.1");
      List<String> s = select(d, m, new SplittableRandom(i));
      assertEquals(s, select(d, m, new SplittableRandom(i + 1)), "no randomness in Hash");
      assertEquals(3, s.size());
      firsts.merge(s.get(0), 1, Integer::sum);
    }
    for (String u : List.of(A, B, C)) {
      assertEquals(1000, firsts.get(u), 150, u);
    }
  }

  @Test
  void hashMovesOnlyTheKeysOfADestinationThatWentDown() {
    Dispatcher d = create("Hash", A, B, C);
    Map<String, List<String>> before = new HashMap<>();
    for (int i = 0; i < 500; i++) {
      String id = "call-" + i;
      before.put(id, select(d, invite(id), new SplittableRandom(1)));
    }
    fail(d, B);
    int moved = 0;
    for (int i = 0; i < 500; i++) {
      String id = "call-" + i;
      List<String> was = before.get(id);
      List<String> now = select(d, invite(id), new SplittableRandom(1));
      List<String> expected = new ArrayList<>(was);
      expected.remove(B);
      // Rendezvous: the order of the others is unchanged, so a key whose first went down goes
      // where its failover went.
      assertEquals(expected, now, id);
      if (was.get(0).equals(B)) {
        moved++;
      }
    }
    assertTrue(moved > 100 && moved < 240, "moved " + moved);
  }

  @Test
  void hashByFromUserOrRequestUriUser() {
    io.sbc.api.SipDispatcher doc = doc("pool", "Hash", A, B, C);
    doc.spec.hashKey = "FromUser";
    Dispatcher byFrom = Dispatcher.create(doc);
    doc.spec.hashKey = "RequestUriUser";
    Dispatcher byRuri = Dispatcher.create(doc);
    Map<String, Integer> firsts = new HashMap<>();
    for (int i = 0; i < 50; i++) {
      // Different calls of one caller stay together.
      List<String> s = select(byFrom, invite("call-" + i, "alice", "u" + i), null);
      assertEquals(select(byFrom, invite("other", "alice", "x"), null), s);
      List<String> t = select(byRuri, invite("call-" + i, "u" + i, "bob"), null);
      assertEquals(select(byRuri, invite("other", "x", "bob"), null), t);
      firsts.merge(select(byFrom, invite("c", "user" + i, "bob"), null).get(0), 1, Integer::sum);
    }
    assertEquals(3, firsts.size(), "different users spread: " + firsts);
  }

  @Test
  void leastActiveFollowsBranchFeedback() {
    Dispatcher d = create("LeastActive", A, B, C);
    assertEquals(List.of(A, B, C), select(d), "ties in configuration order");
    Destination a = d.destinations().get(0);
    Destination b = d.destinations().get(1);
    started(a, "INVITE", "1");
    started(a, "INVITE", "2");
    started(b, "INVITE", "3");
    started(b, "OPTIONS", "4"); // not a call
    assertEquals(List.of(C, B, A), select(d));
    ended(a, "INVITE", "1", 486); // a non-2xx final ends it
    assertEquals(List.of(C, A, B), select(d));
    ended(a, "INVITE", "2", 200); // answered: active until its BYE
    assertEquals(1, a.activeCalls());
    assertEquals(List.of(C, A, B), select(d));
    assertTrue(calls.ended("2", CallEvents.EndReason.BYE, 200));
    assertEquals(0, a.activeCalls());
    assertEquals(List.of(A, C, B), select(d));
  }

  @Test
  void aDestinationAnswering503IsSkippedAtOnce() {
    Dispatcher d = create("RoundRobin", A, B);
    Destination a = d.destinations().get(0);
    started(a, "INVITE", "c1");
    ended(a, "INVITE", "c1", 503);
    assertEquals(DestinationState.PROBING, a.state());
    assertEquals("503 or transport error in call", a.reason());
    assertEquals(0, a.activeCalls());
    assertEquals(List.of(B), select(d));
    assertEquals(List.of(B), select(d));
    Destination b = d.destinations().get(1);
    ended(b, "BYE", "c2", 408);
    assertEquals("timeout in call", b.reason());
    assertEquals(2, select(d).size(), "both suspected: both tried as a last resort");
  }

  @Test
  void otherFinalsDoNotMarkADestination() {
    Dispatcher d = create("RoundRobin", A);
    Destination a = d.destinations().get(0);
    for (int code : new int[] {200, 404, 486, 487, 603}) {
      ended(a, "INVITE", "c", code);
    }
    assertEquals(DestinationState.ACTIVE, a.state());
  }

  @Test
  void withoutProbingFailuresDoNotTakeADestinationOut() {
    io.sbc.api.SipDispatcher doc = doc("pool", "RoundRobin", A, B);
    doc.spec.probe.enabled = false;
    Dispatcher d = Dispatcher.create(doc);
    ended(d.destinations().get(0), "INVITE", "c", 503);
    assertEquals(DestinationState.ACTIVE, d.destinations().get(0).state());
    assertEquals(1, d.snapshot().get(0).callFailures());
    assertEquals(List.of(A, B), select(d));
  }

  @Test
  void selectDoesNotAllocate() {
    var mx =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    long tid = Thread.currentThread().getId();
    SipMessage m = invite("call-1");
    SplittableRandom r = new SplittableRandom(5);
    List<Target> out = new ArrayList<>(16);
    for (String alg : io.sbc.api.Defaults.DISPATCH_ALGORITHMS) {
      Dispatcher d = create(alg, A + " 1 0", B + " 2 0", C + " 3 1");
      fail(d, B);
      for (int i = 0; i < 20_000; i++) {
        out.clear();
        d.select(m, r, out);
      }
      long before = mx.getThreadAllocatedBytes(tid);
      for (int i = 0; i < 10_000; i++) {
        out.clear();
        d.select(m, r, out);
      }
      long allocated = mx.getThreadAllocatedBytes(tid) - before;
      // Less than a byte per call: one object per call would be 16 bytes; the rest is the JIT's
      // and the measurement's own noise.
      assertTrue(
          allocated < 10_000, alg + " allocated " + allocated + " bytes in 10000 selections");
      assertEquals(2, out.size());
    }
  }

  @Test
  void checkNamesEveryProblem() {
    io.sbc.api.SipDispatcher doc =
        doc(
            "pool",
            "Fastest",
            "sip:gw_1.example.com",
            "tel:10.0.0.1",
            A,
            A,
            "sip:10.0.0.9;transport=sctp");
    doc.spec.hashKey = "Nope";
    doc.spec.probe.failureThreshold = 0;
    doc.spec.destinations.get(2).weight = -1;
    List<String> errors = Dispatcher.check(doc);
    String all = String.join("\n", errors);
    assertTrue(all.contains("spec.algorithm: 'Fastest' is not one of"), all);
    assertTrue(all.contains("spec.hashKey: 'Nope'"), all);
    assertTrue(all.contains("spec.probe.failureThreshold: must be at least 1"), all);
    assertTrue(all.contains("spec.destinations[0].uri: host must be an IP address"), all);
    assertTrue(all.contains("spec.destinations[1].uri: not a sip: URI"), all);
    assertTrue(all.contains("spec.destinations[2].weight: must not be negative"), all);
    assertTrue(all.contains("spec.destinations[3].uri: sip:10.0.0.1 is listed twice"), all);
    assertTrue(all.contains("spec.destinations[4].uri: transport sctp is not served"), all);
    assertEquals(8, errors.size(), all);
    assertEquals(List.of(), Dispatcher.check(doc("pool", "Hash", A, B)));
    assertEquals(List.of(), Dispatcher.check(doc("pool", null, A)), "algorithm defaults");
  }

  /**
   * A destination carrying its maxCalls is skipped by new calls (the next one of the route takes
   * them) until one of its calls ends; in-dialog requests and other methods still reach it.
   */
  @Test
  void aDestinationAtItsMaxCallsIsSkippedByNewCalls() {
    SipDispatcher doc = doc("pool", "Priority", A + " 1 0", B + " 1 1");
    doc.spec.destinations.get(0).maxCalls = 2;
    Dispatcher d = Dispatcher.create(doc);
    Destination a = d.destinations().get(0);
    assertEquals(List.of(A, B), select(d));
    started(a, "INVITE", "c1");
    started(a, "INVITE", "c2");
    ended(a, "INVITE", "c2", 200);
    assertEquals(List.of(B), select(d), "A carries 2 calls: new calls go to B");
    assertEquals(1, a.status(1, 0).callsSkippedFull());
    assertEquals(2, a.status(1, 0).maxCalls());
    // Not a new call: an OPTIONS, an in-dialog INVITE.
    assertEquals(List.of(A, B), select(d, Docs.options("o1"), new SplittableRandom(1)));
    // c1 fails: room again.
    ended(a, "INVITE", "c1", 486);
    assertEquals(List.of(A, B), select(d));
    // Both full: nothing to try (the proxy answers 503 with Retry-After).
    doc.spec.destinations.get(1).maxCalls = 1;
    d.update(doc);
    started(a, "INVITE", "c3");
    started(d.destinations().get(1), "INVITE", "c4");
    assertEquals(List.of(), select(d));
  }
}
