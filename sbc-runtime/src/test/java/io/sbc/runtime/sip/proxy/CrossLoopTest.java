package io.sbc.runtime.sip.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
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
 * Work handed between loops, made deterministic: two loops whose queues the test runs itself, so
 * that a response arriving on another loop than its transaction's, and a CANCEL racing the INVITE's
 * final response, happen in exactly the order the test chooses. Each transaction's state is only
 * touched on its own loop.
 */
class CrossLoopTest {
  static final SipMessageDecoder DECODER = new SipMessageDecoder(SipLimits.DEFAULT);

  final ManualClock clock = new ManualClock(0);

  /** The loop whose task runs now (null: the test itself, on no loop). */
  Loop current;

  final ArrayDeque<Runnable> queue0 = new ArrayDeque<>();
  final ArrayDeque<Runnable> queue1 = new ArrayDeque<>();
  final Loop loop0 = Loop.driven(0, queue0::add, () -> current == loops()[0], clock);
  final Loop loop1 = Loop.driven(1, queue1::add, () -> current == loops()[1], clock);

  Loop[] loops() {
    return new Loop[] {loop0, loop1};
  }

  record Sent(Loop loop, InetSocketAddress to, byte[] data) {
    SipMessage decode() {
      SipMessage m = DECODER.decode(data, data.length, false);
      assertNull(m.error());
      return m;
    }
  }

  final List<Sent> sent = new ArrayList<>();

  /** Every send happens on the loop that owns what sends: the test checks it. */
  final MessageSender sender =
      (l, flow, data, onFailure) -> {
        assertTrue(l.inLoop(), "sent from loop " + l.index() + " while running on another");
        sent.add(new Sent(l, flow.remote(), data));
      };

  final TransactionLayer tl =
      new TransactionLayer(sender, new TimerSettings(500, 4000, 5000, 180000));
  final Listener udp =
      new Listener("udp", Protocol.UDP, new InetSocketAddress("127.0.0.1", 5060), null);
  final InetSocketAddress caller = new InetSocketAddress("192.0.2.1", 5062);
  final InetSocketAddress callee = new InetSocketAddress("10.0.0.2", 5060);
  final Proxy proxy =
      Proxy.builder()
          .decoder(DECODER)
          .transactions(tl)
          .settings(new ProxySettings(false, 70))
          .myself(new Myself(List.of(udp), Set.of(), Set.of()))
          .router(
              (m, f) ->
                  RouteAction.forward(List.of(Target.parse("sip:10.0.0.2", null)), false, true))
          .routeSeal(new RouteSeal(SealKeys.of(List.of("cross loop test secret".getBytes()))))
          .clock(clock)
          .build();

  /** A datagram arrives on {@code loop} (the socket the kernel picked). */
  void arrive(Loop loop, InetSocketAddress from, byte[] data) {
    Loop prev = current;
    current = loop;
    try {
      proxy.receive(loop, new Flow(udp, from, null), data);
    } finally {
      current = prev;
    }
  }

  /** Runs the tasks queued for {@code loop}, on it. */
  int run(Loop loop) {
    ArrayDeque<Runnable> q = loop == loop0 ? queue0 : queue1;
    int n = 0;
    while (!q.isEmpty()) {
      Runnable t = q.poll();
      Loop prev = current;
      current = loop;
      try {
        t.run();
      } finally {
        current = prev;
      }
      n++;
    }
    return n;
  }

  List<SipMessage> to(InetSocketAddress a) {
    List<SipMessage> r = new ArrayList<>();
    for (Sent s : sent) {
      if (s.to().equals(a)) {
        r.add(s.decode());
      }
    }
    return r;
  }

  List<Integer> statusesTo(InetSocketAddress a) {
    List<Integer> r = new ArrayList<>();
    for (SipMessage m : to(a)) {
      if (m.isResponse()) {
        r.add(m.status());
      }
    }
    return r;
  }

  SipMessage lastRequestTo(InetSocketAddress a, String method) {
    SipMessage found = null;
    for (SipMessage m : to(a)) {
      if (m.isRequest() && m.method().equals(method)) {
        found = m;
      }
    }
    return found;
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  static final String INVITE =
      "INVITE sip:bob@example.com SIP/2.0\r\n"
          + "Via: SIP/2.0/UDP 192.0.2.1:5062;branch=z9hG4bKx1;rport\r\n"
          + "Max-Forwards: 70\r\n"
          + "From: <sip:alice@example.com>;tag=a1\r\n"
          + "To: <sip:bob@example.com>\r\n"
          + "Call-ID: cross@192.0.2.1\r\n"
          + "CSeq: 1 INVITE\r\n"
          + "Contact: <sip:alice@192.0.2.1:5062>\r\n"
          + "Content-Length: 0\r\n\r\n";

  static final String CANCEL =
      "CANCEL sip:bob@example.com SIP/2.0\r\n"
          + "Via: SIP/2.0/UDP 192.0.2.1:5062;branch=z9hG4bKx1;rport\r\n"
          + "Max-Forwards: 70\r\n"
          + "From: <sip:alice@example.com>;tag=a1\r\n"
          + "To: <sip:bob@example.com>\r\n"
          + "Call-ID: cross@192.0.2.1\r\n"
          + "CSeq: 1 CANCEL\r\n"
          + "Content-Length: 0\r\n\r\n";

  void runTimers(long millis) {
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

  @Test
  void aResponseArrivingOnAnotherLoopIsHandledOnItsTransactionsLoop() {
    arrive(loop0, caller, bytes(INVITE));
    SipMessage inv = lastRequestTo(callee, "INVITE");
    assertEquals(List.of(100), statusesTo(caller));
    // The callee's 180 and 200 come in on loop 1's socket.
    arrive(loop1, callee, Responses.build(inv, 180, "Ringing", "b1", null));
    arrive(loop1, callee, Responses.build(inv, 200, "OK", "b1", null));
    assertEquals(List.of(100), statusesTo(caller), "nothing handled on the wrong loop");
    assertEquals(2, queue0.size(), "both handed to the transaction's loop");
    run(loop0);
    assertEquals(List.of(100, 180, 200), statusesTo(caller));
    for (Sent s : sent) {
      assertEquals(loop0, s.loop(), "every send of this transaction on its loop");
    }
    runTimers(40_000);
    assertEquals(0, tl.serverCount());
    assertEquals(0, tl.clientCount());
  }

  @Test
  void aCancelRacingTheFinal2xxLosesCleanly() {
    arrive(loop0, caller, bytes(INVITE));
    SipMessage inv = lastRequestTo(callee, "INVITE");
    arrive(loop0, callee, Responses.build(inv, 180, "Ringing", "b1", null));
    // The 200 arrives on loop 1, and before loop 0 runs it, the caller's CANCEL on loop 1 too.
    arrive(loop1, callee, Responses.build(inv, 200, "OK", "b1", null));
    arrive(loop1, caller, bytes(CANCEL));
    assertEquals(
        200, to(caller).get(to(caller).size() - 1).status(), "the CANCEL is answered at once");
    assertEquals("CANCEL", to(caller).get(to(caller).size() - 1).cseqMethod());
    run(loop0); // the 200 first, then the cancellation: too late, nothing to cancel
    assertEquals(List.of(100, 180, 200, 200), statusesTo(caller));
    assertNull(lastRequestTo(callee, "CANCEL"), "no CANCEL after the 2xx");
    runTimers(40_000);
    assertEquals(0, tl.serverCount());
    assertEquals(0, tl.clientCount());
  }

  @Test
  void aCancelHandledBeforeTheRacing2xxStillLetsThe2xxThrough() {
    arrive(loop0, caller, bytes(INVITE));
    SipMessage inv = lastRequestTo(callee, "INVITE");
    arrive(loop0, callee, Responses.build(inv, 180, "Ringing", "b1", null));
    // This time the CANCEL is queued first: the branch is cancelled, then the 200 comes.
    arrive(loop1, caller, bytes(CANCEL));
    arrive(loop1, callee, Responses.build(inv, 200, "OK", "b1", null));
    run(loop0);
    SipMessage cancel = lastRequestTo(callee, "CANCEL");
    assertTrue(cancel != null, "the pending branch is cancelled");
    // Section 16.7 step 5: a 2xx is forwarded even after a CANCEL; the caller ACKs and BYEs it.
    List<Integer> finals = new ArrayList<>();
    for (SipMessage m : to(caller)) {
      if (m.isResponse() && m.status() >= 200 && "INVITE".equals(m.cseqMethod())) {
        finals.add(m.status());
      }
    }
    assertEquals(List.of(200), finals, "one final for the INVITE: the 2xx, no 487");
    // The callee answers the CANCEL (on loop 1 again): handed over and absorbed.
    arrive(loop1, callee, Responses.build(cancel, 200, "OK", "b1", null));
    run(loop0);
    runTimers(40_000);
    assertEquals(0, tl.serverCount());
    assertEquals(0, tl.clientCount());
  }
}
