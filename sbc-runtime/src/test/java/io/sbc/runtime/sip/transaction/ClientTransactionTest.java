package io.sbc.runtime.sip.transaction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.embedded.EmbeddedChannel;
import io.sbc.runtime.sip.message.HeaderName;
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
import org.junit.jupiter.api.Test;

/** RFC 3261 section 17.1 (with RFC 6026) client transactions, driven by a manual clock. */
class ClientTransactionTest {
  static final SipMessageDecoder DECODER = new SipMessageDecoder(SipLimits.DEFAULT);

  final ManualClock clock = new ManualClock(0);
  final Loop loop = new Loop(0, null, null, clock);
  final List<Sent> sent = new ArrayList<>();
  boolean failSends;
  final MessageSender sender =
      (l, flow, data, onFailure) -> {
        sent.add(new Sent(clock.millis(), flow, data));
        if (failSends && onFailure != null) {
          l.execute(onFailure);
        }
      };
  final TransactionLayer tl =
      new TransactionLayer(sender, new TimerSettings(500, 4000, 5000, 180000));
  final Listener udp =
      new Listener("udp", Protocol.UDP, new InetSocketAddress("127.0.0.1", 5060), null);
  final Listener tcp =
      new Listener("tcp", Protocol.TCP, new InetSocketAddress("127.0.0.1", 5060), null);
  final InetSocketAddress peer = new InetSocketAddress("10.0.0.2", 5070);
  final RecordingOwner owner = new RecordingOwner();

  record Sent(long at, Flow flow, byte[] data) {
    SipMessage decode() {
      return DECODER.decode(data, data.length, false);
    }
  }

  static final class RecordingOwner implements ClientTransaction.Owner {
    final List<SipMessage> responses = new ArrayList<>();
    int timeouts;
    int transportErrors;

    @Override
    public void onResponse(ClientTransaction tx, SipMessage response) {
      responses.add(response);
    }

    @Override
    public void onTimeout(ClientTransaction tx) {
      timeouts++;
    }

    @Override
    public void onTransportError(ClientTransaction tx) {
      transportErrors++;
    }
  }

  static final String BRANCH = "z9hG4bK-sbcTEST-0000abcd1";

  static String request(String method, long cseq) {
    return method
        + " sip:bob@10.0.0.2:5070 SIP/2.0\r\n"
        + "Via: SIP/2.0/UDP 127.0.0.1:5060;branch="
        + BRANCH
        + "\r\n"
        + "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKcaller;received=10.0.0.1;rport=5060\r\n"
        + "Route: <sip:10.0.0.9;lr>\r\n"
        + "Max-Forwards: 69\r\n"
        + "From: <sip:alice@example.com>;tag=a1\r\n"
        + "To: <sip:bob@example.com>\r\n"
        + "Call-ID: call-1@10.0.0.1\r\n"
        + "CSeq: "
        + cseq
        + " "
        + method
        + "\r\n"
        + "Content-Length: 0\r\n\r\n";
  }

  static SipMessage response(String method, long cseq, int status, String toTag) {
    return response(method, cseq, status, toTag, null);
  }

  /** A response; {@code cseqMethod} null for the same as {@code method}. */
  static SipMessage response(
      String method, long cseq, int status, String toTag, String cseqMethod) {
    String s =
        "SIP/2.0 "
            + status
            + " Whatever\r\n"
            + "Via: SIP/2.0/UDP 127.0.0.1:5060;branch="
            + BRANCH
            + "\r\n"
            + "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKcaller;received=10.0.0.1;rport=5060\r\n"
            + "From: <sip:alice@example.com>;tag=a1\r\n"
            + "To: <sip:bob@example.com>"
            + (toTag == null ? "" : ";tag=" + toTag)
            + "\r\n"
            + "Call-ID: call-1@10.0.0.1\r\n"
            + "CSeq: "
            + cseq
            + " "
            + (cseqMethod == null ? method : cseqMethod)
            + "\r\n"
            + "Content-Length: 0\r\n\r\n";
    byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
    SipMessage m = DECODER.decode(b, b.length, false);
    assertNull(m.error());
    return m;
  }

  ClientTransaction start(String method, Listener l) {
    byte[] req = request(method, 1).getBytes(StandardCharsets.ISO_8859_1);
    return tl.startClient(
        loop, BRANCH, method.equals("INVITE"), new Flow(l, peer, null), req, owner);
  }

  /** Moves the clock to {@code until} in 10 ms steps, firing timers as they fall due. */
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

  // --- INVITE: timers A, B, C, D -----------------------------------------------------------

  @Test
  void timerARetransmitsAtT1DoublingAndTimerBTimesOutAt64T1() {
    ClientTransaction tx = start("INVITE", udp);
    assertEquals(ClientTransaction.State.CALLING, tx.state());
    assertEquals(1, tl.clientCount());
    runUntil(31_990);
    assertEquals(List.of(0L, 500L, 1500L, 3500L, 7500L, 15500L, 31500L), sendTimes());
    assertEquals(0, owner.timeouts);
    runUntil(32_000);
    assertEquals(1, owner.timeouts);
    assertEquals(ClientTransaction.State.TERMINATED, tx.state());
    assertEquals(0, tl.clientCount());
    runUntil(300_000);
    assertEquals(7, sent.size(), "nothing more after timer B");
    assertEquals(1, owner.timeouts);
    assertEquals(0, loop.timers().size());
  }

  @Test
  void provisionalStopsTimerAAndTimerBButTimerCCancelsThenTimesOut() {
    ClientTransaction tx = start("INVITE", udp);
    runUntil(600);
    tx.onResponse(response("INVITE", 1, 180, "b1"));
    assertEquals(ClientTransaction.State.PROCEEDING, tx.state());
    assertEquals(1, owner.responses.size());
    runUntil(100_000);
    assertEquals(2, sent.size(), "no retransmission after a provisional");
    assertEquals(0, owner.timeouts, "timer B does not apply in Proceeding");
    // Timer C (section 16.8), restarted by the 180: CANCEL the branch at 600 + 180000.
    runUntil(180_590);
    assertEquals(2, sent.size());
    runUntil(180_600);
    assertEquals(3, sent.size());
    SipMessage cancel = sent.get(2).decode();
    assertEquals("CANCEL", cancel.method());
    assertEquals(BRANCH, cancel.topVia().branch());
    // Then 64*T1 more for the 487; none comes: treated as a timeout.
    runUntil(180_600 + 31_990);
    assertEquals(0, owner.timeouts);
    runUntil(180_600 + 32_000);
    assertEquals(1, owner.timeouts);
    assertEquals(0, tl.clientCount());
  }

  @Test
  void a100StopsTimerBButDoesNotRestartTimerC() {
    // A 100 does not restart timer C (section 16.7 step 2) and stops timer B.
    ClientTransaction tx = start("INVITE", udp);
    tx.onResponse(response("INVITE", 1, 100, null));
    runUntil(179_990);
    assertEquals(0, owner.timeouts);
    runUntil(180_000);
    // Proceeding: the branch gets a CANCEL; the timeout follows 64*T1 later.
    assertEquals("CANCEL", sent.get(sent.size() - 1).decode().method());
    runUntil(212_000);
    assertEquals(1, owner.timeouts);
    assertFalse(tx.isPending());
  }

  @Test
  void non2xxFinalIsAckedHopByHopAndTimerDAbsorbsRetransmissions() {
    ClientTransaction tx = start("INVITE", udp);
    tx.onResponse(response("INVITE", 1, 486, "callee-tag"));
    assertEquals(ClientTransaction.State.COMPLETED, tx.state());
    assertEquals(486, tx.status());
    assertEquals(1, owner.responses.size());
    assertEquals(2, sent.size());
    SipMessage ack = sent.get(1).decode();
    assertNull(ack.error());
    assertEquals("ACK", ack.method());
    assertEquals("sip:bob@10.0.0.2:5070", ack.text(ack.uriStart(), ack.uriEnd()));
    assertEquals(1, ack.vias().size(), "only the INVITE's top Via");
    assertEquals(BRANCH, ack.topVia().branch());
    assertEquals("callee-tag", ack.toTag());
    assertEquals("a1", ack.fromTag());
    assertEquals("call-1@10.0.0.1", ack.callId());
    assertEquals(1, ack.cseq());
    assertEquals("ACK", ack.cseqMethod());
    assertEquals("1 ACK", ack.headerValue(HeaderName.CSEQ));
    assertEquals("<sip:10.0.0.9;lr>", ack.headerValue(HeaderName.ROUTE));
    assertSame(peer, sent.get(1).flow().remote());

    // A retransmitted final: ACK again, not passed up.
    runUntil(1000);
    assertEquals(2, sent.size(), "no INVITE retransmission in Completed");
    tx.onResponse(response("INVITE", 1, 486, "callee-tag"));
    assertEquals(3, sent.size());
    assertEquals("ACK", sent.get(2).decode().method());
    assertEquals(1, owner.responses.size());

    // Timer D: at least 32 s on an unreliable transport.
    runUntil(31_990);
    assertEquals(ClientTransaction.State.COMPLETED, tx.state());
    runUntil(32_010);
    assertEquals(ClientTransaction.State.TERMINATED, tx.state());
    assertEquals(0, tl.clientCount());
    assertEquals(0, owner.timeouts);
  }

  @Test
  void reliableInviteHasNoRetransmissionsAndTimerDIsZero() {
    ClientTransaction tx = start("INVITE", tcp);
    runUntil(31_990);
    assertEquals(1, sent.size(), "no timer A on TCP");
    tx.onResponse(response("INVITE", 1, 503, "x"));
    assertEquals(2, sent.size());
    assertEquals("ACK", sent.get(1).decode().method());
    runUntil(32_000);
    assertEquals(ClientTransaction.State.TERMINATED, tx.state());
    assertEquals(0, tl.clientCount());
  }

  @Test
  void reliableInviteStillHasTimerB() {
    ClientTransaction tx = start("INVITE", tcp);
    runUntil(32_000);
    assertEquals(1, sent.size());
    assertEquals(1, owner.timeouts);
    assertEquals(ClientTransaction.State.TERMINATED, tx.state());
    assertEquals(0, tl.clientCount());
  }

  // --- RFC 6026 Accepted -------------------------------------------------------------------

  @Test
  void acceptedPassesEvery2xxAndSendsNoAck() {
    ClientTransaction tx = start("INVITE", udp);
    tx.onResponse(response("INVITE", 1, 180, "t1"));
    tx.onResponse(response("INVITE", 1, 200, "t1"));
    assertEquals(ClientTransaction.State.ACCEPTED, tx.state());
    assertFalse(tx.isPending());
    assertEquals(2, owner.responses.size());
    assertEquals(1, sent.size(), "the ACK of a 2xx is not the transaction's");
    // 2xx retransmissions and 2xx of other forks go to the user.
    tx.onResponse(response("INVITE", 1, 200, "t1"));
    tx.onResponse(response("INVITE", 1, 200, "t2"));
    assertEquals(4, owner.responses.size());
    // Provisional and non-2xx finals are dropped in Accepted.
    tx.onResponse(response("INVITE", 1, 183, "t1"));
    tx.onResponse(response("INVITE", 1, 500, "t1"));
    assertEquals(4, owner.responses.size());
    assertEquals(1, sent.size());
    // Timer M: 64*T1.
    runUntil(31_990);
    assertEquals(ClientTransaction.State.ACCEPTED, tx.state());
    runUntil(32_000);
    assertEquals(ClientTransaction.State.TERMINATED, tx.state());
    assertEquals(0, tl.clientCount());
    assertEquals(0, loop.timers().size());
  }

  // --- CANCEL (section 9.1) ----------------------------------------------------------------

  @Test
  void cancelWaitsForAProvisionalResponse() {
    ClientTransaction tx = start("INVITE", udp);
    tx.cancel();
    assertEquals(1, sent.size(), "no CANCEL before a provisional response");
    assertNull(tx.cancelTransaction());
    runUntil(600);
    assertEquals(2, sent.size());
    assertEquals("INVITE", sent.get(1).decode().method());
    tx.onResponse(response("INVITE", 1, 180, "b1"));
    assertEquals(3, sent.size());
    SipMessage cancel = sent.get(2).decode();
    assertNull(cancel.error());
    assertEquals("CANCEL", cancel.method());
    assertEquals("sip:bob@10.0.0.2:5070", cancel.text(cancel.uriStart(), cancel.uriEnd()));
    assertEquals(1, cancel.vias().size());
    assertEquals(BRANCH, cancel.topVia().branch());
    assertNull(cancel.toTag(), "To as in the INVITE");
    assertEquals("a1", cancel.fromTag());
    assertEquals("call-1@10.0.0.1", cancel.callId());
    assertEquals("1 CANCEL", cancel.headerValue(HeaderName.CSEQ));
    assertEquals("<sip:10.0.0.9;lr>", cancel.headerValue(HeaderName.ROUTE));
    assertNotNull(tx.cancelTransaction());
    assertEquals(1, tl.clientCount(), "the CANCEL is found through its INVITE");

    // The CANCEL is a non-INVITE transaction: timer E retransmits it until answered.
    runUntil(1100);
    assertEquals(4, sent.size());
    assertEquals("CANCEL", sent.get(3).decode().method());
    ClientTransaction c = tx.cancelTransaction();
    c.onResponse(response("CANCEL", 1, 200, "b1"));
    assertEquals(ClientTransaction.State.COMPLETED, c.state());
    tx.onResponse(response("INVITE", 1, 487, "b1"));
    assertEquals(5, sent.size());
    assertEquals("ACK", sent.get(4).decode().method());
    assertEquals(487, owner.responses.get(owner.responses.size() - 1).status());
    runUntil(40_000);
    assertEquals(5, sent.size());
    assertEquals(0, tl.clientCount());
    assertEquals(0, loop.timers().size());
  }

  @Test
  void cancelAfterProvisionalIsSentAtOnceAndOnlyOnce() {
    ClientTransaction tx = start("INVITE", udp);
    tx.onResponse(response("INVITE", 1, 183, "b1"));
    tx.cancel();
    tx.cancel();
    assertEquals(2, sent.size());
    assertEquals("CANCEL", sent.get(1).decode().method());
  }

  @Test
  void cancelIsIgnoredForNonInviteAndAfterAFinal() {
    ClientTransaction bye = start("BYE", udp);
    bye.cancel();
    assertEquals(1, sent.size());
    bye.terminate();
    ClientTransaction inv = start("INVITE", udp);
    inv.onResponse(response("INVITE", 1, 200, "t"));
    inv.cancel();
    assertEquals(2, sent.size());
    assertNull(inv.cancelTransaction());
  }

  // --- non-INVITE: timers E, F, K ----------------------------------------------------------

  @Test
  void timerEDoublesUpToT2AndTimerFTimesOut() {
    ClientTransaction tx = start("OPTIONS", udp);
    assertEquals(ClientTransaction.State.TRYING, tx.state());
    runUntil(31_990);
    assertEquals(
        List.of(0L, 500L, 1500L, 3500L, 7500L, 11500L, 15500L, 19500L, 23500L, 27500L, 31500L),
        sendTimes());
    assertEquals(0, owner.timeouts);
    runUntil(32_000);
    assertEquals(1, owner.timeouts);
    assertEquals(0, tl.clientCount());
    runUntil(40_000);
    assertEquals(11, sent.size());
  }

  @Test
  void timerEUsesT2InProceedingAndTimerFStillApplies() {
    ClientTransaction tx = start("BYE", udp);
    runUntil(100);
    tx.onResponse(response("BYE", 1, 100, null));
    assertEquals(ClientTransaction.State.PROCEEDING, tx.state());
    runUntil(31_990);
    // 500 was scheduled before the 100; from then on T2.
    assertEquals(
        List.of(0L, 500L, 4500L, 8500L, 12500L, 16500L, 20500L, 24500L, 28500L), sendTimes());
    runUntil(32_000);
    assertEquals(1, owner.timeouts, "timer F applies in Proceeding too");
  }

  @Test
  void nonInviteFinalAndTimerK() {
    ClientTransaction tx = start("BYE", udp);
    tx.onResponse(response("BYE", 1, 200, "t"));
    assertEquals(ClientTransaction.State.COMPLETED, tx.state());
    assertEquals(1, owner.responses.size());
    tx.onResponse(response("BYE", 1, 200, "t"));
    assertEquals(1, owner.responses.size(), "retransmitted final absorbed");
    runUntil(4_990);
    assertEquals(1, sent.size(), "no ACK and no retransmission for non-INVITE");
    assertEquals(ClientTransaction.State.COMPLETED, tx.state());
    runUntil(5_000);
    assertEquals(ClientTransaction.State.TERMINATED, tx.state());
    assertEquals(0, tl.clientCount());
  }

  @Test
  void reliableNonInviteHasNoTimerEAndTimerKIsZero() {
    ClientTransaction tx = start("BYE", tcp);
    runUntil(10_000);
    assertEquals(1, sent.size());
    tx.onResponse(response("BYE", 1, 200, "t"));
    runUntil(10_010);
    assertEquals(ClientTransaction.State.TERMINATED, tx.state());
    assertEquals(0, tl.clientCount());
    ClientTransaction tx2 = start("OPTIONS", tcp);
    runUntil(10_010 + 32_000);
    assertEquals(2, sent.size());
    assertEquals(1, owner.timeouts);
    assertEquals(ClientTransaction.State.TERMINATED, tx2.state());
  }

  // --- transport errors, counts ------------------------------------------------------------

  @Test
  void transportErrorEndsTheTransaction() {
    failSends = true;
    ClientTransaction tx = start("INVITE", tcp);
    assertEquals(1, owner.transportErrors);
    assertEquals(ClientTransaction.State.TERMINATED, tx.state());
    assertEquals(0, tl.clientCount());
    assertEquals(0, loop.timers().size(), "no timers left behind");
    runUntil(200_000);
    assertEquals(0, owner.timeouts);
    assertEquals(0, loop.timers().size());
  }

  @Test
  void findClientByBranch() {
    ClientTransaction tx = start("INVITE", udp);
    assertSame(tx, tl.findClient(BRANCH));
    assertNull(tl.findClient("z9hG4bKother"));
    assertNull(tl.findClient(null));
    tx.terminate();
    assertNull(tl.findClient(BRANCH));
    assertTrue(loop.timers().size() == 0);
  }

  // --- ACK and CANCEL from the bytes as sent ---------------------------------------------------

  /** Limits raised as a gateway may configure them (maxHeaders up to 4096). */
  static final SipMessageDecoder RAISED = new SipMessageDecoder(new SipLimits(65_535, 4096, 64));

  /** An INVITE of 500 header lines and about 60 KB, as sent under raised limits. */
  static byte[] largeInvite() {
    StringBuilder b = new StringBuilder(request("INVITE", 1));
    b.setLength(b.length() - "Content-Length: 0\r\n\r\n".length());
    int lines = 10; // Via x2, Route, Max-Forwards, From, To, Call-ID, CSeq, plus the two below
    String pad = "x".repeat(100);
    for (int i = 0; lines < 500; i++, lines++) {
      b.append("X-Filler-").append(i).append(": ").append(pad).append("\r\n");
    }
    String body = "v=0\r\n" + "a=" + "y".repeat(8_000) + "\r\n";
    b.append("Content-Type: application/sdp\r\n");
    b.append("Content-Length: ").append(body.length()).append("\r\n\r\n").append(body);
    return b.toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  @Test
  void largeInviteAnswered486IsAckedAndTimerDStillRuns() {
    byte[] invite = largeInvite();
    assertTrue(invite.length > 60_000 && invite.length < 65_535, "size " + invite.length);
    SipMessage asSent = RAISED.decode(invite, invite.length, false);
    assertNull(asSent.error());
    assertEquals(500, asSent.headerCount());
    assertNotNull(
        DECODER.decode(invite, invite.length, false).error(),
        "default limits refuse it: the ACK must not depend on them");

    ClientTransaction tx =
        tl.startClient(loop, BRANCH, true, new Flow(udp, peer, null), invite, owner);
    tx.onResponse(response("INVITE", 1, 486, "busy-tag"));
    assertEquals(ClientTransaction.State.COMPLETED, tx.state());
    assertEquals(1, owner.responses.size());
    assertEquals(2, sent.size());
    SipMessage ack = sent.get(1).decode();
    assertNull(ack.error());
    assertEquals("ACK", ack.method());
    assertEquals("sip:bob@10.0.0.2:5070", ack.text(ack.uriStart(), ack.uriEnd()));
    assertEquals(1, ack.vias().size());
    assertEquals(BRANCH, ack.topVia().branch());
    assertEquals("busy-tag", ack.toTag());
    assertEquals("a1", ack.fromTag());
    assertEquals("call-1@10.0.0.1", ack.callId());
    assertEquals("1 ACK", ack.headerValue(HeaderName.CSEQ));
    assertEquals("<sip:10.0.0.9;lr>", ack.headerValue(HeaderName.ROUTE));
    assertEquals(-1, ack.findHeader("X-Filler-0"), "only the headers an ACK carries");
    assertEquals(0, ack.bodyLength());
    assertNull(tx.request(), "the large INVITE is let go once the ACK is built");
    // A retransmitted 486 gets the same ACK; timer D ends the transaction.
    tx.onResponse(response("INVITE", 1, 486, "busy-tag"));
    assertEquals(3, sent.size());
    assertArrayEquals(sent.get(1).data(), sent.get(2).data());
    runUntil(32_000);
    assertEquals(ClientTransaction.State.TERMINATED, tx.state());
    assertEquals(0, tl.clientCount());
    assertEquals(0, loop.timers().size());
  }

  @Test
  void largeInviteIsCancelled() {
    byte[] invite = largeInvite();
    ClientTransaction tx =
        tl.startClient(loop, BRANCH, true, new Flow(udp, peer, null), invite, owner);
    tx.onResponse(response("INVITE", 1, 180, "b1"));
    tx.cancel();
    assertEquals(2, sent.size());
    SipMessage cancel = sent.get(1).decode();
    assertNull(cancel.error());
    assertEquals("CANCEL", cancel.method());
    assertEquals("sip:bob@10.0.0.2:5070", cancel.text(cancel.uriStart(), cancel.uriEnd()));
    assertEquals(1, cancel.vias().size());
    assertEquals(BRANCH, cancel.topVia().branch());
    assertNull(cancel.toTag());
    assertEquals("a1", cancel.fromTag());
    assertEquals("call-1@10.0.0.1", cancel.callId());
    assertEquals("1 CANCEL", cancel.headerValue(HeaderName.CSEQ));
    assertEquals("<sip:10.0.0.9;lr>", cancel.headerValue(HeaderName.ROUTE));
    assertEquals(-1, cancel.findHeader("X-Filler-0"));
    assertNotNull(tx.cancelTransaction());
    // The 487 is ACKed too.
    tx.onResponse(response("INVITE", 1, 487, "b1"));
    assertEquals("ACK", sent.get(sent.size() - 1).decode().method());
  }

  @Test
  void ackAndCancelReadCompactFoldedAndOddlyEndedLines() {
    String invite =
        "\r\nINVITE sip:bob@10.0.0.2:5070;transport=udp SIP/2.0\r\n"
            + "v: SIP/2.0/UDP 127.0.0.1:5060;branch="
            + BRANCH
            + ", SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKcaller\n"
            + "Route: <sip:10.0.0.8;lr>,\r\n <sip:10.0.0.9;lr>\r\n"
            + "X-Note: Via: SIP/2.0/UDP 6.6.6.6\r\n"
            + "route: <sip:10.0.0.10;lr>\r\n"
            + "f: \"A, B\" <sip:alice@example.com>;tag=a1\r\n"
            + "t: <sip:bob@example.com>\r\n"
            + "i: call-9@10.0.0.1\r\n"
            + "CSeq:   42 INVITE\r\n"
            + "l: 0\r\n\r\n";
    byte[] b = invite.getBytes(StandardCharsets.ISO_8859_1);
    assertNull(DECODER.decode(b, b.length, false).error());
    ClientTransaction tx = tl.startClient(loop, BRANCH, new Flow(udp, peer, null), b, owner);
    assertEquals("INVITE", tx.method());
    assertTrue(tx.isInvite());
    tx.onResponse(response("INVITE", 42, 183, "b1"));
    tx.cancel();
    SipMessage cancel = sent.get(1).decode();
    assertEquals("CANCEL", cancel.method());
    assertEquals(
        "sip:bob@10.0.0.2:5070;transport=udp", cancel.text(cancel.uriStart(), cancel.uriEnd()));
    assertEquals(1, cancel.vias().size(), "the top via-parm only");
    assertEquals(BRANCH, cancel.topVia().branch());
    assertEquals("127.0.0.1", cancel.topVia().host());
    assertEquals(3, routes(cancel).size());
    assertEquals(
        List.of("<sip:10.0.0.8;lr>", "<sip:10.0.0.9;lr>", "<sip:10.0.0.10;lr>"), routes(cancel));
    assertEquals("a1", cancel.fromTag());
    assertEquals("call-9@10.0.0.1", cancel.callId());
    assertEquals(42, cancel.cseq());
    assertEquals("CANCEL", cancel.cseqMethod());
    tx.onResponse(response("INVITE", 42, 487, "b1"));
    SipMessage ack = sent.get(2).decode();
    assertEquals("ACK", ack.method());
    assertEquals(42, ack.cseq());
    assertEquals("b1", ack.toTag());
    assertEquals(3, routes(ack).size());
  }

  static List<String> routes(SipMessage m) {
    List<String> r = new ArrayList<>();
    for (int i = m.findHeader(HeaderName.ROUTE);
        i >= 0;
        i = m.findHeader(HeaderName.ROUTE, i + 1)) {
      for (String v : m.text(m.headerValueStart(i), m.headerValueEnd(i)).split(",")) {
        r.add(v.strip());
      }
    }
    return r;
  }

  @Test
  void aTwoHundredInCompletedIsNotAcked() {
    ClientTransaction tx = start("INVITE", udp);
    tx.onResponse(response("INVITE", 1, 486, "b1"));
    assertEquals(2, sent.size());
    tx.onResponse(response("INVITE", 1, 200, "b2"));
    tx.onResponse(response("INVITE", 1, 183, "b2"));
    assertEquals(2, sent.size(), "the ACK of a 2xx is end to end, never the transaction's");
    assertEquals(1, owner.responses.size());
  }

  // --- timer D from the configuration ------------------------------------------------------

  @Test
  void timerDComesFromTheSettings() {
    TransactionLayer layer =
        new TransactionLayer(sender, new TimerSettings(500, 4000, 5000, 180_000, 45_000));
    byte[] req = request("INVITE", 1).getBytes(StandardCharsets.ISO_8859_1);
    ClientTransaction tx = layer.startClient(loop, BRANCH, new Flow(udp, peer, null), req, owner);
    tx.onResponse(response("INVITE", 1, 503, "x"));
    runUntil(44_990);
    assertEquals(ClientTransaction.State.COMPLETED, tx.state());
    runUntil(45_000);
    assertEquals(ClientTransaction.State.TERMINATED, tx.state());
    assertEquals(32_000, TimerSettings.DEFAULT.timerD());
    assertEquals(32_000, new TimerSettings(500, 4000, 5000, 180_000).timerD());
    assertThrows(
        IllegalArgumentException.class, () -> new TimerSettings(500, 4000, 5000, 180_000, -1));
  }

  // --- CSeq method (section 17.1.3) -------------------------------------------------------

  @Test
  void aResponseForAnotherMethodIsNotTaken() {
    ClientTransaction tx = start("INVITE", udp);
    tx.onResponse(response("INVITE", 1, 200, "t", "BYE"));
    tx.onResponse(response("INVITE", 1, 486, "t", "OPTIONS"));
    tx.onResponse(response("INVITE", 1, 180, "t", "CANCEL"));
    assertEquals(ClientTransaction.State.CALLING, tx.state());
    assertEquals(0, owner.responses.size());
    assertEquals(1, sent.size(), "no ACK for a response that is not the INVITE's");
    ClientTransaction bye =
        tl.startClient(
            loop,
            "z9hG4bK-other",
            new Flow(udp, peer, null),
            request("BYE", 2).getBytes(StandardCharsets.ISO_8859_1),
            owner);
    assertEquals("BYE", bye.method());
    bye.onResponse(response("BYE", 2, 200, "t", "INVITE"));
    assertEquals(ClientTransaction.State.TRYING, bye.state());
    bye.onResponse(response("BYE", 2, 200, "t"));
    assertEquals(ClientTransaction.State.COMPLETED, bye.state());
    assertEquals(1, owner.responses.size());
  }

  @Test
  void cancelResponsesGoToTheCancelTransaction() {
    ClientTransaction tx = start("INVITE", udp);
    tx.onResponse(response("INVITE", 1, 180, "b1"));
    tx.cancel();
    ClientTransaction c = tx.cancelTransaction();
    assertEquals("CANCEL", c.method());
    // The answer to the CANCEL, given to the INVITE (same branch), ends the CANCEL only.
    tx.onResponse(response("INVITE", 1, 200, "b1", "CANCEL"));
    assertEquals(ClientTransaction.State.COMPLETED, c.state());
    assertEquals(ClientTransaction.State.PROCEEDING, tx.state());
    assertEquals(1, owner.responses.size(), "the 180 only");
    runUntil(10_000);
    assertEquals(2, sent.size(), "no CANCEL retransmission once answered");
  }

  @Test
  void aCancelStillRunningWhenThe2xxComesIsEndedByItsAnswer() {
    ClientTransaction tx = start("INVITE", udp);
    tx.onResponse(response("INVITE", 1, 180, "b1"));
    tx.cancel();
    tx.onResponse(response("INVITE", 1, 200, "b1"));
    assertEquals(ClientTransaction.State.ACCEPTED, tx.state());
    tx.onResponse(response("INVITE", 1, 200, "b1", "CANCEL"));
    assertEquals(ClientTransaction.State.COMPLETED, tx.cancelTransaction().state());
    runUntil(20_000);
    assertEquals(2, sent.size(), "INVITE and one CANCEL: no retransmission to timer F");
  }

  @Test
  void aStatusWithoutAClassIsDropped() {
    ClientTransaction tx = start("INVITE", udp);
    tx.onResponse(response("INVITE", 1, 799, "b1"));
    tx.onResponse(response("INVITE", 1, 999, "b1"));
    assertEquals(ClientTransaction.State.CALLING, tx.state());
    assertEquals(0, owner.responses.size());
    assertEquals(1, sent.size(), "no ACK");
    tx.onResponse(response("INVITE", 1, 699, "b1"));
    assertEquals(ClientTransaction.State.COMPLETED, tx.state());
  }

  @Test
  void aCancelResponseWithNoCancelSentIsDropped() {
    ClientTransaction tx = start("INVITE", udp);
    tx.onResponse(response("INVITE", 1, 180, "b1"));
    tx.onResponse(response("INVITE", 1, 200, "b1", "CANCEL"));
    assertNull(tx.cancelTransaction());
    assertEquals(ClientTransaction.State.PROCEEDING, tx.state());
    assertEquals(1, owner.responses.size());
  }

  // --- section 9.1: 64*T1 after the CANCEL ---------------------------------------------------

  @Test
  void provisionalsAfterTheCancelCannotHoldTheBranch() {
    ClientTransaction tx = start("INVITE", udp);
    tx.onResponse(response("INVITE", 1, 180, "b1"));
    runUntil(1_000);
    tx.cancel();
    // A broken or hostile peer keeps ringing and never answers the INVITE.
    for (long t = 1_000; t < 32_990; t += 10_000) {
      runUntil(t);
      tx.onResponse(response("INVITE", 1, 180, "b1"));
    }
    runUntil(1_000 + 31_990);
    assertEquals(0, owner.timeouts);
    runUntil(1_000 + 32_000);
    assertEquals(1, owner.timeouts, "section 9.1: given up 64*T1 after the CANCEL");
    assertEquals(ClientTransaction.State.TERMINATED, tx.state());
    runUntil(400_000);
    assertEquals(0, tl.clientCount());
    assertEquals(0, loop.timers().size());
  }

  @Test
  void cancelWantedBeforeAProvisionalIsSentWithItAndBounded() {
    ClientTransaction tx = start("INVITE", udp);
    tx.cancel();
    runUntil(2_000);
    tx.onResponse(response("INVITE", 1, 100, null));
    assertEquals("CANCEL", sent.get(sent.size() - 1).decode().method());
    runUntil(2_000 + 32_000);
    assertEquals(1, owner.timeouts);
    assertFalse(tx.isPending());
  }

  // --- where responses may come from -----------------------------------------------------------

  @Test
  void isFromOverUdpChecksTheIpNotThePort() {
    ClientTransaction tx = start("INVITE", udp);
    assertTrue(tx.isFrom(new Flow(udp, peer, null)));
    assertTrue(tx.isFrom(new Flow(udp, new InetSocketAddress("10.0.0.2", 40000), null)));
    assertFalse(tx.isFrom(new Flow(udp, new InetSocketAddress("10.0.0.66", 5070), null)));
    assertFalse(tx.isFrom(new Flow(tcp, peer, new EmbeddedChannel())), "another transport");
    assertFalse(tx.isFrom(null));
    // The CANCEL shares the INVITE's destination.
    tx.onResponse(response("INVITE", 1, 180, "b1"));
    tx.cancel();
    assertTrue(tx.cancelTransaction().isFrom(new Flow(udp, peer, null)));
  }

  @Test
  void isFromOverAStreamWantsTheConnectionOrItsReplacementFromTheSameIp() {
    EmbeddedChannel conn = new EmbeddedChannel();
    byte[] req = request("OPTIONS", 1).getBytes(StandardCharsets.ISO_8859_1);
    ClientTransaction onConn =
        tl.startClient(loop, "z9hG4bK-conn", new Flow(tcp, peer, conn), req, owner);
    assertTrue(onConn.isFrom(new Flow(tcp, peer, conn)));
    // Section 18.2.2: the peer opened a new connection, from its own port.
    assertTrue(
        onConn.isFrom(
            new Flow(tcp, new InetSocketAddress("10.0.0.2", 41000), new EmbeddedChannel())));
    assertFalse(
        onConn.isFrom(
            new Flow(tcp, new InetSocketAddress("10.0.0.3", 5070), new EmbeddedChannel())));
    assertFalse(onConn.isFrom(new Flow(udp, peer, null)), "a datagram cannot answer it");
    // Sent by address (the transport picked or opened the connection).
    ClientTransaction byAddress = start("INVITE", tcp);
    assertTrue(byAddress.isFrom(new Flow(tcp, peer, conn)));
    assertFalse(
        byAddress.isFrom(
            new Flow(tcp, new InetSocketAddress("192.0.2.9", 5070), new EmbeddedChannel())));
    assertNotEquals(onConn, byAddress);
  }

  @Test
  void theInviteFlagMustAgreeWithTheRequest() {
    byte[] options = request("OPTIONS", 1).getBytes(StandardCharsets.ISO_8859_1);
    assertThrows(
        IllegalArgumentException.class,
        () -> tl.startClient(loop, BRANCH, true, new Flow(udp, peer, null), options, owner));
    assertEquals(0, tl.clientCount());
    assertEquals(0, sent.size());
  }
}
