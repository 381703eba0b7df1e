package io.sbc.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Hot reload: the SBC polls its config file (about once per second) and applies a changed one
 * without dropping calls, or refuses an invalid one and keeps running with the old one.
 */
class ReloadTest extends SystemTestBase {

  /** The file the harness started the SBC with (ProxyUnderTest.Sbc writes it there). */
  private Path configFile() {
    Path f = workDir.resolve("sbc.yaml");
    assertTrue(Files.isRegularFile(f), "no config file at " + f);
    return f;
  }

  private static SbcConfig weighted(int port, int pa, int wa, int pb, int wb) {
    return SbcConfig.udp(port).dispatcherRef("pool")
        .dispatcher(SbcConfig.Dispatcher.named("pool").algorithm("Weighted")
            .destination(pa, wa).destination(pb, wb));
  }

  /**
   * 500 calls/s for 15 s over a Weighted pool 9/1; after 5 s the file is replaced (atomically)
   * with the weights swapped to 1/9. No call fails, /sbc/status counts the reload and shows the new
   * weights, and the split of the calls arriving before the file changed follows 9/1, the split
   * after the reload 1/9 (at least 80% to the heavier destination).
   */
  @Test
  void weightsChangedUnderLoadWithNoFailedCall() throws Exception {
    SbcSupport.assumeSbc("Hot reload");
    int rate = Integer.getInteger("sbc.reload.rate", 500);
    int seconds = 15;
    int calls = rate * seconds;
    int pa = backendPort(0);
    int pb = backendPort(1);
    Sipp.Instance a = startUas(Sipp.uas(Sipp.sharedScenario("uas_rr.xml")).port(pa), "uas-a");
    Sipp.Instance b = startUas(Sipp.uas(Sipp.sharedScenario("uas_rr.xml")).port(pb), "uas-b");
    int port = proxyPort();
    startProxy(weighted(port, pa, 9, pb, 1));

    Sipp.Instance uacRun = track(
        Sipp.uac(Sipp.sharedScenario("uac_rr.xml"), proxy.address())
            .port(uacPort()).calls(calls).rate(rate).limit(calls).args("-d", "100")
            .traceMessages(false).timeout(Duration.ofSeconds(seconds + 30))
            .start(workDir, "uac"));
    Management management = proxy.management();
    Thread.sleep(5000);
    assertEquals(0, Management.reloads(management.status(), "applied"), "no reload yet" + context());
    Instant written = Instant.now();
    SbcSupport.replaceAtomically(configFile(), weighted(port, pa, 1, pb, 9).toYaml());
    // The operator's view: /sbc/status counts the reload once it is applied.
    Optional<JsonNode> reloaded = management.awaitStatus(
        st -> Management.reloads(st, "applied") == 1, Duration.ofSeconds(5));
    Instant seen = Instant.now();

    Integer rc = uacRun.awaitExit(Duration.ofSeconds(seconds + 35));
    Sipp.Result uac = uacRun.result(rc);
    JsonNode status = management.status();
    assertTrue(reloaded.isPresent(), "/sbc/status should count the reload as applied: "
        + status.path("reloads") + context());
    assertEquals(0, Management.reloads(status, "refused"),
        "nothing was refused: " + status.path("reloads") + context());
    JsonNode pool = Management.dispatcher(status, "pool");
    assertEquals(1, Management.destination(status, "pool", "sip:127.0.0.1:" + pa)
        .path("weight").asInt(), "the new weights are in use: " + pool + context());
    assertEquals(9, Management.destination(status, "pool", "sip:127.0.0.1:" + pb)
        .path("weight").asInt(), "the new weights are in use: " + pool + context());
    assertTrue(uac.allSucceeded(calls), "no call may fail across the reload: " + uac + context());

    Collection<SippMessages.Message> toA = SippMessages.receivedInvites(a.dir()).values();
    Collection<SippMessages.Message> toB = SippMessages.receivedInvites(b.dir()).values();
    assertEquals(calls, toA.size() + toB.size(),
        "each call should reach exactly one destination" + context());
    Instant after = seen.plusMillis(200);
    long aBefore = toA.stream().filter(m -> m.time().isBefore(written)).count();
    long bBefore = toB.stream().filter(m -> m.time().isBefore(written)).count();
    long aAfter = toA.stream().filter(m -> m.time().isAfter(after)).count();
    long bAfter = toB.stream().filter(m -> m.time().isAfter(after)).count();
    String split = "before the file changed a=" + aBefore + " b=" + bBefore
        + "; after the reload a=" + aAfter + " b=" + bAfter
        + "; file written " + written + ", reload seen " + seen;
    assertTrue(aBefore + bBefore >= rate && aAfter + bAfter >= rate,
        "expected at least a second of calls on each side: " + split + context());
    assertTrue(aBefore >= 0.8 * (aBefore + bBefore),
        "weights 9/1: at least 80% of the calls to a before the reload: " + split + context());
    assertTrue(bAfter >= 0.8 * (aAfter + bAfter),
        "weights 1/9: at least 80% of the calls to b after the reload: " + split + context());
  }

  /**
   * 100 calls/s for 10 s to one backend; after 3 s the file is replaced with one that has an
   * unknown field (and would send the calls elsewhere, to a trap that answers nothing but
   * OPTIONS). /sbc/status counts the refusal and its errors name the refused field; no call fails;
   * every call still reaches the original backend and none the trap.
   */
  @Test
  void invalidConfigIsRefusedAndTrafficGoesOn() throws Exception {
    SbcSupport.assumeSbc("Hot reload");
    int rate = 100;
    int seconds = 10;
    int calls = rate * seconds;
    int backend = backendPort(0);
    Sipp.Instance uas =
        startUas(Sipp.uas(Sipp.sharedScenario("uas_rr.xml")).port(backend), "uas");
    int trapPort = backendPort(1);
    UdpTrap trap = track(new UdpTrap(trapPort));
    int port = proxyPort();
    startProxy(SbcConfig.udp(port).backend(backend));

    Sipp.Instance uacRun = track(
        Sipp.uac(Sipp.sharedScenario("uac_rr.xml"), proxy.address())
            .port(uacPort()).calls(calls).rate(rate).limit(calls).args("-d", "100")
            .traceMessages(false).timeout(Duration.ofSeconds(seconds + 30))
            .start(workDir, "uac"));
    Thread.sleep(3000);
    String invalid = SbcConfig.udp(port).backend(trapPort).toYaml()
        .replace("      forking: serial\n", "      forking: serial\n      failoverAfterMillis: 300\n");
    assertTrue(invalid.contains("failoverAfterMillis"), invalid);
    SbcSupport.replaceAtomically(configFile(), invalid);
    Management management = proxy.management();
    Optional<JsonNode> refused = management.awaitStatus(
        st -> Management.reloads(st, "refused") >= 1, Duration.ofSeconds(5));

    Integer rc = uacRun.awaitExit(Duration.ofSeconds(seconds + 35));
    Sipp.Result uac = uacRun.result(rc);
    JsonNode reloads = management.status().path("reloads");
    assertTrue(refused.isPresent(), "/sbc/status should count the refusal: " + reloads + context());
    assertEquals(1, reloads.path("refused").asLong(), "one change, one refusal: " + reloads
        + context());
    assertEquals(0, reloads.path("applied").asLong(), "the invalid file must not be applied: "
        + reloads + context());
    String path = "spec.rules[0].failoverAfterMillis";
    boolean named = false;
    for (JsonNode e : reloads.path("lastRefusal").path("errors")) {
      named |= e.asText().contains(path) && e.asText().contains("unknown field");
    }
    assertTrue(named, "the refusal should name " + path + " as an unknown field: " + reloads
        + context());
    assertTrue(uac.allSucceeded(calls), "no call may fail: " + uac + context());
    assertEquals(List.of(), trap.calls(), "the refused config's backend got calls" + context());
    assertEquals(calls, SippMessages.receivedInvites(uas.dir()).size(),
        "every call should still reach the original backend" + context());
  }
}
