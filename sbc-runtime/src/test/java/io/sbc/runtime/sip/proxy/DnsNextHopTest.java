package io.sbc.runtime.sip.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sbc.runtime.seal.RouteSeal;
import io.sbc.runtime.seal.SealKeys;
import io.sbc.runtime.sip.locate.DnsResolver;
import io.sbc.runtime.sip.locate.DnsSettings;
import io.sbc.runtime.sip.locate.SrvRecord;
import io.sbc.runtime.sip.locate.Zone;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A trunk named by its domain (RFC 3263): the transaction waits for DNS, not a thread; the request
 * goes to the SRV target of lowest priority, and on a 503, a timeout or a transport error to the
 * next one within the same transaction (section 4.3); a name that does not resolve gets the caller
 * a 500 that says so.
 */
class DnsNextHopTest {
  static final SipMessageDecoder DECODER = new SipMessageDecoder(SipLimits.DEFAULT);

  final ManualClock clock = new ManualClock(0);
  final Loop loop = new Loop(0, null, null, clock);
  final List<ProxyTest.Sent> sent = new ArrayList<>();
  final MessageSender sender =
      (l, flow, data, onFailure) -> sent.add(new ProxyTest.Sent(l, flow, data));
  final TransactionLayer tl =
      new TransactionLayer(sender, new TimerSettings(500, 4000, 5000, 180000));
  final Listener udp =
      new Listener("udp", Protocol.UDP, new InetSocketAddress("127.0.0.1", 5060), null);
  final InetSocketAddress caller = new InetSocketAddress("192.0.2.1", 5062);
  final InetSocketAddress first = new InetSocketAddress("10.0.0.2", 5070);
  final InetSocketAddress second = new InetSocketAddress("10.0.0.3", 5080);
  final Zone zone =
      new Zone()
          .srv(
              "_sip._udp.trunk.test",
              300,
              new SrvRecord(20, 0, 5080, "sip2.trunk.test."),
              new SrvRecord(10, 0, 5070, "sip1.trunk.test."))
          .a("sip1.trunk.test.", 300, "10.0.0.2")
          .a("sip2.trunk.test.", 300, "10.0.0.3")
          .hold();
  final SplittableRandom random = new SplittableRandom(7);
  RouteAction action =
      RouteAction.forward(List.of(Target.destination("sip:trunk.test", null)), false, true);
  final Proxy proxy =
      Proxy.builder()
          .decoder(DECODER)
          .transactions(tl)
          .settings(new ProxySettings(false, 70))
          .myself(new Myself(List.of(udp), Set.of(), Set.of()))
          .router((m, f) -> action)
          .routeSeal(
              new RouteSeal(
                  SealKeys.of(
                      List.of("a test secret of enough bytes".getBytes(StandardCharsets.UTF_8)))))
          .resolver(new DnsResolver(zone, DnsSettings.DEFAULT, List.of(udp), clock, () -> random))
          .clock(clock)
          .build();

  void fromCaller(String msg) {
    proxy.receive(loop, new Flow(udp, caller, null), msg.getBytes(StandardCharsets.ISO_8859_1));
  }

  void answer(InetSocketAddress from, SipMessage req, int status) {
    byte[] resp = Responses.build(req, status, Responses.reason(status), "t" + status, null);
    proxy.receive(loop, new Flow(udp, from, null), resp);
  }

  List<SipMessage> to(InetSocketAddress addr) {
    List<SipMessage> r = new ArrayList<>();
    for (ProxyTest.Sent s : sent) {
      if (s.to().equals(addr)) {
        r.add(s.decode());
      }
    }
    return r;
  }

  List<SipMessage> invites(InetSocketAddress addr) {
    return to(addr).stream().filter(m -> m.isRequest() && m.method().equals("INVITE")).toList();
  }

  List<Integer> statusesTo(InetSocketAddress addr) {
    return to(addr).stream().filter(SipMessage::isResponse).map(SipMessage::status).toList();
  }

  SipMessage last(InetSocketAddress addr) {
    List<SipMessage> r = to(addr);
    return r.get(r.size() - 1);
  }

  void runUntil(long until) {
    while (clock.millis() < until) {
      clock.advance(Math.min(10, until - clock.millis()));
      loop.timers().advance();
    }
  }

  void assertAllTransactionsEnd() {
    runUntil(clock.millis() + 250_000);
    assertEquals(0, tl.serverCount(), "server transactions left");
    assertEquals(0, tl.clientCount(), "client transactions left");
  }

  @Test
  void theTransactionWaitsForDnsThenTheLowestPriorityTargetGetsTheInvite() {
    fromCaller(ProxyTest.invite());
    assertEquals(List.of(100), statusesTo(caller), "100 Trying while the name resolves");
    assertEquals(List.of(caller), sent.stream().map(ProxyTest.Sent::to).toList());
    assertEquals(List.of("NAPTR trunk.test"), zone.asked());
    zone.release();
    assertEquals(1, invites(first).size());
    assertEquals(List.of(), to(second));
    answer(first, invites(first).get(0), 200);
    assertEquals(List.of(100, 200), statusesTo(caller));
    // The next call to the trunk is answered from the cache: forwarded before receive returns.
    sent.clear();
    fromCaller(ProxyTest.invite("z9hG4bKcaller2", "Max-Forwards: 70\r\n").replace("call-3", "c4"));
    assertEquals(1, invites(first).size());
    assertEquals(0, zone.heldCount());
  }

  @Test
  void a503FromTheFirstTargetMovesOnToTheNextWithinTheTransaction() {
    fromCaller(ProxyTest.invite());
    zone.release();
    SipMessage inv1 = invites(first).get(0);
    answer(first, inv1, 503);
    assertEquals("ACK", last(first).method());
    List<SipMessage> inv2 = invites(second);
    assertEquals(1, inv2.size());
    assertEquals(List.of(100), statusesTo(caller), "the 503 is not forwarded");
    answer(second, inv2.get(0), 200);
    assertEquals(List.of(100, 200), statusesTo(caller));
    assertAllTransactionsEnd();
  }

  @Test
  void whenEveryResolvedHopFailsTheRuleFailsOverToItsNextBackend() {
    InetSocketAddress backup = new InetSocketAddress("10.0.0.9", 5060);
    action =
        RouteAction.forward(
            List.of(
                Target.destination("sip:trunk.test", null),
                Target.destination("sip:10.0.0.9", null)),
            false,
            true);
    fromCaller(ProxyTest.invite());
    zone.release();
    answer(first, invites(first).get(0), 503);
    assertEquals(List.of(), to(backup), "the trunk's second hop comes first");
    answer(second, invites(second).get(0), 503);
    assertEquals(1, invites(backup).size());
    answer(backup, invites(backup).get(0), 200);
    assertEquals(List.of(100, 200), statusesTo(caller));
    assertAllTransactionsEnd();
  }

  @Test
  void aSilentFirstTargetTimesOutAndTheNextGetsTheInvite() {
    fromCaller(ProxyTest.invite());
    zone.release();
    runUntil(31_990);
    assertEquals(7, invites(first).size(), "timer A retransmissions to the first target");
    assertEquals(List.of(), to(second));
    runUntil(32_000);
    assertEquals(1, invites(second).size());
    answer(second, invites(second).get(0), 180);
    answer(second, invites(second).get(0), 200);
    assertEquals(List.of(100, 180, 200), statusesTo(caller));
    assertAllTransactionsEnd();
  }

  @Test
  void aNameThatDoesNotResolveGetsTheCallerA500ThatSaysSo() {
    action =
        RouteAction.forward(List.of(Target.destination("sip:nowhere.test", null)), false, true);
    fromCaller(ProxyTest.invite());
    zone.release();
    assertEquals(List.of(100, 500), statusesTo(caller));
    SipMessage r = last(caller);
    assertEquals(
        "SIP/2.0 500 " + Responses.NEXT_HOP_NOT_RESOLVED, r.text(0, r.startLineEnd()).strip());
    assertEquals(1, proxy.stats().unresolvable.sum());
    assertTrue(sent.stream().allMatch(s -> s.to().equals(caller)), "nothing was forwarded");
    fromCaller(ProxyTest.ackForNon2xx(r.toTag()));
    assertAllTransactionsEnd();
  }

  @Test
  void aCancelWhileTheNameResolvesEndsWith487AndNothingIsSent() {
    fromCaller(ProxyTest.invite());
    fromCaller(ProxyTest.cancel());
    assertEquals(List.of(100, 200, 487), statusesTo(caller));
    zone.release();
    assertEquals(List.of(), to(first), "no INVITE after the CANCEL");
    fromCaller(ProxyTest.ackForNon2xx(last(caller).toTag()));
    assertAllTransactionsEnd();
  }

  @Test
  void aTargetWithAnExplicitTransportAndNoListenerForItIsNotResolved() {
    action =
        RouteAction.forward(
            List.of(Target.destination("sip:trunk.test;transport=tcp", null)), false, true);
    fromCaller(ProxyTest.invite());
    assertEquals(List.of(100, 500), statusesTo(caller), "answered at once: nothing to ask");
    assertTrue(zone.asked().isEmpty());
    fromCaller(ProxyTest.ackForNon2xx(last(caller).toTag()));
    assertAllTransactionsEnd();
  }
}
