package io.sbc.runtime.sip.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

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
import org.junit.jupiter.api.Test;

/**
 * Call admission control fed with bytes: a rule's calls in progress and new calls per second, 503
 * with Retry-After over a limit, slots given back when a call fails, ends or is forgotten.
 */
class CallAdmissionTest {
  static final SipMessageDecoder DECODER = new SipMessageDecoder(SipLimits.DEFAULT);
  static final String RULE = "limited";

  final ManualClock clock = new ManualClock(0);
  final Loop loop = new Loop(0, null, null, clock);
  final List<byte[]> toCaller = new ArrayList<>();
  final List<byte[]> toCallee = new ArrayList<>();
  final InetSocketAddress caller = new InetSocketAddress("192.0.2.1", 5062);
  final InetSocketAddress callee = new InetSocketAddress("10.0.0.2", 5060);
  final MessageSender sender =
      (l, flow, data, onFailure) -> (flow.remote().equals(caller) ? toCaller : toCallee).add(data);
  final TransactionLayer tl =
      new TransactionLayer(sender, new TimerSettings(500, 4000, 5000, 180000));
  final Listener udp =
      new Listener("udp", Protocol.UDP, new InetSocketAddress("127.0.0.1", 5060), null);
  final CallAdmission admission = new CallAdmission(clock, 3_600_000, 300_000);
  CallLimit limit = new CallLimit(2, 0, 0, 7);
  final Router router =
      (m, f) ->
          new RouteAction(
              List.of(Target.parse("sip:10.0.0.2:5060", null)),
              false,
              true,
              0,
              null,
              null,
              null,
              FailoverPolicy.DEFAULT,
              RULE,
              EdgePolicy.NONE,
              limit,
              MediaPolicy.NONE,
              AccessPolicy.NONE);
  final Proxy proxy =
      Proxy.builder()
          .decoder(DECODER)
          .transactions(tl)
          .settings(new ProxySettings(false, 70))
          .myself(new Myself(List.of(udp), Set.of(), Set.of()))
          .router(router)
          .clock(clock)
          .callAdmission(admission)
          .build();

  static String invite(String callId) {
    return "INVITE sip:bob@example.com SIP/2.0\r\n"
        + "Via: SIP/2.0/UDP 192.0.2.1:5062;branch=z9hG4bK-"
        + callId
        + ";rport\r\n"
        + "Max-Forwards: 70\r\n"
        + "From: <sip:alice@example.com>;tag=a1\r\n"
        + "To: <sip:bob@example.com>\r\n"
        + "Call-ID: "
        + callId
        + "\r\n"
        + "CSeq: 1 INVITE\r\n"
        + "Contact: <sip:alice@192.0.2.1:5062>\r\n"
        + "Content-Length: 0\r\n\r\n";
  }

  void call(String callId) {
    proxy.receive(
        loop, new Flow(udp, caller, null), invite(callId).getBytes(StandardCharsets.ISO_8859_1));
  }

  /** The callee answers the INVITE of this Call-ID it received. */
  void answer(String callId, int status) {
    for (byte[] b : toCallee) {
      SipMessage m = DECODER.decode(b, b.length, false);
      if (m.isRequest() && m.method().equals("INVITE") && callId.equals(m.callId())) {
        byte[] r = Responses.build(m, status, Responses.reason(status), "b" + callId, null);
        proxy.receive(loop, new Flow(udp, callee, null), r);
        return;
      }
    }
    throw new AssertionError("no INVITE " + callId + " reached the callee");
  }

  /** The final responses the caller got, as "status Call-ID [Retry-After]". */
  List<String> finals() {
    List<String> out = new ArrayList<>();
    for (byte[] b : toCaller) {
      SipMessage m = DECODER.decode(b, b.length, false);
      assertNull(m.error());
      if (m.status() >= 200) {
        String ra = m.headerValue(io.sbc.runtime.sip.message.HeaderName.RETRY_AFTER);
        out.add(m.status() + " " + m.callId() + (ra == null ? "" : " " + ra));
      }
    }
    return out;
  }

  int invitesForwarded() {
    int n = 0;
    for (byte[] b : toCallee) {
      SipMessage m = DECODER.decode(b, b.length, false);
      n += m.isRequest() && m.method().equals("INVITE") ? 1 : 0;
    }
    return n;
  }

  int active() {
    CallAdmission.RuleCounts c = admission.rule(RULE);
    return c == null ? 0 : c.active();
  }

  @Test
  void overMaxCallsA503WithRetryAfterAndSlotsComeBackWhenCallsEnd() {
    call("c1");
    call("c2");
    call("c3");
    assertEquals(2, invitesForwarded(), "two calls pass");
    assertEquals(List.of("503 c3 7"), finals());
    assertEquals(2, active());
    assertEquals(1, admission.rule(RULE).refused(CallAdmission.Refusal.MAX_CALLS));
    // c1 fails at the callee: its slot comes back and the next call passes.
    answer("c1", 486);
    assertEquals(1, active());
    call("c4");
    assertEquals(3, invitesForwarded());
    assertEquals(2, active());
    // c2 is answered: it keeps its slot until its BYE succeeds.
    answer("c2", 200);
    call("c5");
    assertEquals(List.of("503 c3 7", "486 c1", "200 c2", "503 c5 7"), finals());
    proxy.calls().ended("c2", CallEvents.EndReason.BYE, 200); // as a BYE answered 2xx does
    assertEquals(1, active());
    // The INVITE of c3 again, once there is room: a refused call held nothing.
    call("c3-retry");
    assertEquals(2, active());
    assertEquals(2, admission.active());
  }

  @Test
  void theGatewaysShareLimitsEveryRuleTogetherAndANewShareAppliesToNewCalls() {
    limit = null; // the rule has no limits of its own: only the gateway's
    admission.gatewayLimit(new CallLimit(2, 0, 0, 9));
    call("c1");
    call("c2");
    call("c3");
    assertEquals(2, invitesForwarded());
    assertEquals(List.of("503 c3 9"), finals(), "the gateway's Retry-After");
    assertEquals(2, admission.gateway().active());
    assertEquals(1, admission.gateway().refused(CallAdmission.Refusal.GATEWAY_MAX_CALLS));
    // a larger share (a replica less): room for one more, counts kept
    admission.gatewayLimit(new CallLimit(3, 0, 0, 9));
    call("c4");
    assertEquals(3, invitesForwarded());
    answer("c1", 486);
    assertEquals(2, admission.gateway().active(), "a failed call gives its gateway slot back");
    // a rule refusing a call the gateway admitted gives the gateway's slot back
    limit = new CallLimit(1, 0, 0, 7);
    admission.gatewayLimit(new CallLimit(10, 0, 0, 9));
    call("c5");
    call("c6");
    assertEquals(List.of("503 c3 9", "486 c1", "503 c6 7"), finals());
    assertEquals(3, admission.gateway().active());
    admission.gatewayLimit(null);
    call("c7"); // the rule's limit still holds, the gateway's is gone
    assertEquals(List.of("503 c3 9", "486 c1", "503 c6 7", "503 c7 7"), finals());
  }

  @Test
  void aCallNobodyEndsIsForgottenAfterTheLongestCall() {
    call("c1");
    answer("c1", 200);
    call("c2"); // never answered: its transaction ends in a timeout, which fails it
    assertEquals(2, active());
    while (clock.millis() < 300_000) {
      clock.advance(10);
      loop.timers().advance();
    }
    assertEquals(0, admission.sweep(), "c2 ended by its timeout (408), c1 is answered");
    assertEquals(1, active());
    clock.advance(3_600_000);
    assertEquals(1, admission.sweep());
    assertEquals(0, active());
  }

  @Test
  void overMaxCallsPerSecondA503UntilATokenComesBack() {
    limit = new CallLimit(0, 2, 0, 0);
    call("c1");
    call("c2");
    call("c3");
    assertEquals(2, invitesForwarded());
    assertEquals(List.of("503 c3"), finals(), "no Retry-After with retryAfterSeconds 0");
    assertEquals(1, admission.rule(RULE).refused(CallAdmission.Refusal.MAX_CALLS_PER_SECOND));
    clock.advance(499);
    call("c4");
    assertEquals(2, invitesForwarded());
    clock.advance(1);
    call("c5");
    assertEquals(3, invitesForwarded());
    assertEquals(3, active(), "counted for status even without maxCalls");
  }

  @Test
  void inDialogRequestsAndOtherMethodsAreNotCalls() {
    limit = new CallLimit(1, 0, 0, 5);
    call("c1");
    String options = invite("o1").replace("INVITE", "OPTIONS");
    proxy.receive(loop, new Flow(udp, caller, null), options.getBytes(StandardCharsets.ISO_8859_1));
    assertEquals(1, active());
    assertEquals(List.of(), finals().stream().filter(f -> f.startsWith("503")).toList());
  }

  @Test
  void overMaxCallsPerSourceOnlyThatSourceIsRefused() {
    limit = new CallLimit(0, 0, 2, 3);
    call("c1");
    call("c2");
    call("c3");
    assertEquals(List.of("503 c3 3"), finals());
    assertEquals(1, admission.rule(RULE).refused(CallAdmission.Refusal.MAX_CALLS_PER_SOURCE));
    assertEquals(1, admission.rule(RULE).sources());
    // Another source still gets through.
    InetSocketAddress other = new InetSocketAddress("192.0.2.9", 5062);
    proxy.receive(
        loop,
        new Flow(udp, other, null),
        invite("d1").replace("192.0.2.1", "192.0.2.9").getBytes(StandardCharsets.ISO_8859_1));
    assertEquals(3, invitesForwarded());
    assertEquals(2, admission.rule(RULE).sources());
    // The first source's call ends: room for one more of its calls; the entry goes at 0.
    answer("c1", 486);
    answer("c2", 486);
    assertEquals(1, admission.rule(RULE).sources(), "a source with no call left is forgotten");
    call("c4");
    assertEquals(4, invitesForwarded());
  }
}
