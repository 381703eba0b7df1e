package io.sbc.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Call admission control (issue 14) with real peers: a route limited to 20 calls at once, SIPp
 * offering 40 long calls at once; 20 connect, the 20 others get 503 with Retry-After and never
 * reach the callee, and the counts go back to 0 once the calls end. With a destination limit and
 * a second destination, the calls over the first one's limit fail over to the second.
 */
class CallLimitTest extends SystemTestBase {
  static final String RULE = "limited";

  @Test
  void twentyOfFortyCallsConnectTheOthersGet503() throws Exception {
    SbcSupport.assumeSbc("call admission control");
    int backend = backendPort(0);
    Sipp.Instance uas =
        startUas(Sipp.uas(Sipp.sharedScenario("uas_rr.xml")).port(backend).traceMessages(false), "uas");
    int port = proxyPort();
    startProxy(
        SbcConfig.udp(port)
            .rules(
                """
                - name: %s
                  callLimits: {maxCalls: 20, retryAfterSeconds: 30}
                  backendRefs:
                    - uri: sip:127.0.0.1:%d
                """
                    .formatted(RULE, backend)));
    Management m = proxy.management();
    Sipp.Result uac =
        runUac(
            Sipp.uac(Sipp.sharedScenario("uac_rr.xml"), proxy.address())
                .port(uacPort())
                .calls(40)
                .rate(40)
                .limit(40)
                .args("-d", "8000")
                .traceMessages(true)
                .timeout(Duration.ofSeconds(40)),
            "uac",
            Duration.ofSeconds(50));
    assertEquals(20, uac.successful(), "calls that connected and ended with a BYE: " + uac + context());
    assertEquals(20, uac.failed(), "calls refused: " + uac + context());
    List<String> refusals = receivedStatusLines(uac.dir(), "SIP/2.0 503");
    assertTrue(refusals.size() >= 20, "20 calls get 503 (retransmissions may add): " + refusals);
    assertTrue(
        receivedLines(uac.dir()).stream().anyMatch(l -> l.equals("Retry-After: 30")),
        "the 503 says when to retry");
    Thread.sleep(1500); // SIPp writes its statistics file once a second
    Sipp.Result callee = uas.result(null);
    assertEquals(20, callee.created(), "only the admitted calls reach the callee: " + callee);

    // Once the calls are over, nothing is counted any more.
    JsonNode status =
        m.awaitStatus(
                s -> s.path("calls").path("admission").path("active").asInt(-1) == 0
                    && s.path("calls").path("active").asInt(-1) == 0,
                Duration.ofSeconds(10))
            .orElseThrow(() -> new AssertionError("counts did not return to 0: " + context()));
    JsonNode rule = status.path("calls").path("admission").path("rules").get(0);
    assertEquals(RULE, rule.path("rule").asText(), status.toString());
    assertEquals(0, rule.path("active").asInt(), status.toString());
    assertEquals(20, rule.path("maxCalls").asInt(), status.toString());
    assertEquals(20, rule.path("admitted").asInt(), status.toString());
    assertEquals(20, rule.path("refused").path("maxCalls").asInt(), status.toString());
    Scrape metrics = m.metrics();
    assertEquals(
        20.0,
        metrics.value("sbc_calls_admission_refused_total", "rule", RULE, "reason", "max_calls"));
    assertEquals(0.0, metrics.value("sbc_calls_admitted_active", "rule", RULE));
    System.out.println("CallLimitTest: " + uac.summary() + "; " + rule);
  }

  /**
   * The route's first destination takes 20 calls at once, its second 10: of 40 long calls offered
   * at once, 20 reach the first, the next 10 fail over to the second without the first seeing
   * them, the last 10 find both full and get 503 with Retry-After; afterwards every count is 0.
   */
  @Test
  void callsOverTheFirstDestinationsLimitFailOverToTheSecond() throws Exception {
    SbcSupport.assumeSbc("call admission control");
    int first = backendPort(0);
    int second = backendPort(1);
    Sipp.Instance uasFirst =
        startUas(Sipp.uas(Sipp.sharedScenario("uas_rr.xml")).port(first), "uas-first");
    Sipp.Instance uasSecond =
        startUas(Sipp.uas(Sipp.sharedScenario("uas_rr.xml")).port(second), "uas-second");
    startProxy(
        SbcConfig.udp(proxyPort())
            .dispatcherRef("pool")
            .dispatcher(
                SbcConfig.Dispatcher.named("pool")
                    .algorithm("Priority")
                    .destination(first, 1, 20)
                    .destination(second, 2, 10)));
    Management m = proxy.management();
    Sipp.Result uac =
        runUac(
            Sipp.uac(Sipp.sharedScenario("uac_rr.xml"), proxy.address())
                .port(uacPort())
                .calls(40)
                .rate(40)
                .limit(40)
                .args("-d", "8000")
                .traceMessages(true)
                .timeout(Duration.ofSeconds(40)),
            "uac",
            Duration.ofSeconds(50));
    assertEquals(30, uac.successful(), "20 calls on the first destination, 10 on the second: " + uac + context());
    assertEquals(10, uac.failed(), "calls with both destinations full: " + uac + context());
    assertTrue(
        receivedStatusLines(uac.dir(), "SIP/2.0 503").size() >= 10,
        "the calls finding both destinations full get 503");
    assertTrue(
        receivedLines(uac.dir()).stream().anyMatch(l -> l.startsWith("Retry-After: ")),
        "the 503 says when to retry");
    // Calls by the INVITEs each callee received (SIPp's own count includes the OPTIONS probes).
    assertEquals(
        20, SippMessages.receivedInvites(uasFirst.dir()).size(), "the first destination: 20 calls, no more");
    assertEquals(
        10, SippMessages.receivedInvites(uasSecond.dir()).size(), "the second destination: 10 calls, no more");

    String a = "sip:127.0.0.1:" + first;
    String b = "sip:127.0.0.1:" + second;
    JsonNode status =
        m.awaitStatus(
                s -> Management.destination(s, "pool", a).path("activeCalls").asInt(-1) == 0
                    && Management.destination(s, "pool", b).path("activeCalls").asInt(-1) == 0
                    && s.path("calls").path("active").asInt(-1) == 0,
                Duration.ofSeconds(10))
            .orElseThrow(() -> new AssertionError("counts did not return to 0: " + context()));
    JsonNode da = Management.destination(status, "pool", a);
    JsonNode db = Management.destination(status, "pool", b);
    assertEquals(20, da.path("callsStarted").asInt(), da.toString());
    assertEquals(20, da.path("maxCalls").asInt(), da.toString());
    assertEquals(20, da.path("callsSkippedFull").asInt(), "20 calls found the first destination full: " + da);
    assertEquals(10, db.path("callsStarted").asInt(), db.toString());
    assertEquals(10, db.path("callsSkippedFull").asInt(), "10 calls found the second one full too: " + db);
    Scrape metrics = m.metrics();
    for (String uri : List.of(a, b)) {
      assertEquals(
          0.0,
          metrics.value("sbc_dispatcher_destination_active_calls", "dispatcher", "pool", "destination", uri),
          uri);
    }
    assertEquals(
        20.0,
        metrics.value("sbc_dispatcher_destination_calls_skipped_full_total", "dispatcher", "pool", "destination", a));
    System.out.println("CallLimitTest failover: " + uac.summary() + "; " + da + "; " + db);
  }

  /** Lines SIPp logged as received (its -trace_msg file) that start with {@code prefix}. */
  static List<String> receivedStatusLines(Path dir, String prefix) throws Exception {
    return receivedLines(dir).stream().filter(l -> l.startsWith(prefix)).toList();
  }

  static List<String> receivedLines(Path dir) throws Exception {
    List<String> out = new java.util.ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.getFileName().toString().endsWith("_messages.log")).toList()) {
        boolean received = false;
        for (String line : Files.readAllLines(f, StandardCharsets.ISO_8859_1)) {
          if (line.startsWith("-----")) {
            received = false;
          } else if (line.contains("message received")) {
            received = true;
          } else if (received) {
            out.add(line.strip());
          }
        }
      }
    }
    return out;
  }
}
