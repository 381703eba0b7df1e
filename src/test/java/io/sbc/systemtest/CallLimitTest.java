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
 * reach the callee, and the counts go back to 0 once the calls end.
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
