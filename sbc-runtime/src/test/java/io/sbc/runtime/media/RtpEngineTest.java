package io.sbc.runtime.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sbc.api.MediaAnchoring;
import io.sbc.runtime.sip.proxy.MediaPolicy;
import io.sbc.runtime.sip.transport.Loop;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The ng client and the instance choice against real RTPengines (userspace, on loopback): ping, an
 * offer and an answer rewritten to RTPengine's address, the call in RTPengine's list until its
 * delete, a stable choice of instance per Call-ID that follows the weights, and an instance killed
 * during a run: the offer that finds it dead goes to the other instance, and later calls skip it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RtpEngineTest {
  static final String SDP =
      "v=0\r\no=alice 2890844526 2890844526 IN IP4 10.1.1.1\r\ns=-\r\nc=IN IP4 10.1.1.1\r\n"
          + "t=0 0\r\nm=audio 49170 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
  static final String ANSWER =
      "v=0\r\no=bob 2808844564 2808844564 IN IP4 10.2.2.2\r\ns=-\r\nc=IN IP4 10.2.2.2\r\n"
          + "t=0 0\r\nm=audio 5004 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

  private final List<AutoCloseable> opened = new java.util.ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = opened.size() - 1; i >= 0; i--) {
      opened.get(i).close();
    }
  }

  private <T extends AutoCloseable> T track(T t) {
    opened.add(t);
    return t;
  }

  record Result(String sdp, RtpEngines.Instance instance, String failure) {}

  private static Result run(
      EventLoops loops,
      MediaControl media,
      boolean offer,
      String callId,
      String fromTag,
      String toTag,
      String sdp)
      throws Exception {
    Loop loop = loops.loops.get(0);
    CompletableFuture<Result> f = new CompletableFuture<>();
    MediaAnchoring a = new MediaAnchoring();
    a.ice = "Remove";
    loops.on(
        loop,
        () -> {
          media.offerOrAnswer(
              loop,
              offer,
              callId.getBytes(StandardCharsets.ISO_8859_1),
              fromTag,
              toTag,
              sdp,
              MediaPolicy.of(a),
              null,
              (s, i, failure) ->
                  f.complete(
                      new Result(
                          s == null ? null : new String(s, StandardCharsets.ISO_8859_1),
                          i,
                          failure)));
          return null;
        });
    return f.get(20, TimeUnit.SECONDS);
  }

  private MediaControl media(EventLoops loops, Map<String, Integer> instances, long timeout)
      throws Exception {
    NgClient client = NgClient.open(loops.loops, timeout, 1);
    return track(new MediaControl(client, new RtpEngines(instances), MediaPolicy.NONE, List.of()));
  }

  static void assertNames(String sdp, String address) {
    for (String line : sdp.split("\r\n")) {
      if (line.startsWith("c=") || line.startsWith("o=")) {
        assertTrue(line.endsWith(" " + address), "not RTPengine's address: " + line + "\n" + sdp);
      }
    }
  }

  @Test
  void offerAnswerAndDeleteOnARealRtpEngine() throws Exception {
    RtpEngineProcess rtpe = track(RtpEngineProcess.start("127.0.0.6"));
    EventLoops loops = track(new EventLoops(1));
    MediaControl media = media(loops, Map.of(rtpe.ng(), 1), 500);
    String callId = "call-" + System.nanoTime() + "@test";
    Result offer = run(loops, media, true, callId, "from1", null, SDP);
    assertNull(offer.failure());
    assertNames(offer.sdp(), "127.0.0.6");
    assertFalse(offer.sdp().contains("10.1.1.1"), offer.sdp());
    assertTrue(rtpe.sessions().contains(callId), "the call is in RTPengine's list");
    Result answer = run(loops, media, false, callId, "from1", "to1", ANSWER);
    assertNull(answer.failure());
    assertNames(answer.sdp(), "127.0.0.6");
    assertFalse(answer.sdp().contains("10.2.2.2"), answer.sdp());
    loops.on(
        loops.loops.get(0),
        () -> {
          media.delete(
              loops.loops.get(0), callId.getBytes(StandardCharsets.ISO_8859_1), "from1", null);
          return null;
        });
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (rtpe.sessions().contains(callId) && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertFalse(rtpe.sessions().contains(callId), "deleted from RTPengine");
    assertEquals(1, media.stats().deletes.sum());
  }

  /**
   * The delete's reply gives what RTPengine relayed, per direction: the caller (the From tag that
   * deletes) sent 6 packets, the callee 4; the same when the callee's side deletes.
   */
  @Test
  void aDeleteTellsWhatWasRelayedEachWay() throws Exception {
    RtpEngineProcess rtpe = track(RtpEngineProcess.start("127.0.0.6"));
    EventLoops loops = track(new EventLoops(1));
    MediaControl media = media(loops, Map.of(rtpe.ng(), 1), 500);
    for (boolean byCallee : new boolean[] {false, true}) {
      String callId = "counted-" + byCallee + System.nanoTime() + "@test";
      try (java.net.DatagramSocket a =
              new java.net.DatagramSocket(new java.net.InetSocketAddress("127.0.0.2", 0));
          java.net.DatagramSocket b =
              new java.net.DatagramSocket(new java.net.InetSocketAddress("127.0.0.3", 0))) {
        Result offer =
            run(
                loops,
                media,
                true,
                callId,
                "from1",
                null,
                SDP.replace("10.1.1.1", "127.0.0.2").replace("49170", "" + a.getLocalPort()));
        Result answer =
            run(
                loops,
                media,
                false,
                callId,
                "from1",
                "to1",
                ANSWER.replace("10.2.2.2", "127.0.0.3").replace("5004", "" + b.getLocalPort()));
        MediaAnchoringTest.sendRtp(a, MediaAnchoringTest.mediaPort(answer.sdp()), 6, 11);
        MediaAnchoringTest.sendRtp(b, MediaAnchoringTest.mediaPort(offer.sdp()), 4, 22);
        Thread.sleep(200);
        CompletableFuture<io.sbc.runtime.sip.proxy.CallEvents.MediaCounters> f =
            new CompletableFuture<>();
        loops.on(
            loops.loops.get(0),
            () -> {
              media.delete(
                  loops.loops.get(0),
                  callId.getBytes(StandardCharsets.ISO_8859_1),
                  byCallee ? "to1" : "from1",
                  null,
                  byCallee,
                  f::complete);
              return null;
            });
        io.sbc.runtime.sip.proxy.CallEvents.MediaCounters c = f.get(10, TimeUnit.SECONDS);
        assertNotNull(c, "counters from the delete's reply");
        assertEquals(
            new io.sbc.runtime.sip.proxy.CallEvents.MediaCounters(6, 6 * 172, 0, 4, 4 * 172, 0),
            c,
            byCallee ? "deleted by the callee's side" : "deleted by the caller's side");
      }
    }
  }

  @Test
  void aCallsInstanceIsStableAndFollowsTheWeights() {
    Map<String, Integer> spec = new LinkedHashMap<>();
    spec.put("127.0.0.1:2001", 3);
    spec.put("127.0.0.1:2002", 1);
    spec.put("127.0.0.1:2003", 0);
    RtpEngines a = new RtpEngines(spec);
    RtpEngines b = new RtpEngines(spec); // another replica: the same choice
    int first = 0;
    int spare = 0;
    for (int i = 0; i < 20_000; i++) {
      byte[] id = ("id-" + i + "@host").getBytes(StandardCharsets.ISO_8859_1);
      RtpEngines.Instance x = a.choose(id);
      assertEquals(x.name(), b.choose(id).name());
      assertSame(x, a.choose(id));
      if (x.name().endsWith("2001")) {
        first++;
      } else if (x.name().endsWith("2003")) {
        spare++;
      }
    }
    assertEquals(0, spare, "weight 0 takes no call while others are up");
    assertTrue(first > 14_200 && first < 15_800, "weight 3 of 4 took " + first + " of 20000");
    // One instance down: only its calls move.
    byte[] id = "moved@host".getBytes(StandardCharsets.ISO_8859_1);
    RtpEngines.Instance before = a.choose(id);
    a.failed(before, "test");
    RtpEngines.Instance after = a.choose(id);
    assertNotNull(after);
    assertFalse(after == before);
  }

  @Test
  void anInstanceKilledDuringARunLosesNoCall() throws Exception {
    RtpEngineProcess one = track(RtpEngineProcess.start("127.0.0.6"));
    RtpEngineProcess two = track(RtpEngineProcess.start("127.0.0.7"));
    EventLoops loops = track(new EventLoops(1));
    Map<String, Integer> spec = new LinkedHashMap<>();
    spec.put(one.ng(), 1);
    spec.put(two.ng(), 1);
    MediaControl media = media(loops, spec, 300);
    int onOne = 0;
    for (int i = 0; i < 10; i++) {
      Result r = run(loops, media, true, "before-" + i + "@test", "f", null, SDP);
      assertNull(r.failure());
      onOne += r.instance().name().equals(one.ng()) ? 1 : 0;
    }
    assertTrue(onOne > 0 && onOne < 10, "both instances take calls: " + onOne + " of 10 on one");
    one.close(); // killed by its PID
    int onTwo = 0;
    for (int i = 0; i < 10; i++) {
      Result r = run(loops, media, true, "after-" + i + "@test", "f", null, SDP);
      assertNull(r.failure(), "call " + i + " failed: " + r.failure());
      assertNames(r.sdp(), "127.0.0.7");
      onTwo++;
    }
    assertEquals(10, onTwo);
    RtpEngines.Instance dead =
        media.engines().instances().stream()
            .filter(x -> x.name().equals(one.ng()))
            .findFirst()
            .get();
    assertFalse(dead.isUp(), "the killed instance is marked down");
    assertEquals(1, dead.failures.sum(), "only the first call after the kill waited for it");
  }

  @Test
  void anInstanceThatAnswersPingAgainTakesCallsAgain() throws Exception {
    RtpEngineProcess one = track(RtpEngineProcess.start("127.0.0.6"));
    int ng = one.ngPort;
    EventLoops loops = track(new EventLoops(1));
    MediaControl media = media(loops, Map.of(one.ng(), 1), 200);
    media.engines().startPinging(media.client(), loops.loops.get(0), 300);
    RtpEngines.Instance i = media.engines().instances().get(0);
    one.close();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (i.isUp() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertFalse(i.isUp(), "a dead instance is marked down by its ping");
    assertEquals(
        "no RTPengine instance is up",
        run(loops, media, true, "down@test", "f", null, SDP).failure());
    RtpEngineProcess again = track(RtpEngineProcess.start("127.0.0.6", ng));
    deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!i.isUp() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertTrue(i.isUp(), "back up once its ping is answered");
    Result r = run(loops, media, true, "up-again@test", "f", null, SDP);
    assertNull(r.failure());
    assertTrue(again.sessions().contains("up-again@test"));
  }
}
