package io.sbc.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A rule whose backend is a SipDispatcher: how the pool spreads calls, and how it reacts when a
 * destination dies under load (OPTIONS probes take it out; serial failover inside the call covers
 * the calls sent to it before that).
 */
class DispatcherTest extends SystemTestBase {

  /**
   * RoundRobin over two destinations: of 1000 calls at 100/s, each destination receives half,
   * within 5% (475..525), and no call is lost or offered twice.
   */
  @Test
  void roundRobinSplitsCallsEvenly() throws Exception {
    SbcSupport.assumeSbc("SipDispatcher");
    int calls = 1000;
    int rate = 100;
    int pa = backendPort(0);
    int pb = backendPort(1);
    Sipp.Instance a = startUas(Sipp.uas(Sipp.sharedScenario("uas_rr.xml")).port(pa), "uas-a");
    Sipp.Instance b = startUas(Sipp.uas(Sipp.sharedScenario("uas_rr.xml")).port(pb), "uas-b");
    startProxy(SbcConfig.udp(proxyPort()).dispatcherRef("pool")
        .dispatcher(SbcConfig.Dispatcher.named("pool").algorithm("RoundRobin")
            .destination(pa).destination(pb)));

    Sipp.Result uac = runUac(
        Sipp.uac(Sipp.sharedScenario("uac_rr.xml"), proxy.address())
            .port(uacPort()).calls(calls).rate(rate).limit(calls).args("-d", "100")
            .traceMessages(false).timeout(Duration.ofSeconds(40)),
        "uac", Duration.ofSeconds(50));
    assertTrue(uac.allSucceeded(calls), "every call should succeed: " + uac + context());

    int na = SippMessages.receivedInvites(a.dir()).size();
    int nb = SippMessages.receivedInvites(b.dir()).size();
    assertEquals(calls, na + nb,
        "each call should reach exactly one destination (a=" + na + ", b=" + nb + ")" + context());
    // What the SBC reports per destination is what the destinations saw.
    JsonNode status = proxy.management().status();
    JsonNode pool = Management.dispatcher(status, "pool");
    assertEquals(na, Management.destination(status, "pool", "sip:127.0.0.1:" + pa)
        .path("callsStarted").asLong(-1), "/sbc/status callsStarted of a: " + pool + context());
    assertEquals(nb, Management.destination(status, "pool", "sip:127.0.0.1:" + pb)
        .path("callsStarted").asLong(-1), "/sbc/status callsStarted of b: " + pool + context());
    int half = calls / 2;
    int tolerance = half * 5 / 100;
    assertTrue(Math.abs(na - half) <= tolerance && Math.abs(nb - half) <= tolerance,
        "RoundRobin should split " + calls + " calls evenly (" + half + " +/- " + tolerance
            + " each): a=" + na + ", b=" + nb + context());
  }

  /**
   * A destination is killed (SIGKILL) 5 s into 20 s of 100 calls/s (calls of 200 ms). The probes
   * (every 500 ms, 300 ms timeout, 2 failures) take it out, and no call started after the kill
   * fails: the INVITEs sent to the dead destination before it is detected time out (Timer B =
   * 64*T1 = 6.4 s with T1 = 100 ms) and fail over to the other destination. The only calls allowed
   * to fail are those the dead destination had already answered (their BYE goes to it): at most
   * rate * (call duration + 200 ms) = 40.
   */
  @Test
  void killedDestinationIsDetectedAndNoNewCallFails() throws Exception {
    SbcSupport.assumeSbc("SipDispatcher");
    int rate = 100;
    int seconds = 20;
    int calls = rate * seconds;
    int callMillis = 200;
    int pa = backendPort(0);
    int pb = backendPort(1);
    startUas(Sipp.uas(Sipp.sharedScenario("uas_rr.xml")).port(pa).traceMessages(false), "uas-a");
    Sipp.Instance victim = startUas(
        Sipp.uas(Sipp.sharedScenario("uas_rr.xml")).port(pb).traceMessages(false), "uas-b");
    startProxy(SbcConfig.udp(proxyPort()).t1(100).dispatcherRef("pool")
        .dispatcher(SbcConfig.Dispatcher.named("pool").algorithm("RoundRobin")
            .destination(pa).destination(pb).probe(500, 300, 2)));

    Sipp.Instance uacRun = track(
        Sipp.uac(Sipp.sharedScenario("uac_rr.xml"), proxy.address())
            .port(uacPort()).calls(calls).rate(rate).limit(2000)
            .args("-d", String.valueOf(callMillis)).timeout(Duration.ofSeconds(seconds + 25))
            .start(workDir, "uac"));
    Thread.sleep(5000);
    assertTrue(uacRun.isAlive(), "the caller ended early: " + uacRun.result(0) + context());
    Instant kill = Instant.now();
    SbcSupport.killHard(victim);

    Integer rc = uacRun.awaitExit(Duration.ofSeconds(seconds + 30));
    Sipp.Result uac = uacRun.result(rc);

    // The operator's view: /sbc/status shows the killed destination INACTIVE, taken out by probes.
    String dead = "sip:127.0.0.1:" + pb;
    Optional<JsonNode> out = proxy.management().awaitStatus(
        st -> Management.destination(st, "pool", dead).path("state").asText().equals("INACTIVE"),
        Duration.ofSeconds(2));
    JsonNode pool = Management.dispatcher(proxy.management().status(), "pool");
    assertTrue(out.isPresent(), "/sbc/status should show " + dead + " INACTIVE: " + pool
        + context());
    JsonNode deadNow = Management.destination(out.get(), "pool", dead);
    assertTrue(deadNow.path("probeFailures").asLong() >= 2 && deadNow.path("stateChanges").asLong() >= 1,
        "the probes (failureThreshold 2) should have taken it out: " + deadNow + context());

    List<SippMessages.CallerView> seen = SippMessages.callerView(uacRun.dir());
    List<SippMessages.CallerView> startedBefore =
        seen.stream().filter(c -> c.inviteSent().isBefore(kill)).toList();
    List<String> failedAfter = seen.stream()
        .filter(c -> !c.inviteSent().isBefore(kill) && !c.byeAnswered200())
        .map(SippMessages.CallerView::callId).toList();
    long failedBefore = startedBefore.stream().filter(c -> !c.byeAnswered200()).count();
    long bound = (long) rate * (callMillis + 200) / 1000;
    String summary = uac.summary() + "\nkilled at " + kill + " after "
        + startedBefore.size() + " calls; failed before the kill: " + failedBefore
        + " (bound " + bound + "); failed after: " + failedAfter.size()
        + (failedAfter.isEmpty() ? "" : " " + failedAfter.subList(0, Math.min(10, failedAfter.size())))
        + "\ndispatcher pool in /sbc/status: " + pool;
    assertEquals(calls, seen.size(), "every call should have been started: " + summary + context());
    assertEquals(List.of(), failedAfter,
        "no call started after the kill may fail: " + summary + uac.details() + context());
    assertTrue(failedBefore <= bound && uac.failed() >= 0 && uac.failed() <= bound,
        "only calls answered by the killed destination may fail: " + summary + uac.details()
            + context());
    assertEquals(calls, uac.successful() + uac.failed(),
        "every call should have ended: " + summary + context());
  }
}
