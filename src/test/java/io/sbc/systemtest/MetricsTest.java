package io.sbc.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * What Prometheus scrapes from {@code /q/metrics}: every count is a counter named {@code
 * NAME_total} that grows by the calls made, and the destinations of a dispatcher that a reload adds
 * are exported from then on (and those a reload removes no longer are).
 */
class MetricsTest extends SystemTestBase {

  /** Counters an operator's dashboards and alerts use; each must be exported as a counter. */
  static final List<String> COUNTERS = List.of(
      "sbc_sip_requests_total",
      "sbc_sip_responses_total",
      "sbc_sip_malformed_total",
      "sbc_sip_local_replies_total",
      "sbc_sip_dropped_total",
      "sbc_sip_requests_routed_total",
      "sbc_sip_branches_started_total",
      "sbc_sip_branches_ended_total",
      "sbc_calls_answered_total",
      "sbc_calls_ended_total",
      "sbc_transaction_fallbacks_total",
      "sbc_timer_task_failures_total",
      "sbc_event_loop_stalls_total",
      "sbc_udp_datagrams_received_total",
      "sbc_tcp_connections_refused_total",
      "sbc_tcp_connections_closed_total",
      "sbc_config_reloads_total",
      "sbc_dispatcher_destination_calls_started_total",
      "sbc_dispatcher_destination_call_failures_total",
      "sbc_dispatcher_destination_probes_sent_total",
      "sbc_dispatcher_destination_probe_failures_total",
      "sbc_dispatcher_destination_state_changes_total");

  /**
   * 40 calls through dispatcher "pool": the call counters grow by exactly the calls made (two
   * routed requests and two 2xx branches per call: INVITE and BYE), no call stays active. Then the
   * file gains dispatcher "extra" (as failover): its destination is exported, and its probe counter
   * moves; a last reload drops it again and its series end.
   */
  @Test
  void countersFollowTheCallsAndReloadedDestinationsAreExported() throws Exception {
    SbcSupport.assumeSbc("/q/metrics");
    int calls = 40;
    int pa = backendPort(0);
    int pc = backendPort(1);
    Sipp.Instance a = startUas(Sipp.uas(Sipp.sharedScenario("uas_rr.xml")).port(pa), "uas-a");
    startUas(Sipp.uas(Sipp.sharedScenario("uas_rr.xml")).port(pc), "uas-c");
    int port = proxyPort();
    SbcConfig.Dispatcher pool = SbcConfig.Dispatcher.named("pool").destination(pa);
    startProxy(SbcConfig.udp(port).dispatcherRef("pool").dispatcher(pool));
    Management management = proxy.management();

    Scrape before = management.metrics();
    Set<String> misnamed = new TreeSet<>();
    for (Scrape.Sample sample : before.samples()) {
      if (sample.name().startsWith("sbc_") && "counter".equals(before.type(sample.name()))
          && !sample.name().endsWith("_total") && !sample.name().endsWith("_created")) {
        misnamed.add(sample.name());
      }
    }
    assertEquals(Set.of(), misnamed, "counter samples are named NAME_total" + context());
    for (String c : COUNTERS) {
      assertEquals("counter", before.type(c), c + " should be a counter:\n" + before.lines(c)
          + context());
    }
    assertEquals("gauge", before.type("sbc_calls_active"), before.lines("sbc_calls_active"));

    Sipp.Result uac = runUac(
        Sipp.uac(Sipp.sharedScenario("uac_rr.xml"), proxy.address())
            .port(uacPort()).calls(calls).rate(20).limit(calls).args("-d", "100")
            .timeout(Duration.ofSeconds(30)),
        "uac", Duration.ofSeconds(40));
    assertTrue(uac.allSucceeded(calls), "every call should succeed: " + uac + context());
    assertEquals(calls, SippMessages.receivedInvites(a.dir()).size(),
        "every call reached destination a" + context());

    Scrape after = management.metrics();
    String[] poolA = {"dispatcher", "pool", "destination", "sip:127.0.0.1:" + pa};
    assertGrew(before, after, calls, "sbc_calls_answered_total");
    assertGrew(before, after, calls, "sbc_calls_ended_total", "reason", "bye");
    assertGrew(before, after, 0, "sbc_calls_ended_total", "reason", "failed");
    assertGrew(before, after, 2 * calls, "sbc_sip_requests_routed_total");
    assertGrew(before, after, 2 * calls, "sbc_sip_branches_ended_total", "status_class", "2xx");
    assertGrew(before, after, calls, "sbc_dispatcher_destination_calls_started_total", poolA);
    assertGrew(before, after, 0, "sbc_dispatcher_destination_call_failures_total", poolA);
    double requests = after.value("sbc_sip_requests_total") - before.value("sbc_sip_requests_total");
    assertTrue(requests >= 3 * calls, "each call sent INVITE, ACK and BYE through the SBC: "
        + requests + " requests counted" + context());
    assertEquals(0, after.value("sbc_calls_active"), "every call ended" + context());
    assertEquals(0, after.value("sbc_dispatcher_destination_active_calls", poolA),
        "no call is active on destination a" + context());
    assertEquals(1, after.value("sbc_dispatcher_destination_up", poolA), context());

    // A reload adds dispatcher "extra" (failover after pool): its destination is exported.
    Path file = workDir.resolve("sbc.yaml");
    String c = "sip:127.0.0.1:" + pc;
    String[] extraC = {"dispatcher", "extra", "destination", c};
    SbcConfig.Dispatcher extra =
        SbcConfig.Dispatcher.named("extra").destination(pc).probe(300, 200, 2);
    SbcSupport.replaceAtomically(file, SbcConfig.udp(port).dispatcherRef("pool")
        .dispatcherRef("extra").dispatcher(pool).dispatcher(extra).toYaml());
    Optional<JsonNode> reloaded = management.awaitStatus(
        st -> Management.reloads(st, "applied") == 1, Duration.ofSeconds(5));
    assertTrue(reloaded.isPresent(), "/sbc/status should count the reload: "
        + management.status().path("reloads") + context());
    Scrape added = management.metrics();
    assertEquals(1, added.value("sbc_config_reloads_total", "result", "applied"), context());
    assertEquals(0, added.value("sbc_config_reloads_total", "result", "refused"), context());
    assertEquals(0, added.value("sbc_dispatcher_destination_calls_started_total", extraC),
        "the new destination is exported:\n" + added.lines("destination") + context());
    double states = 0;
    for (String state : List.of("active", "probing", "inactive")) {
      List<String> labels = new ArrayList<>(List.of(extraC));
      labels.addAll(List.of("state", state));
      states += added.value("sbc_dispatcher_destination_state", labels.toArray(String[]::new));
    }
    assertEquals(1, states, "the new destination is in exactly one state:\n"
        + added.lines("sbc_dispatcher_destination_state") + context());
    // Its meters read the live destination: the probes of "extra" (every 300 ms) are counted.
    Optional<Scrape> probed = management.awaitMetrics(
        s -> s.has("sbc_dispatcher_destination_probes_sent_total", extraC)
            && s.value("sbc_dispatcher_destination_probes_sent_total", extraC) >= 2,
        Duration.ofSeconds(5));
    assertTrue(probed.isPresent(), "the new destination's probes should be counted:\n"
        + management.metrics().lines("probes_sent") + context());
    // The destination of pool kept its counts across the reload.
    assertEquals(after.value("sbc_dispatcher_destination_calls_started_total", poolA),
        probed.get().value("sbc_dispatcher_destination_calls_started_total", poolA), context());

    // A reload that drops "extra" ends its series (rather than leaving them at NaN).
    SbcSupport.replaceAtomically(file,
        SbcConfig.udp(port).dispatcherRef("pool").dispatcher(pool).toYaml());
    assertTrue(management.awaitStatus(st -> Management.reloads(st, "applied") == 2,
        Duration.ofSeconds(5)).isPresent(), "/sbc/status should count the second reload"
            + context());
    Scrape dropped = management.metrics();
    assertFalse(dropped.text().contains("dispatcher=\"extra\""),
        "a removed dispatcher's destinations are no longer exported:\n"
            + dropped.lines("extra") + context());
    assertTrue(dropped.has("sbc_dispatcher_destination_calls_started_total", poolA), context());
  }

  private void assertGrew(Scrape before, Scrape after, long by, String name, String... labels) {
    double b = before.value(name, labels);
    double a = after.value(name, labels);
    assertEquals(by, a - b, name + " " + List.of(labels) + " went from " + b + " to " + a
        + ", expected to grow by " + by + "\n" + after.lines(name) + context());
  }
}
