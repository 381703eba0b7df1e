package io.sbc.runtime.sip.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sbc.runtime.seal.RouteSeal;
import io.sbc.runtime.seal.SealKeys;
import io.sbc.runtime.sip.message.SipLimits;
import io.sbc.runtime.sip.message.SipMessage;
import io.sbc.runtime.sip.message.SipMessageDecoder;
import io.sbc.runtime.sip.timer.ManualClock;
import io.sbc.runtime.sip.transaction.MessageSender;
import io.sbc.runtime.sip.transaction.TimerSettings;
import io.sbc.runtime.sip.transaction.TransactionLayer;
import io.sbc.runtime.sip.transport.Flow;
import io.sbc.runtime.sip.transport.Listener;
import io.sbc.runtime.sip.transport.Loop;
import io.sbc.runtime.sip.transport.Myself;
import io.sbc.runtime.sip.transport.Protocol;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Stages that pause: a request stage waits for an answer from elsewhere and the pipeline resumes on
 * the request's own loop, or its timeout answers; a response stage holds one response and those
 * behind it keep their order; the call events say what happened, a BYE counting when it succeeds.
 * Two loops driven by the test make "from another thread" deterministic.
 */
class PipelineTest {
  static final SipMessageDecoder DECODER = new SipMessageDecoder(SipLimits.DEFAULT);

  final ManualClock clock = new ManualClock(0);
  Loop current;
  final ArrayDeque<Runnable> q0 = new ArrayDeque<>();
  final ArrayDeque<Runnable> q1 = new ArrayDeque<>();
  final Loop loop0 = Loop.driven(0, q0::add, () -> current == loops()[0], clock);
  final Loop loop1 = Loop.driven(1, q1::add, () -> current == loops()[1], clock);

  Loop[] loops() {
    return new Loop[] {loop0, loop1};
  }

  record Sent(InetSocketAddress to, byte[] data) {
    SipMessage decode() {
      SipMessage m = DECODER.decode(data, data.length, false);
      assertNull(m.error());
      return m;
    }
  }

  final List<Sent> sent = new ArrayList<>();
  final MessageSender sender =
      (l, flow, data, onFailure) -> {
        assertTrue(l.inLoop(), "sent on loop " + l.index() + " from another");
        sent.add(new Sent(flow.remote(), data));
      };
  final TransactionLayer tl =
      new TransactionLayer(sender, new TimerSettings(500, 4000, 5000, 180000));
  final Listener udp =
      new Listener("udp", Protocol.UDP, new InetSocketAddress("127.0.0.1", 5060), null);
  final InetSocketAddress caller = new InetSocketAddress("192.0.2.1", 5062);
  final InetSocketAddress callee = new InetSocketAddress("10.0.0.2", 5060);
  final List<String> events = new ArrayList<>();

  final CallEvents recorder =
      new CallEvents() {
        @Override
        public void requestRouted(Call call) {
          events.add("routed " + call.method());
        }

        @Override
        public void branchStarted(Call call, Target target) {
          events.add("branch " + call.method() + " " + target);
        }

        @Override
        public void branchEnded(Call call, Target target, int status) {
          events.add("ended " + call.method() + " " + status);
        }

        @Override
        public void callAnswered(Call call, Target target) {
          events.add("answered " + call.callId());
        }

        @Override
        public void callEnded(Call call, Target answeredBy, EndReason reason, int status) {
          events.add("call ended " + reason + " " + status);
        }
      };

  /** A stage that pauses every INVITE and remembers it, like a lookup waiting for its answer. */
  final class Lookup implements RequestStage {
    final List<ProxyRequest> waiting = new ArrayList<>();
    Loop pausedOn;

    @Override
    public String name() {
      return "lookup";
    }

    @Override
    public Outcome process(ProxyRequest r) {
      if (!r.method().equals("INVITE")) {
        return Outcome.CONTINUE;
      }
      pausedOn = current;
      waiting.add(r);
      r.pause(2000);
      return Outcome.PAUSE;
    }
  }

  /** A response stage that holds every 180 until released, as an SDP answer would. */
  final class HoldRinging implements ResponseStage {
    final List<ProxyResponse> held = new ArrayList<>();

    @Override
    public String name() {
      return "hold-180";
    }

    @Override
    public Outcome process(ProxyResponse r) {
      if (r.status() != 180) {
        return Outcome.CONTINUE;
      }
      held.add(r);
      r.pause(1000);
      return Outcome.PAUSE;
    }
  }

  final Lookup lookup = new Lookup();
  final HoldRinging holdRinging = new HoldRinging();

  final Proxy proxy =
      Proxy.builder()
          .decoder(DECODER)
          .transactions(tl)
          .settings(new ProxySettings(false, 70))
          .myself(new Myself(List.of(udp), Set.of(), Set.of()))
          .router(
              (m, f) ->
                  RouteAction.forward(List.of(Target.parse("sip:10.0.0.2", null)), false, true))
          .routeSeal(new RouteSeal(SealKeys.of(List.of("pipeline test secret".getBytes()))))
          .events(recorder)
          .beforeRouting(lookup)
          .responseStage(holdRinging)
          .clock(clock)
          .build();

  void arrive(Loop loop, InetSocketAddress from, byte[] data) {
    Loop prev = current;
    current = loop;
    try {
      proxy.receive(loop, new Flow(udp, from, null), data);
    } finally {
      current = prev;
    }
  }

  void run(Loop loop) {
    ArrayDeque<Runnable> q = loop == loop0 ? q0 : q1;
    while (!q.isEmpty()) {
      Loop prev = current;
      current = loop;
      try {
        q.poll().run();
      } finally {
        current = prev;
      }
    }
  }

  void advance(long millis) {
    long until = clock.millis() + millis;
    while (clock.millis() < until) {
      clock.advance(10);
      for (Loop l : loops()) {
        Loop prev = current;
        current = l;
        try {
          l.timers().advance();
        } finally {
          current = prev;
        }
        run(l);
      }
    }
  }

  List<Integer> statusesTo(InetSocketAddress a) {
    List<Integer> r = new ArrayList<>();
    for (Sent s : sent) {
      SipMessage m = s.decode();
      if (s.to().equals(a) && m.isResponse()) {
        r.add(m.status());
      }
    }
    return r;
  }

  List<SipMessage> requestsTo(InetSocketAddress a, String method) {
    List<SipMessage> r = new ArrayList<>();
    for (Sent s : sent) {
      SipMessage m = s.decode();
      if (s.to().equals(a) && m.isRequest() && m.method().equals(method)) {
        r.add(m);
      }
    }
    return r;
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  static final String INVITE =
      "INVITE sip:bob@example.com SIP/2.0\r\n"
          + "Via: SIP/2.0/UDP 192.0.2.1:5062;branch=z9hG4bKp1;rport\r\n"
          + "Max-Forwards: 70\r\n"
          + "From: <sip:alice@example.com>;tag=a1\r\n"
          + "To: <sip:bob@example.com>\r\n"
          + "Call-ID: pipeline@192.0.2.1\r\n"
          + "CSeq: 1 INVITE\r\n"
          + "Contact: <sip:alice@192.0.2.1:5062>\r\n"
          + "Content-Length: 0\r\n\r\n";

  @Test
  void aPausedStageResumesOnTheRequestsLoopAndRetransmissionsAreAbsorbedMeanwhile() {
    arrive(loop0, caller, bytes(INVITE));
    assertEquals(1, lookup.waiting.size());
    assertSame(loop0, lookup.pausedOn);
    assertEquals(List.of(100), statusesTo(caller), "the transaction exists before the pause");
    arrive(loop1, caller, bytes(INVITE)); // a retransmission, on another socket
    run(loop0);
    assertEquals(List.of(100, 100), statusesTo(caller), "absorbed: 100 again, nothing forwarded");
    assertEquals(List.of(), requestsTo(callee, "INVITE"));
    // The answer comes on another thread (loop 1 here): the pipeline goes on on loop 0.
    Loop prev = current;
    current = loop1;
    lookup.waiting.get(0).resume();
    current = prev;
    assertEquals(List.of(), requestsTo(callee, "INVITE"), "not on loop 1");
    run(loop0);
    assertEquals(1, requestsTo(callee, "INVITE").size(), "forwarded once resumed");
    // A second resume (a late duplicate answer) changes nothing.
    lookup.waiting.get(0).resume();
    run(loop0);
    assertEquals(1, requestsTo(callee, "INVITE").size());
  }

  @Test
  void aPauseThatOutlivesItsTimeoutIsAnsweredAndALateResumeIsIgnored() {
    arrive(loop0, caller, bytes(INVITE));
    advance(1990);
    assertEquals(List.of(100), statusesTo(caller));
    advance(20);
    assertEquals(List.of(100, 500), statusesTo(caller), "the stage's timeout answers");
    lookup.waiting.get(0).resume();
    run(loop0);
    assertEquals(List.of(), requestsTo(callee, "INVITE"), "nothing forwarded after the timeout");
    assertTrue(events.contains("call ended FAILED 500"), events.toString());
  }

  @Test
  void aCancelDuringThePauseEndsTheRequestWith487() {
    arrive(loop0, caller, bytes(INVITE));
    arrive(
        loop1,
        caller,
        bytes(
            INVITE
                .replace("INVITE sip:bob", "CANCEL sip:bob")
                .replace("CSeq: 1 INVITE", "CSeq: 1 CANCEL")
                .replace("Contact: <sip:alice@192.0.2.1:5062>\r\n", "")));
    run(loop0);
    assertEquals(List.of(100, 200, 487), statusesTo(caller));
    lookup.waiting.get(0).resume();
    run(loop0);
    assertEquals(List.of(), requestsTo(callee, "INVITE"));
  }

  @Test
  void aHeldResponseKeepsItsPlaceAndTheEventsTellTheCall() {
    arrive(loop0, caller, bytes(INVITE));
    lookup.waiting.get(0).resume();
    run(loop0);
    SipMessage inv = requestsTo(callee, "INVITE").get(0);
    arrive(loop0, callee, Responses.build(inv, 180, "Ringing", "b1", null));
    arrive(loop0, callee, Responses.build(inv, 200, "OK", "b1", null));
    assertEquals(List.of(100), statusesTo(caller), "the 200 waits behind the held 180");
    assertEquals(1, holdRinging.held.size());
    holdRinging.held.get(0).resume();
    run(loop0);
    assertEquals(List.of(100, 180, 200), statusesTo(caller), "in arrival order");
    assertEquals(
        List.of(
            "routed INVITE",
            "branch INVITE sip:10.0.0.2",
            "ended INVITE 200",
            "answered pipeline@192.0.2.1"),
        events);
    assertEquals(1, proxy.calls().size());
  }

  @Test
  void aByeEndsTheCallWhenItSucceedsNotWhenItArrives() {
    arrive(loop0, caller, bytes(INVITE));
    lookup.waiting.get(0).resume();
    run(loop0);
    SipMessage inv = requestsTo(callee, "INVITE").get(0);
    arrive(loop0, callee, Responses.build(inv, 200, "OK", "b1", null));
    assertEquals(1, proxy.calls().size());
    String rr = inv.headerValue(io.sbc.runtime.sip.message.HeaderName.RECORD_ROUTE);
    String bye =
        "BYE sip:alice@192.0.2.1:5062 SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bKbye%s\r\n"
            + "Route: "
            + rr
            + "\r\n"
            + "Max-Forwards: 70\r\n"
            + "From: <sip:bob@example.com>;tag=b1\r\n"
            + "To: <sip:alice@example.com>;tag=a1\r\n"
            + "Call-ID: pipeline@192.0.2.1\r\n"
            + "CSeq: %d BYE\r\n"
            + "Content-Length: 0\r\n\r\n";
    arrive(loop0, callee, bytes(bye.formatted("1", 1)));
    SipMessage fwd = requestsTo(caller, "BYE").get(0);
    assertEquals(1, proxy.calls().size(), "the BYE arrived: the call is still up");
    arrive(loop0, caller, Responses.build(fwd, 500, "Server Internal Error", null, null));
    assertEquals(1, proxy.calls().size(), "a failed BYE ends nothing");
    arrive(loop0, callee, bytes(bye.formatted("2", 2)));
    SipMessage fwd2 = requestsTo(caller, "BYE").get(1);
    arrive(loop0, caller, Responses.build(fwd2, 200, "OK", null, null));
    assertEquals(0, proxy.calls().size(), "the BYE succeeded: the call ended");
    assertEquals("call ended BYE 200", events.get(events.size() - 1));
  }
}
