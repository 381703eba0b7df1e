package io.sbc.runtime.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.sbc.runtime.SbcStack;
import io.sbc.runtime.config.GatewayConfig;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a Prometheus scrape of a running gateway shows: counts as counters named {@code _total} that
 * follow the messages sent, drops by reason, and dispatcher destinations as reloads add and remove
 * them. The status JSON is read from the same running objects.
 */
class GatewayMetricsTest {
  Vertx vertx;
  SbcStack stack;
  DatagramSocket peer;
  int port;
  Path dir;
  PrometheusMeterRegistry registry;
  RunningGateway running;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true).setEventLoopPoolSize(2));
    peer = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
    peer.setSoTimeout(3000);
    try (DatagramSocket probe = new DatagramSocket(0)) {
      port = probe.getLocalPort();
    }
    dir = Files.createTempDirectory("metrics");
    stack = SbcStack.start(load(config(false)), vertx);
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    running = new RunningGateway();
    running.started(stack);
    new GatewayMetrics(registry, running).bind(stack);
  }

  @AfterEach
  void stop() throws Exception {
    if (stack != null) {
      stack.close();
    }
    peer.close();
    vertx.close().toCompletionStage().toCompletableFuture().get();
    try (var files = Files.list(dir)) {
      for (Path p : files.toList()) {
        Files.delete(p);
      }
    }
    Files.delete(dir);
  }

  /**
   * A gateway whose rule sends to dispatcher "pool", and on failover to "extra" when asked (a
   * gateway runs only the dispatchers its rules name).
   */
  String config(boolean extra) {
    String yaml =
        """
        apiVersion: sbc.io/v1alpha1
        kind: SipGateway
        metadata:
          name: metrics
        spec:
          listeners:
            - name: udp
              protocol: SIP-UDP
              address: 127.0.0.1
              port: %d
        ---
        apiVersion: sbc.io/v1alpha1
        kind: SipRoute
        metadata:
          name: all
        spec:
          parentRefs: [{name: metrics}]
          rules:
            - backendRefs:
                - {kind: SipDispatcher, name: pool}
        %s---
        apiVersion: sbc.io/v1alpha1
        kind: SipDispatcher
        metadata:
          name: pool
        spec:
          destinations:
            - uri: sip:127.0.0.1:%d
        """
            .formatted(
                port,
                extra ? "        - {kind: SipDispatcher, name: extra}\n" : "",
                peer.getLocalPort());
    if (extra) {
      yaml +=
          """
          ---
          apiVersion: sbc.io/v1alpha1
          kind: SipDispatcher
          metadata:
            name: extra
          spec:
            destinations:
              - uri: sip:127.0.0.1:%d
          """
              .formatted(peer.getLocalPort() + 1);
    }
    return yaml;
  }

  GatewayConfig load(String yaml) throws Exception {
    Path f = Files.createTempFile(dir, "sbc", ".yaml");
    Files.writeString(f, yaml);
    return GatewayConfig.load(f, null);
  }

  void send(DatagramSocket s, String text) throws Exception {
    byte[] b = text.replace("\n", "\r\n").getBytes(StandardCharsets.ISO_8859_1);
    s.send(new DatagramPacket(b, b.length, new InetSocketAddress("127.0.0.1", port)));
  }

  String receive(DatagramSocket s) throws Exception {
    byte[] buf = new byte[65535];
    DatagramPacket p = new DatagramPacket(buf, buf.length);
    s.receive(p);
    return new String(buf, 0, p.getLength(), StandardCharsets.ISO_8859_1);
  }

  String options(int n, int localPort) {
    return """
        OPTIONS sip:127.0.0.1:%d SIP/2.0
        Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-metrics-%d
        Max-Forwards: 70
        From: <sip:test@127.0.0.1>;tag=m%d
        To: <sip:127.0.0.1:%d>
        Call-ID: metrics-%d@127.0.0.1
        CSeq: 1 OPTIONS
        Content-Length: 0

        """
        .formatted(port, localPort, n, n, port, n);
  }

  /**
   * The value of one series of a scrape: NAME followed by labels that include every given {@code
   * key="value"} pair; empty when no series matches.
   */
  static OptionalDouble value(String scrape, String name, String... labels) {
    for (String line : scrape.split("\n")) {
      if (line.startsWith("#") || !line.startsWith(name)) {
        continue;
      }
      String rest = line.substring(name.length());
      if (!rest.startsWith("{") && !rest.startsWith(" ")) {
        continue; // another name with this one as prefix
      }
      String labelText = rest.startsWith("{") ? rest.substring(0, rest.indexOf('}') + 1) : "";
      boolean all = true;
      for (String l : labels) {
        all &= labelText.contains(l);
      }
      if (all) {
        return OptionalDouble.of(Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
      }
    }
    return OptionalDouble.empty();
  }

  static double valueOf(String scrape, String name, String... labels) {
    OptionalDouble v = value(scrape, name, labels);
    assertTrue(v.isPresent(), name + " " + List.of(labels) + " is not exported:\n" + scrape);
    return v.getAsDouble();
  }

  @Test
  void countsAreCountersThatFollowTheMessages() throws Exception {
    String before = registry.scrape();
    for (String line : before.split("\n")) {
      if (line.startsWith("# TYPE sbc_") && line.endsWith(" counter")) {
        String name = line.split(" ")[2];
        assertTrue(name.endsWith("_total"), "a counter not named NAME_total: " + line);
      }
    }
    for (String counter :
        List.of(
            "sbc_sip_requests_total",
            "sbc_sip_dropped_total",
            "sbc_calls_ended_total",
            "sbc_tcp_connections_refused_total",
            "sbc_udp_datagrams_received_total",
            "sbc_config_reloads_total",
            "sbc_dispatcher_destination_calls_started_total")) {
      assertTrue(
          before.contains("# TYPE " + counter + " counter\n"),
          counter + " should be exported as a counter:\n" + before);
    }
    assertTrue(before.contains("# TYPE sbc_calls_active gauge\n"), before);
    assertEquals(0, valueOf(before, "sbc_sip_requests_total"));

    try (DatagramSocket caller = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      caller.setSoTimeout(3000);
      for (int i = 0; i < 3; i++) {
        send(caller, options(i, caller.getLocalPort()));
        assertTrue(receive(caller).startsWith("SIP/2.0 200 "));
      }
      // A response whose top Via is not ours: dropped, without an answer.
      send(
          caller,
          """
          SIP/2.0 200 OK
          Via: SIP/2.0/UDP 192.0.2.9:5060;branch=z9hG4bK-not-ours
          From: <sip:a@192.0.2.9>;tag=1
          To: <sip:b@192.0.2.9>;tag=2
          Call-ID: not-ours@192.0.2.9
          CSeq: 1 INVITE
          Content-Length: 0

          """);
    }
    String after = registry.scrape();
    // The per-socket datagram counts are plain fields of their loop, read here from another
    // thread: wait until they show the fourth datagram too.
    for (int i = 0;
        i < 100
            && (valueOf(after, "sbc_sip_responses_total") < 1
                || value(after, "sbc_udp_datagrams_received_total", "socket=\"0\"").orElse(0)
                        + value(after, "sbc_udp_datagrams_received_total", "socket=\"1\"").orElse(0)
                    < 4);
        i++) {
      Thread.sleep(20);
      after = registry.scrape();
    }
    assertEquals(3, valueOf(after, "sbc_sip_requests_total"), after);
    assertEquals(3, valueOf(after, "sbc_sip_local_replies_total"), after);
    assertEquals(1, valueOf(after, "sbc_sip_responses_total"), after);
    assertEquals(1, valueOf(after, "sbc_sip_dropped_total", "reason=\"not_our_via\""), after);
    assertEquals(0, valueOf(after, "sbc_sip_dropped_total", "reason=\"malformed\""), after);
    double datagrams = 0;
    for (String socket : List.of("0", "1")) {
      datagrams +=
          value(after, "sbc_udp_datagrams_received_total", "socket=\"" + socket + "\"").orElse(0);
    }
    assertTrue(datagrams >= 4, "4 datagrams were sent to the listener:\n" + after);

    JsonObject status = StatusRoute.status(stack, running);
    assertEquals(3, status.getJsonObject("messages").getLong("requests"), status.encode());
    assertEquals(
        1,
        status.getJsonObject("messages").getJsonObject("droppedByReason").getLong("not_our_via"),
        status.encode());
    long perSocket = 0;
    for (Object n :
        status.getJsonArray("udp").getJsonObject(0).getJsonArray("datagramsPerSocket")) {
      perSocket += ((Number) n).longValue();
    }
    assertEquals((long) datagrams, perSocket, status.encode());
  }

  /** README.md's list of metrics names every metric the gateway exports. */
  @Test
  void everyMetricIsListedInTheReadme() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
    Set<String> missing = new TreeSet<>();
    for (String line : registry.scrape().split("\n")) {
      if (line.startsWith("sbc_")) {
        String name = line.split("[{ ]", 2)[0];
        if (!readme.contains("`" + name + "`")) {
          missing.add(name);
        }
      }
    }
    assertEquals(Set.of(), missing, "metrics missing from README.md's management section");
  }

  @Test
  void reloadExportsTheDestinationsItAddsAndEndsThoseItRemoves() throws Exception {
    String extra = "dispatcher=\"extra\"";
    String started = "sbc_dispatcher_destination_calls_started_total";
    String scrape = registry.scrape();
    assertEquals(0, valueOf(scrape, started, "dispatcher=\"pool\""));
    assertFalse(value(scrape, started, extra).isPresent(), scrape);

    stack.reload(load(config(true)));
    scrape = registry.scrape();
    String uri = "destination=\"sip:127.0.0.1:" + (peer.getLocalPort() + 1) + "\"";
    assertEquals(0, valueOf(scrape, started, extra, uri), scrape);
    assertEquals(
        1,
        valueOf(scrape, "sbc_dispatcher_destination_state", extra, "state=\"active\"")
            + valueOf(scrape, "sbc_dispatcher_destination_state", extra, "state=\"probing\"")
            + valueOf(scrape, "sbc_dispatcher_destination_state", extra, "state=\"inactive\""),
        "a destination is in exactly one state:\n" + scrape);
    assertEquals(0, valueOf(scrape, "sbc_dispatcher_destination_active_calls", extra), scrape);

    stack.reload(load(config(false)));
    scrape = registry.scrape();
    assertFalse(scrape.contains(extra), "a removed destination is no longer exported:\n" + scrape);
    assertEquals(0, valueOf(scrape, started, "dispatcher=\"pool\""), scrape);
  }
}
