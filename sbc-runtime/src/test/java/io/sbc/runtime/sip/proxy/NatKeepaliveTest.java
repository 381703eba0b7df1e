package io.sbc.runtime.sip.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sbc.runtime.sip.locate.UriTarget;
import io.sbc.runtime.sip.message.SipLimits;
import io.sbc.runtime.sip.message.SipMessage;
import io.sbc.runtime.sip.message.SipMessageDecoder;
import io.sbc.runtime.sip.timer.ManualClock;
import io.sbc.runtime.sip.transaction.TimerSettings;
import io.sbc.runtime.sip.transaction.TransactionLayer;
import io.sbc.runtime.sip.transport.Flow;
import io.sbc.runtime.sip.transport.Listener;
import io.sbc.runtime.sip.transport.Loop;
import io.sbc.runtime.sip.transport.Myself;
import io.sbc.runtime.sip.transport.Protocol;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Keepalives to the NATed ends of calls in progress, on a fake clock: one OPTIONS per UDP peer per
 * interval however many calls it has, a CRLF over TCP, nothing once its calls ended, and a peer
 * that stops answering reported once after three misses.
 */
class NatKeepaliveTest {
  static final SipMessageDecoder DECODER = new SipMessageDecoder(SipLimits.DEFAULT);

  final ManualClock clock = new ManualClock(0);
  final Loop loop = new Loop(0, null, null, clock);
  final List<Sent> sent = new ArrayList<>();
  final TransactionLayer tl =
      new TransactionLayer(
          (l, flow, data, onFailure) -> sent.add(new Sent(flow, data)),
          new TimerSettings(500, 4000, 5000, 180_000));
  final Listener udp =
      new Listener("udp", Protocol.UDP, new InetSocketAddress("127.0.0.1", 5060), "sbc.example");
  final Listener tcp =
      new Listener("tcp", Protocol.TCP, new InetSocketAddress("127.0.0.1", 5060), "sbc.example");
  final NatKeepalive keepalive =
      new NatKeepalive(
          tl, new Myself(List.of(udp, tcp), Set.of(), Set.of()), new Branches("edge"), clock);

  final UriTarget phone = new UriTarget("203.0.113.7", 40000, Protocol.UDP, false);
  final InetSocketAddress phoneAddress = new InetSocketAddress("203.0.113.7", 40000);
  final UriTarget tcpPhone = new UriTarget("203.0.113.8", 41000, Protocol.TCP, false);
  final InetSocketAddress tcpPhoneAddress = new InetSocketAddress("203.0.113.8", 41000);

  record Sent(Flow flow, byte[] data) {
    String text() {
      return new String(data, StandardCharsets.ISO_8859_1);
    }
  }

  /** A call of the proxy whose NATed ends are {@code peers}. */
  record NatedCall(String callId, List<UriTarget> natPeers, int keepaliveSeconds)
      implements CallEvents.Call, NatKeepalive.NatPeers {
    @Override
    public String method() {
      return "INVITE";
    }

    @Override
    public String rule() {
      return "to-pbx";
    }

    @Override
    public long startedAt() {
      return 0;
    }
  }

  void advanceSeconds(int seconds) {
    for (int i = 0; i < seconds * 10; i++) {
      clock.advance(100);
      loop.timers().advance();
    }
  }

  List<Sent> to(InetSocketAddress addr) {
    List<Sent> r = new ArrayList<>();
    for (Sent s : sent) {
      if (s.flow().remote().equals(addr)) {
        r.add(s);
      }
    }
    return r;
  }

  /** OPTIONS requests sent to {@code addr} (retransmissions of one transaction counted once). */
  List<SipMessage> optionsTo(InetSocketAddress addr) {
    List<SipMessage> r = new ArrayList<>();
    List<String> branches = new ArrayList<>();
    for (Sent s : to(addr)) {
      SipMessage m = DECODER.decode(s.data(), s.data().length, false);
      if (m.error() == null && m.isRequest() && "OPTIONS".equals(m.method())) {
        if (!branches.contains(m.topVia().branch())) {
          branches.add(m.topVia().branch());
          r.add(m);
        }
      }
    }
    return r;
  }

  void answer(SipMessage options, int status) {
    byte[] ok = Responses.build(options, status, Responses.reason(status), "ph1", null);
    SipMessage m = DECODER.decode(ok, ok.length, false);
    tl.findClient(m.topVia().branch()).onResponse(m);
  }

  @Test
  void onePingPerPeerPerIntervalWhileItsCallsLast() {
    keepalive.start(loop);
    NatedCall first = new NatedCall("c1", List.of(phone), 20);
    NatedCall second = new NatedCall("c2", List.of(phone, tcpPhone), 20);
    keepalive.callAnswered(first, null);
    keepalive.callAnswered(second, null);
    advanceSeconds(19);
    assertEquals(0, sent.size(), "nothing before the interval");
    advanceSeconds(2);
    List<SipMessage> pings = optionsTo(phoneAddress);
    assertEquals(1, pings.size(), "one OPTIONS for a peer in two calls");
    SipMessage ping = pings.get(0);
    assertEquals("sip:203.0.113.7:40000", ping.text(ping.uriStart(), ping.uriEnd()));
    assertEquals("sbc.example", ping.topVia().host(), "from our advertised address");
    assertEquals(List.of("\r\n\r\n"), to(tcpPhoneAddress).stream().map(Sent::text).toList());
    assertTrue(to(tcpPhoneAddress).get(0).flow().reliable(), "over TCP: a CRLF keepalive");
    answer(ping, 200);

    advanceSeconds(20);
    assertEquals(2, optionsTo(phoneAddress).size(), "and again an interval later");
    answer(optionsTo(phoneAddress).get(1), 200);

    // The first call ends: the phone is still in the second; then that one ends too.
    keepalive.callEnded(first, null, CallEvents.EndReason.BYE, 200);
    advanceSeconds(20);
    assertEquals(3, optionsTo(phoneAddress).size(), "still pinged for its other call");
    answer(optionsTo(phoneAddress).get(2), 200);
    keepalive.callEnded(second, null, CallEvents.EndReason.BYE, 200);
    int before = sent.size();
    advanceSeconds(60);
    assertEquals(before, sent.size(), "no ping once the peer has no call");
    assertEquals(0, keepalive.size());
    keepalive.stop();
  }

  @Test
  void aPeerThatStopsAnsweringIsReportedOnceAfterThreeMisses() {
    keepalive.start(loop);
    keepalive.callAnswered(new NatedCall("c1", List.of(phone), 20), null);
    // Each OPTIONS times out after 64*T1 = 32 s (timer F); the next one goes out when due.
    int seconds = 0;
    int pingsBefore = 0;
    while (keepalive.unreachable.sum() == 0 && seconds < 600) {
      pingsBefore = optionsTo(phoneAddress).size();
      advanceSeconds(1);
      seconds++;
    }
    assertEquals(1, keepalive.unreachable.sum(), "reported within " + seconds + " s");
    assertEquals(3, pingsBefore, "reported when the third OPTIONS in a row went unanswered");
    assertTrue(seconds >= 20 + 3 * 32, "not before the third timed out: " + seconds);
    advanceSeconds(300);
    assertTrue(optionsTo(phoneAddress).size() > 5, "still pinged while its call lasts");
    assertEquals(1, keepalive.unreachable.sum(), "reported once, not at every miss");
    keepalive.stop();
  }

  @Test
  void callsWithoutNatedEndsOrKeepalivesAddNothing() {
    keepalive.start(loop);
    keepalive.callAnswered(new NatedCall("c1", List.of(), 20), null);
    keepalive.callAnswered(new NatedCall("c2", List.of(phone), 0), null);
    advanceSeconds(60);
    assertEquals(0, sent.size());
    keepalive.stop();
  }
}
