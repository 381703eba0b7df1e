package io.sbc.runtime.sip.transaction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sbc.runtime.sip.message.SipLimits;
import io.sbc.runtime.sip.message.SipMessage;
import io.sbc.runtime.sip.message.SipMessageDecoder;
import io.sbc.runtime.sip.timer.ManualClock;
import io.sbc.runtime.sip.transport.Flow;
import io.sbc.runtime.sip.transport.Listener;
import io.sbc.runtime.sip.transport.Loop;
import io.sbc.runtime.sip.transport.Protocol;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** RFC 3261 section 17.2 (with RFC 6026) server transactions, driven by a manual clock. */
class ServerTransactionTest {
  static final SipMessageDecoder DECODER = new SipMessageDecoder(SipLimits.DEFAULT);

  final ManualClock clock = new ManualClock(0);
  final Loop loop = new Loop(0, null, null, clock);
  final List<Sent> sent = new ArrayList<>();
  final MessageSender sender =
      (l, flow, data, onFailure) -> sent.add(new Sent(clock.millis(), flow, data));
  final TransactionLayer tl =
      new TransactionLayer(sender, new TimerSettings(500, 4000, 5000, 180000));
  final Listener udp =
      new Listener("udp", Protocol.UDP, new InetSocketAddress("127.0.0.1", 5060), null);
  final Listener tcp =
      new Listener("tcp", Protocol.TCP, new InetSocketAddress("127.0.0.1", 5060), null);
  final InetSocketAddress caller = new InetSocketAddress("10.0.0.1", 5060);

  record Sent(long at, Flow flow, byte[] data) {}

  static SipMessage msg(String s) {
    byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
    SipMessage m = DECODER.decode(b, b.length, false);
    assertNull(m.error(), () -> "test message must parse: " + m.error());
    return m;
  }

  static String request(String method, String branch, String toTag) {
    return request(method, branch, toTag, "10.0.0.1:5060");
  }

  static String request(String method, String branch, String toTag, String sentBy) {
    return method
        + " sip:bob@example.com SIP/2.0\r\n"
        + "Via: SIP/2.0/UDP "
        + sentBy
        + (branch == null ? "" : ";branch=" + branch)
        + "\r\n"
        + "Max-Forwards: 70\r\n"
        + "From: <sip:alice@example.com>;tag=a1\r\n"
        + "To: <sip:bob@example.com>"
        + (toTag == null ? "" : ";tag=" + toTag)
        + "\r\n"
        + "Call-ID: call-2@10.0.0.1\r\n"
        + "CSeq: 7 "
        + method
        + "\r\n"
        + "Content-Length: 0\r\n\r\n";
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  ServerTransaction create(String method, Listener l) {
    SipMessage req = msg(request(method, "z9hG4bKabc", null));
    String key = TransactionLayer.serverKey(req);
    ServerTransaction tx = tl.createServer(loop, key, req, new Flow(l, caller, null));
    assertSame(tx, tl.findServer(key));
    return tx;
  }

  void runUntil(long until) {
    while (clock.millis() < until) {
      clock.advance(Math.min(10, until - clock.millis()));
      loop.timers().advance();
    }
  }

  List<Long> sendTimes() {
    List<Long> r = new ArrayList<>();
    for (Sent s : sent) {
      r.add(s.at());
    }
    return r;
  }

  // --- keys (section 17.2.3) ---------------------------------------------------------------

  @Test
  void keysMatchInviteAckAndCancelButSeparateOtherMethods() {
    String invite = TransactionLayer.serverKey(msg(request("INVITE", "z9hG4bKabc", null)));
    assertEquals(invite, TransactionLayer.serverKey(msg(request("ACK", "z9hG4bKabc", "t"))));
    assertEquals(invite, TransactionLayer.serverKey(msg(request("CANCEL", "z9hG4bKabc", null))));
    assertNotEquals(invite, TransactionLayer.serverKey(msg(request("BYE", "z9hG4bKabc", null))));
    assertNotEquals(invite, TransactionLayer.serverKey(msg(request("INVITE", "z9hG4bKx", null))));
  }

  @Test
  void rfc2543KeysUseTheRequestFields() {
    String invite = TransactionLayer.serverKey(msg(request("INVITE", null, null)));
    assertEquals(invite, TransactionLayer.serverKey(msg(request("INVITE", null, null))));
    assertEquals(invite, TransactionLayer.serverKey(msg(request("CANCEL", null, null))));
    assertEquals(invite, TransactionLayer.serverKey(msg(request("ACK", null, "t"))));
    assertNotEquals(invite, TransactionLayer.serverKey(msg(request("BYE", null, null))));
    String other = TransactionLayer.serverKey(msg(request("INVITE", "1234", null)));
    assertNotEquals(invite, other, "the top Via is part of an RFC 2543 key");
  }

  @Test
  void createReturnsTheExistingTransaction() {
    ServerTransaction a = create("INVITE", udp);
    ServerTransaction b = create("INVITE", udp);
    assertSame(a, b);
    assertEquals(1, tl.serverCount());
  }

  // --- INVITE: G, H, I ---------------------------------------------------------------------

  @Test
  void inviteRetransmissionResendsTheLastProvisional() {
    ServerTransaction tx = create("INVITE", udp);
    assertEquals(ServerTransaction.State.PROCEEDING, tx.state());
    tx.onRetransmission();
    assertEquals(0, sent.size(), "nothing to resend yet");
    byte[] trying = bytes("SIP/2.0 100 Trying\r\n\r\n");
    tx.sendResponse(100, trying);
    tx.onRetransmission();
    assertEquals(2, sent.size());
    assertArrayEquals(trying, sent.get(1).data());
    assertEquals(caller, sent.get(1).flow().remote());
    byte[] ringing = bytes("SIP/2.0 180 Ringing\r\n\r\n");
    tx.sendResponse(180, ringing);
    tx.onRetransmission();
    assertArrayEquals(ringing, sent.get(3).data());
    assertFalse(tx.isFinalSent());
  }

  @Test
  void non2xxFinalIsRetransmittedWithTimerGUntilTheAck() {
    ServerTransaction tx = create("INVITE", udp);
    tx.sendResponse(100, bytes("SIP/2.0 100 Trying\r\n\r\n"));
    byte[] busy = bytes("SIP/2.0 486 Busy Here\r\n\r\n");
    runUntil(1000);
    tx.sendResponse(486, busy);
    assertEquals(ServerTransaction.State.COMPLETED, tx.state());
    assertTrue(tx.isFinalSent());
    runUntil(12_490);
    // 1000 (sent), then +500, +1000, +2000, +4000, and +4000 (capped at T2) at 12500.
    assertEquals(List.of(0L, 1000L, 1500L, 2500L, 4500L, 8500L), sendTimes());
    // A retransmitted INVITE gets the final again.
    tx.onRetransmission();
    assertEquals(7, sent.size());
    assertArrayEquals(busy, sent.get(6).data());
    // Later responses from the TU are ignored.
    tx.sendResponse(500, bytes("SIP/2.0 500 No\r\n\r\n"));
    assertEquals(7, sent.size());
    runUntil(12_500);
    assertEquals(8, sent.size());
    assertTrue(tx.onAck());
    assertEquals(ServerTransaction.State.CONFIRMED, tx.state());
    // Confirmed: no more retransmissions; further ACKs and INVITEs are absorbed.
    assertTrue(tx.onAck());
    tx.onRetransmission();
    runUntil(12_500 + 4_990);
    assertEquals(8, sent.size());
    assertEquals(ServerTransaction.State.CONFIRMED, tx.state());
    // Timer I: T4.
    runUntil(12_500 + 5_000);
    assertEquals(ServerTransaction.State.TERMINATED, tx.state());
    assertEquals(0, tl.serverCount());
    assertEquals(0, loop.timers().size());
  }

  @Test
  void timerHEndsTheTransactionWithoutAck() {
    ServerTransaction tx = create("INVITE", udp);
    tx.sendResponse(404, bytes("SIP/2.0 404 Not Found\r\n\r\n"));
    runUntil(31_990);
    assertEquals(ServerTransaction.State.COMPLETED, tx.state());
    int n = sent.size();
    // 0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500
    assertEquals(11, n);
    runUntil(32_000);
    assertEquals(ServerTransaction.State.TERMINATED, tx.state());
    assertEquals(0, tl.serverCount());
    runUntil(60_000);
    assertEquals(n, sent.size());
  }

  @Test
  void reliableInviteHasNoTimerGAndTimerIIsZero() {
    ServerTransaction tx = create("INVITE", tcp);
    tx.sendResponse(486, bytes("SIP/2.0 486 Busy Here\r\n\r\n"));
    runUntil(20_000);
    assertEquals(1, sent.size(), "no timer G on TCP");
    tx.onAck();
    assertEquals(ServerTransaction.State.TERMINATED, tx.state());
    assertEquals(0, tl.serverCount());
  }

  @Test
  void reliableInviteStillHasTimerH() {
    ServerTransaction tx = create("INVITE", tcp);
    tx.sendResponse(486, bytes("SIP/2.0 486 Busy Here\r\n\r\n"));
    runUntil(32_000);
    assertEquals(ServerTransaction.State.TERMINATED, tx.state());
    assertEquals(1, sent.size());
  }

  // --- RFC 6026 Accepted -------------------------------------------------------------------

  @Test
  void acceptedAbsorbsInviteRetransmissionsAndPasses2xx() {
    ServerTransaction tx = create("INVITE", udp);
    tx.sendResponse(100, bytes("SIP/2.0 100 Trying\r\n\r\n"));
    byte[] ok = bytes("SIP/2.0 200 OK\r\n\r\n");
    tx.sendResponse(200, ok);
    assertEquals(ServerTransaction.State.ACCEPTED, tx.state());
    assertEquals(2, sent.size());
    tx.onRetransmission();
    assertEquals(2, sent.size(), "a retransmitted INVITE is absorbed in Accepted");
    tx.sendResponse(200, ok);
    tx.sendResponse(200, bytes("SIP/2.0 200 OK (other fork)\r\n\r\n"));
    assertEquals(4, sent.size(), "2xx pass in Accepted");
    tx.sendResponse(180, bytes("SIP/2.0 180 Ringing\r\n\r\n"));
    tx.sendResponse(486, bytes("SIP/2.0 486 Busy Here\r\n\r\n"));
    assertEquals(4, sent.size(), "no non-2xx after a 2xx");
    // RFC 6026 figure 7: an ACK matching the transaction in Accepted is the TU's (a 2xx ACK).
    assertFalse(tx.onAck());
    assertEquals(ServerTransaction.State.ACCEPTED, tx.state());
    runUntil(10_000);
    assertEquals(4, sent.size(), "the server transaction never retransmits a 2xx");
    // Timer L: 64*T1.
    runUntil(31_990);
    assertEquals(ServerTransaction.State.ACCEPTED, tx.state());
    runUntil(32_000);
    assertEquals(ServerTransaction.State.TERMINATED, tx.state());
    assertEquals(0, tl.serverCount());
  }

  // --- non-INVITE: J -----------------------------------------------------------------------

  @Test
  void nonInviteAbsorbsRetransmissionsAndLingersForTimerJ() {
    ServerTransaction tx = create("BYE", udp);
    assertEquals(ServerTransaction.State.TRYING, tx.state());
    tx.onRetransmission();
    assertEquals(0, sent.size(), "Trying: retransmissions are absorbed silently");
    byte[] trying = bytes("SIP/2.0 100 Trying\r\n\r\n");
    tx.sendResponse(100, trying);
    assertEquals(ServerTransaction.State.PROCEEDING, tx.state());
    tx.onRetransmission();
    assertEquals(2, sent.size());
    byte[] ok = bytes("SIP/2.0 200 OK\r\n\r\n");
    tx.sendResponse(200, ok);
    assertEquals(ServerTransaction.State.COMPLETED, tx.state());
    tx.onRetransmission();
    assertEquals(4, sent.size());
    assertArrayEquals(ok, sent.get(3).data());
    tx.sendResponse(200, ok);
    tx.onAck();
    assertEquals(4, sent.size(), "later responses ignored; ACK means nothing here");
    runUntil(20_000);
    assertEquals(4, sent.size(), "no retransmission of a non-INVITE final");
    runUntil(31_990);
    assertEquals(ServerTransaction.State.COMPLETED, tx.state());
    runUntil(32_000);
    assertEquals(ServerTransaction.State.TERMINATED, tx.state());
    assertEquals(0, tl.serverCount());
  }

  @Test
  void reliableNonInviteEndsAtTheFinal() {
    ServerTransaction tx = create("OPTIONS", tcp);
    tx.sendResponse(200, bytes("SIP/2.0 200 OK\r\n\r\n"));
    assertEquals(ServerTransaction.State.TERMINATED, tx.state());
    assertEquals(0, tl.serverCount());
    assertEquals(0, loop.timers().size());
  }

  @Test
  void countsReturnToZero() {
    ServerTransaction a = create("INVITE", udp);
    SipMessage bye = msg(request("BYE", "z9hG4bKbye", "t"));
    ServerTransaction b =
        tl.createServer(loop, TransactionLayer.serverKey(bye), bye, new Flow(udp, caller, null));
    assertEquals(2, tl.serverCount());
    a.sendResponse(603, bytes("SIP/2.0 603 Decline\r\n\r\n"));
    b.sendResponse(200, bytes("SIP/2.0 200 OK\r\n\r\n"));
    a.onAck();
    runUntil(40_000);
    assertEquals(0, tl.serverCount());
    assertEquals(0, loop.timers().size());
  }

  // --- sent-by in the key (section 17.2.3) ---------------------------------------------------

  static String key(String method, String sentBy) {
    return TransactionLayer.serverKey(msg(request(method, "z9hG4bKsame", null, sentBy)));
  }

  @Test
  void sameBranchFromAnotherSentByIsAnotherTransaction() {
    String a = key("INVITE", "10.0.0.1:5060");
    assertNotEquals(a, key("INVITE", "10.0.0.7:5060"), "another host");
    assertNotEquals(a, key("INVITE", "10.0.0.1:5070"), "another port");
    assertNotEquals(a, key("INVITE", "10.0.0.1"), "a port written is not a port left out");
    assertNotEquals(key("BYE", "a.example.com"), key("BYE", "b.example.com"));
    // Host names compare without case; ACK and CANCEL from the same sent-by match the INVITE.
    assertEquals(key("INVITE", "pbx.example.com:5060"), key("INVITE", "PBX.Example.COM:5060"));
    assertEquals(a, key("ACK", "10.0.0.1:5060"));
    assertEquals(a, key("CANCEL", "10.0.0.1:5060"));
    assertNotEquals(a, key("CANCEL", "10.0.0.9:5060"), "a CANCEL from elsewhere cancels nothing");

    SipMessage first = msg(request("INVITE", "z9hG4bKsame", null, "10.0.0.1:5060"));
    SipMessage second = msg(request("INVITE", "z9hG4bKsame", null, "10.0.0.7:5060"));
    ServerTransaction t1 =
        tl.createServer(
            loop, TransactionLayer.serverKey(first), first, new Flow(udp, caller, null));
    ServerTransaction t2 =
        tl.createServer(
            loop,
            TransactionLayer.serverKey(second),
            second,
            new Flow(udp, new InetSocketAddress("10.0.0.7", 5060), null));
    assertNotSame(t1, t2);
    assertEquals(2, tl.serverCount());
    // Each gets its own answer: the second is not taken for a retransmission of the first.
    t1.sendResponse(486, bytes("SIP/2.0 486 Busy Here\r\n\r\n"));
    assertEquals(ServerTransaction.State.PROCEEDING, t2.state());
  }

  // --- the fallback: every server transaction ends ---------------------------------------

  static final class RecordingOwner implements ServerTransaction.Owner {
    final List<ServerTransaction> calls = new ArrayList<>();
    final List<Boolean> finalSentWhenCalled = new ArrayList<>();

    @Override
    public void onFallback(ServerTransaction tx) {
      calls.add(tx);
      finalSentWhenCalled.add(tx.isFinalSent());
    }
  }

  static final class Captured extends Handler {
    final List<LogRecord> records = new ArrayList<>();

    @Override
    public void publish(LogRecord r) {
      records.add(r);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  }

  /** The default timers: timer C 180 s, then 64*T1 = 32 s, plus T4 = 5 s. */
  static final long INVITE_FALLBACK = 180_000 + 32_000 + 5_000;

  static final long NON_INVITE_FALLBACK = 32_000 + 5_000;

  @Test
  void fallbackAnswers500WhenTheUserNeverSendsAFinal() {
    assertEquals(INVITE_FALLBACK, tl.timers().serverFallback(true));
    Logger logger = Logger.getLogger(ServerTransaction.class.getName());
    Captured log = new Captured();
    logger.addHandler(log);
    try {
      ServerTransaction tx = create("INVITE", udp);
      RecordingOwner owner = new RecordingOwner();
      tx.attach(owner);
      tx.sendResponse(100, bytes("SIP/2.0 100 Trying\r\n\r\n"));
      runUntil(INVITE_FALLBACK - 10);
      assertEquals(1, sent.size(), "nothing before the fallback");
      assertEquals(0, tl.fallbacks());
      runUntil(INVITE_FALLBACK);
      assertEquals(2, sent.size());
      SipMessage r = msg(new String(sent.get(1).data(), StandardCharsets.ISO_8859_1));
      assertEquals(500, r.status());
      assertEquals("Server Internal Error", r.reason());
      assertEquals("z9hG4bKabc", r.topVia().branch());
      assertEquals("call-2@10.0.0.1", r.callId());
      assertEquals("a1", r.fromTag());
      assertNotNull(r.toTag(), "section 8.2.6.2: a To tag is added");
      assertEquals(7, r.cseq());
      assertEquals("INVITE", r.cseqMethod());
      assertEquals(caller, sent.get(1).flow().remote());
      assertEquals(1, tl.fallbacks());
      assertEquals(List.of(tx), owner.calls);
      assertEquals(List.of(true), owner.finalSentWhenCalled, "told after the 500 went out");
      assertEquals(ServerTransaction.State.COMPLETED, tx.state());
      assertEquals(1, log.records.size());
      LogRecord w = log.records.get(0);
      assertEquals(Level.WARNING, w.getLevel());
      String text = String.format(w.getMessage(), w.getParameters());
      assertTrue(text.contains("call-2@10.0.0.1") && text.contains("500"), text);

      // Completed as after any non-2xx final: timer G retransmits the 500, the ACK ends it.
      runUntil(INVITE_FALLBACK + 500);
      assertEquals(3, sent.size());
      assertArrayEquals(sent.get(1).data(), sent.get(2).data());
      tx.onRetransmission();
      assertEquals(4, sent.size(), "a retransmitted INVITE gets the 500 again");
      // The user's late final goes nowhere.
      tx.sendResponse(487, bytes("SIP/2.0 487 Request Terminated\r\n\r\n"));
      assertEquals(4, sent.size());
      assertTrue(tx.onAck());
      runUntil(INVITE_FALLBACK + 500 + 5_000);
      assertEquals(ServerTransaction.State.TERMINATED, tx.state());
      assertEquals(0, tl.serverCount());
      assertEquals(0, loop.timers().size());
      assertEquals(1, owner.calls.size(), "told once");
      assertEquals(1, log.records.size(), "warned once");
    } finally {
      logger.removeHandler(log);
    }
  }

  @Test
  void fallbackEndsAnInviteEvenWithoutAck() {
    ServerTransaction tx = create("INVITE", tcp);
    runUntil(INVITE_FALLBACK);
    assertEquals(1, sent.size());
    assertEquals(500, msg(new String(sent.get(0).data(), StandardCharsets.ISO_8859_1)).status());
    // Timer H: 64*T1 later the transaction ends, ACK or not.
    runUntil(INVITE_FALLBACK + 32_000);
    assertEquals(ServerTransaction.State.TERMINATED, tx.state());
    assertEquals(0, tl.serverCount());
    assertEquals(0, loop.timers().size());
    assertEquals(1, sent.size(), "no timer G on TCP");
  }

  @Test
  void provisionalAbove100RestartsTheInviteFallback() {
    ServerTransaction tx = create("INVITE", udp);
    tx.sendResponse(100, bytes("SIP/2.0 100 Trying\r\n\r\n"));
    runUntil(100_000);
    tx.sendResponse(100, bytes("SIP/2.0 100 Trying\r\n\r\n"));
    tx.sendResponse(180, bytes("SIP/2.0 180 Ringing\r\n\r\n"));
    runUntil(100_000 + INVITE_FALLBACK - 10);
    assertEquals(0, tl.fallbacks(), "restarted by the 180 (as timer C is), not by a 100");
    assertFalse(tx.isFinalSent());
    runUntil(100_000 + INVITE_FALLBACK);
    assertEquals(1, tl.fallbacks());
    assertTrue(tx.isFinalSent());
    assertEquals(500, tx.lastStatus());
  }

  @Test
  void restartFallbackGivesANewBranchItsTime() {
    ServerTransaction tx = create("INVITE", udp);
    runUntil(200_000);
    tx.restartFallback(); // serial failover: a new branch starts
    runUntil(200_000 + INVITE_FALLBACK - 10);
    assertEquals(0, tl.fallbacks());
    runUntil(200_000 + INVITE_FALLBACK);
    assertEquals(1, tl.fallbacks());
    tx.restartFallback(); // after the final: nothing
    assertEquals(ServerTransaction.State.COMPLETED, tx.state());
    runUntil(200_000 + 2 * INVITE_FALLBACK);
    assertEquals(1, tl.fallbacks());
    assertEquals(0, loop.timers().size());
  }

  @Test
  void nonInviteFallbackAfter64T1AndPlainAttachmentsStillWork() {
    assertEquals(NON_INVITE_FALLBACK, tl.timers().serverFallback(false));
    ServerTransaction tx = create("BYE", tcp);
    Object plain = new Object();
    tx.attach(plain);
    assertSame(plain, tx.attachment());
    tx.sendResponse(100, bytes("SIP/2.0 100 Trying\r\n\r\n"));
    runUntil(NON_INVITE_FALLBACK - 10);
    assertEquals(1, sent.size(), "a provisional does not extend a non-INVITE");
    runUntil(NON_INVITE_FALLBACK);
    assertEquals(2, sent.size());
    SipMessage r = msg(new String(sent.get(1).data(), StandardCharsets.ISO_8859_1));
    assertEquals(500, r.status(), "RFC 4320 4.2: never 408 to a non-INVITE");
    assertEquals("BYE", r.cseqMethod());
    // Timer J is zero on a reliable transport.
    assertEquals(ServerTransaction.State.TERMINATED, tx.state());
    assertEquals(0, tl.serverCount());
    assertEquals(0, loop.timers().size());
    assertEquals(1, tl.fallbacks());
  }

  @Test
  void noFallbackOnceAFinalWentOut() {
    ServerTransaction invite = create("INVITE", udp);
    SipMessage bye = msg(request("BYE", "z9hG4bKbye", "t"));
    ServerTransaction b =
        tl.createServer(loop, TransactionLayer.serverKey(bye), bye, new Flow(udp, caller, null));
    runUntil(20_000);
    invite.sendResponse(200, bytes("SIP/2.0 200 OK\r\n\r\n"));
    b.sendResponse(200, bytes("SIP/2.0 200 OK\r\n\r\n"));
    runUntil(1_000_000);
    assertEquals(2, sent.size());
    assertEquals(0, tl.fallbacks());
    assertEquals(0, tl.serverCount());
    assertEquals(0, loop.timers().size());
  }

  @Test
  void aTransactionThatLostTheRaceForItsKeyLeavesNoTimer() {
    ServerTransaction a = create("INVITE", udp);
    assertEquals(1, loop.timers().size(), "the fallback");
    ServerTransaction b = create("INVITE", udp);
    assertSame(a, b);
    assertEquals(1, loop.timers().size());
    runUntil(INVITE_FALLBACK);
    assertEquals(1, tl.fallbacks(), "one 500, not one per attempt");
    assertEquals(1, sent.size());
  }

  @Test
  void fallbackAnswerKeepsAnExistingToTagAndTheSameTagOnRetransmission() {
    SipMessage inDialog = msg(request("INVITE", "z9hG4bKre", "callee1"));
    ServerTransaction tx =
        tl.createServer(
            loop, TransactionLayer.serverKey(inDialog), inDialog, new Flow(udp, caller, null));
    runUntil(INVITE_FALLBACK);
    SipMessage r = msg(new String(sent.get(0).data(), StandardCharsets.ISO_8859_1));
    assertEquals("callee1", r.toTag());
    runUntil(INVITE_FALLBACK + 500);
    assertArrayEquals(sent.get(0).data(), sent.get(1).data());
    assertEquals(ServerTransaction.State.COMPLETED, tx.state());
  }
}
