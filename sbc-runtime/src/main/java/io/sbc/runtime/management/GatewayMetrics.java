package io.sbc.runtime.management;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.sbc.runtime.SbcStack;
import io.sbc.runtime.dispatcher.DestinationState;
import io.sbc.runtime.dispatcher.DestinationStatus;
import io.sbc.runtime.sip.admission.SourceGuard;
import io.sbc.runtime.sip.proxy.CallAdmission;
import io.sbc.runtime.sip.proxy.CallEvents;
import io.sbc.runtime.sip.proxy.Proxy;
import io.sbc.runtime.sip.transport.Listener;
import io.sbc.runtime.sip.transport.Loop;
import io.sbc.runtime.sip.transport.Protocol;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * Prometheus metrics of the gateway ({@code /q/metrics}): every monotonic count as a counter
 * (exported as {@code NAME_total}), what is true now as a gauge; read from the running objects when
 * scraped, so nothing is counted twice on the message path. The names are listed in README.md.
 *
 * <p>Dispatcher destinations are exported from start and after every reload: a destination a reload
 * adds gets its meters then, one a reload removes loses them (its series end, rather than reading
 * NaN for as long as the process runs).
 */
@ApplicationScoped
public class GatewayMetrics {
  /** One scrape reads every destination meter; they share one snapshot of the dispatchers. */
  private static final long SNAPSHOT_NANOS = 250_000_000L;

  private static final String DISPATCHER = "dispatcher";
  private static final String DESTINATION = "destination";

  private final MeterRegistry registry;
  private final RunningGateway gateway;

  /**
   * The stack the meters read; a field of this bean, because Micrometer holds the objects of
   * function counters weakly, and this bean lives as long as the process.
   */
  private volatile SbcStack stack;

  /** The meters of each rule with call limits, by rule name; guarded by {@code this}. */
  private final Map<String, List<Meter>> limitedRules = new HashMap<>();

  /** The meters of each exported destination, by (dispatcher, URI); guarded by {@code this}. */
  private final Map<List<String>, List<Meter>> destinations = new HashMap<>();

  private record Snapshot(
      long generation, long takenAtNanos, Map<String, Map<String, DestinationStatus>> byName) {}

  private volatile Snapshot snapshot;

  /** Counts the reloads seen: a snapshot taken before one is not used after it. */
  private volatile long generation;

  @Inject
  public GatewayMetrics(MeterRegistry registry, RunningGateway gateway) {
    this.registry = registry;
    this.gateway = gateway;
  }

  /**
   * Registers the gateway's meters (once, when it runs) and its destinations' now and after every
   * reload that is applied.
   */
  public synchronized void bind(SbcStack s) {
    if (stack != null) {
      throw new IllegalStateException("metrics are already bound to a gateway");
    }
    stack = s;
    bindMessages();
    bindCalls();
    bindTransactions();
    bindTransport();
    if (s.registrar() != null) {
      bindRegistrar();
    }
    if (s.media() != null) {
      bindMedia();
    }
    counter(
        "sbc_config_reloads",
        "Configuration changes applied or refused (the running configuration stays)",
        st -> gateway.reloadsApplied(),
        "result",
        "applied");
    counter(
        "sbc_config_reloads",
        "Configuration changes applied or refused (the running configuration stays)",
        st -> gateway.reloadsRefused(),
        "result",
        "refused");
    bindDestinations();
    bindAdmission();
    s.addReloadListener(this::bindDestinations);
    s.addReloadListener(this::bindAdmission);
  }

  private void bindMessages() {
    counter(
        "sbc_sip_requests",
        "SIP requests received, retransmissions included",
        st -> st.proxy().stats().requests.sum());
    counter(
        "sbc_sip_responses",
        "SIP responses received, retransmissions included",
        st -> st.proxy().stats().responses.sum());
    counter(
        "sbc_sip_malformed",
        "Messages that failed to parse (requests are answered with the error, responses dropped)",
        st -> st.proxy().stats().malformed.sum());
    counter(
        "sbc_sip_local_replies",
        "Responses the SBC sent itself rather than forwarded",
        st -> st.proxy().stats().localReplies.sum());
    for (Proxy.Drop d : Proxy.Drop.values()) {
      counter(
          "sbc_sip_dropped",
          "Messages dropped without an answer, by reason",
          st -> st.proxy().stats().dropped(d),
          "reason",
          d.name().toLowerCase(Locale.ROOT));
    }
    for (SourceGuard.Refusal r : SourceGuard.Refusal.values()) {
      counter(
          "sbc_sip_dropped",
          "Messages dropped without an answer, by reason",
          st -> st.sourceGuard().refusedMessages(r),
          "reason",
          refusalName(r));
    }
    counter(
        "sbc_sip_source_bans",
        "Sources banned (over the anti-flood limit, or scanning)",
        st -> st.sourceGuard().bans());
    gauge(
        "sbc_sip_sources_banned",
        "Sources banned now",
        Tags.empty(),
        st -> st.sourceGuard().bannedNow());
    gauge(
        "sbc_sip_sources_tracked",
        "Source addresses the anti-flood tables hold now (bounded per event loop)",
        Tags.empty(),
        st -> st.sourceGuard().trackedSources());
    counter(
        "sbc_sip_sources_evicted",
        "Sources that lost their anti-flood slot while still counted (the tables were full)",
        st -> st.sourceGuard().evicted());
    counter(
        "sbc_sip_route_tokens_refused",
        "In-dialog requests whose Route token of this SBC did not verify (answered 403)",
        st -> st.proxy().stats().refusedRoutes.sum());
    counter(
        "sbc_sip_next_hops_unresolved",
        "Targets for which no next hop could be found",
        st -> st.proxy().stats().unresolvable.sum());
    counter(
        "sbc_dns_questions",
        "DNS questions sent to the name servers (what the cache of answers lacked)",
        st -> st.resolver().questions());
    gauge(
        "sbc_dns_cached_answers",
        "DNS answers kept for their TTL (negative ones included)",
        Tags.empty(),
        st -> st.resolver().cachedAnswers());
    counter(
        "sbc_sip_stage_failures",
        "Messages whose processing failed inside the SBC (a bug: the log has the stack trace)",
        st -> st.proxy().stats().stageFailures.sum());
  }

  private void bindCalls() {
    counter(
        "sbc_sip_requests_routed",
        "Requests forwarded statefully to the targets of a rule or of their route set",
        st -> st.callCounters().routed.sum());
    counter(
        "sbc_sip_branches_started",
        "Branches sent (a request forwarded to one target)",
        st -> st.callCounters().branches.sum());
    for (int c = 2; c <= 6; c++) {
      int statusClass = c;
      counter(
          "sbc_sip_branches_ended",
          "Branches ended, by the class of their final status (408 for a timeout, 503 for a"
              + " transport error)",
          st -> st.callCounters().branchEnds(statusClass),
          "status_class",
          c + "xx");
    }
    counter(
        "sbc_calls_answered",
        "INVITEs answered 2xx: calls set up",
        st -> st.callCounters().answered.sum());
    for (CallEvents.EndReason r : CallEvents.EndReason.values()) {
      counter(
          "sbc_calls_ended",
          "Calls ended (bye), never set up (failed, cancelled), forgotten (expired) or replaced",
          st -> st.callCounters().ended(r),
          "reason",
          r.name().toLowerCase(Locale.ROOT));
    }
    gauge(
        "sbc_calls_active",
        "Calls answered and not yet ended",
        Tags.empty(),
        st -> st.proxy().calls().size());
    gauge(
        "sbc_calls_in_progress",
        "Calls this replica carries, ringing or answered (what a drain waits for)",
        Tags.empty(),
        st -> st.callAdmission().active());
    counter(
        "sbc_calls_refused_draining",
        "New INVITEs answered 503 because the process is stopping",
        st -> st.callAdmission().refusedDraining());
    gauge(
        "sbc_calls_gateway_max_calls",
        "This replica's share of the gateway's spec.callLimits.maxCalls (0: no limit)",
        Tags.empty(),
        st -> {
          var l = st.callAdmission().gateway().limit();
          return l == null ? 0 : l.maxCalls();
        });
    for (CallAdmission.Refusal r :
        List.of(
            CallAdmission.Refusal.GATEWAY_MAX_CALLS,
            CallAdmission.Refusal.GATEWAY_MAX_CALLS_PER_SECOND)) {
      counter(
          "sbc_calls_gateway_refused",
          "New calls answered 503 by the gateway's own call limits, by limit reached",
          st -> st.callAdmission().gateway().refused(r),
          "reason",
          r.name().toLowerCase(Locale.ROOT));
    }
  }

  private void bindRegistrar() {
    gauge(
        "sbc_registrar_bindings",
        "Bindings (registered contacts) this replica holds",
        Tags.empty(),
        st -> st.locations().size());
    counter(
        "sbc_registrar_registrations",
        "REGISTERs answered 200 by the registrar",
        st -> st.registrar().counters()[0]);
    counter(
        "sbc_registrar_refused",
        "REGISTERs the registrar refused (4xx/5xx other than challenges)",
        st -> st.registrar().counters()[1]);
    String[] outcomes = {"challenged", "accepted", "refused", "stale", "replayed", "blocked"};
    for (int i = 0; i < outcomes.length; i++) {
      int k = i;
      counter(
          "sbc_auth_outcomes",
          "Digest authentication outcomes (blocked: sources blocked after repeated failures)",
          st -> st.authentication().counters()[k],
          "outcome",
          outcomes[i]);
    }
  }

  private void bindMedia() {
    String[][] commands = {{"offer"}, {"answer"}, {"delete"}};
    for (String[] c : commands) {
      counter(
          "sbc_media_commands",
          "ng commands sent to RTPengine, by command",
          st ->
              switch (c[0]) {
                case "offer" -> st.media().stats().offers.sum();
                case "answer" -> st.media().stats().answers.sum();
                default -> st.media().stats().deletes.sum();
              },
          "command",
          c[0]);
    }
    counter(
        "sbc_media_command_failures",
        "ng commands that got no answer after every try, or found no RTPengine up",
        st -> st.media().stats().failures.sum());
    counter(
        "sbc_media_command_errors",
        "ng commands RTPengine answered with an error",
        st -> st.media().stats().errors.sum());
    counter(
        "sbc_media_unanchored",
        "Messages forwarded with their SDP untouched because RTPengine did not anchor them",
        st -> st.media().stats().unanchored.sum());
    counter(
        "sbc_media_answers_stripped",
        "18x/2xx forwarded without their SDP because RTPengine's answer failed (anchoring wanted,"
            + " or topology hiding)",
        st -> st.media().stats().stripped.sum());
    counter(
        "sbc_media_retransmissions",
        "ng commands sent again (same cookie) after a timeout",
        st -> st.media().client().stats().retransmissions.sum());
    counter(
        "sbc_media_rtp_packets",
        "RTP packets RTPengine relayed for the calls deleted (its delete totals)",
        st -> st.media().stats().rtpPackets.sum());
    counter(
        "sbc_media_rtp_bytes",
        "RTP bytes RTPengine relayed for the calls deleted (its delete totals)",
        st -> st.media().stats().rtpBytes.sum());
    String[] kinds = {"packets", "bytes", "lost_packets"};
    String[] helps = {
      "RTP packets RTPengine received from each side of the calls ended by a BYE",
      "RTP bytes RTPengine received from each side of the calls ended by a BYE",
      "Packets lost on the way to RTPengine from each side (RTCP reports), calls ended by a BYE"
    };
    for (int k = 0; k < kinds.length; k++) {
      int what = k;
      for (String side : new String[] {"caller", "callee"}) {
        counter(
            "sbc_media_call_" + kinds[k],
            helps[k],
            st -> st.callCounters().media(side.equals("callee"), what),
            "from",
            side);
      }
    }
    for (String what : new String[] {"instance", "policy"}) {
      counter(
          "sbc_media_sealed_fallbacks",
          "In-dialog requests whose sealed RTPengine instance or media policy this replica is not"
              + " configured with (the Call-ID's hash, the gateway's policy used instead)",
          st ->
              what.equals("instance")
                  ? st.media().stats().unknownInstance.sum()
                  : st.media().stats().unknownPolicy.sum(),
          "what",
          what);
    }
    gauge(
        "sbc_media_instances_up",
        "RTPengine instances answering (their ping, their commands)",
        Tags.empty(),
        st -> st.media().engines().instances().stream().filter(i -> i.isUp()).count());
  }

  private void bindTransactions() {
    gauge(
        "sbc_transactions_server",
        "Server transactions in the table, lingering ones included",
        Tags.empty(),
        st -> st.transactions().serverCount());
    gauge(
        "sbc_transactions_client",
        "Client transactions in the table, lingering ones included",
        Tags.empty(),
        st -> st.transactions().clientCount());
    counter(
        "sbc_transaction_fallbacks",
        "Server transactions that answered 500 themselves because the proxy sent no final (a bug)",
        st -> st.transactions().fallbacks());
    counter(
        "sbc_event_loop_stalls",
        "Times an event loop's 10 ms tick came over 50 ms late: the loop was blocked or the"
            + " process paused",
        st -> {
          long n = 0;
          for (Loop l : st.loops()) {
            n += l.stalls();
          }
          return n;
        });
    counter(
        "sbc_timer_task_failures",
        "Timer tasks that threw (a bug: the log has the stack trace)",
        st -> {
          long n = 0;
          for (Loop l : st.loops()) {
            n += l.timers().failures();
          }
          return n;
        });
  }

  private void bindTransport() {
    for (Listener l : gateway.listeners()) {
      if (l.protocol() != Protocol.UDP) {
        continue;
      }
      int sockets = stack.transports().udpDatagramCounts(l).length;
      for (int i = 0; i < sockets; i++) {
        int socket = i;
        counter(
            "sbc_udp_datagrams_received",
            "Datagrams received, per socket of a UDP listener (one socket per event loop with"
                + " SO_REUSEPORT)",
            st -> {
              long[] counts = st.transports().udpDatagramCounts(l);
              return socket < counts.length ? counts[socket] : Double.NaN;
            },
            "listener",
            l.name(),
            "socket",
            Integer.toString(socket));
      }
    }
    gauge(
        "sbc_tcp_connections",
        "TCP connections open now, accepted (inbound) and opened by the SBC (outbound)",
        Tags.of("direction", "inbound"),
        st -> st.transports().inboundConnections());
    gauge(
        "sbc_tcp_connections",
        "TCP connections open now, accepted (inbound) and opened by the SBC (outbound)",
        Tags.of("direction", "outbound"),
        st -> st.transports().outboundConnections());
    String refused =
        "TCP connections refused: maxTcpConnections or maxTcpConnectionsPerSource reached, or the"
            + " source denied or banned, for an accepted one; maxOutboundTcpConnections for a"
            + " connect";
    counter(
        "sbc_tcp_connections_refused",
        refused,
        st -> st.transports().refusedInbound(),
        "reason",
        "max_inbound");
    counter(
        "sbc_tcp_connections_refused",
        refused,
        st -> st.transports().refusedPerSource(),
        "reason",
        "max_per_source");
    counter(
        "sbc_tcp_connections_refused",
        refused,
        st -> st.transports().refusedOutbound(),
        "reason",
        "max_outbound");
    counter(
        "sbc_tcp_connections_refused",
        refused,
        st -> st.sourceGuard().refusedConnections(SourceGuard.Refusal.DENIED),
        "reason",
        "source_denied");
    counter(
        "sbc_tcp_connections_refused",
        refused,
        st -> st.sourceGuard().refusedConnections(SourceGuard.Refusal.BANNED),
        "reason",
        "source_banned");
    String closed =
        "TCP connections closed by the SBC: the peer did not read (write queue full), a message"
            + " was not complete in time (message timeout), or nothing came (idle)";
    counter(
        "sbc_tcp_connections_closed",
        closed,
        st -> st.transports().closedSlowWriter(),
        "reason",
        "write_queue_full");
    counter(
        "sbc_tcp_connections_closed",
        closed,
        st -> st.transports().closedHalfSent(),
        "reason",
        "message_timeout");
    counter(
        "sbc_tcp_connections_closed", closed, st -> st.transports().closedIdle(), "reason", "idle");
    counter(
        "sbc_tcp_sends_dropped_while_connecting",
        "Sends failed because the bytes waiting for a connect to their destination reached the cap",
        st -> st.transports().droppedWhileConnecting());
  }

  /**
   * Exports the destinations the dispatchers have now and stops exporting those they no longer
   * have; runs at start and after every applied reload.
   */
  synchronized void bindDestinations() {
    generation++; // the next scrape reads the dispatchers of the new configuration
    Set<List<String>> present = new HashSet<>();
    stack
        .dispatcherStatus()
        .forEach(
            (name, list) -> {
              for (DestinationStatus d : list) {
                List<String> key = List.of(name, d.uri());
                present.add(key);
                destinations.computeIfAbsent(key, k -> registerDestination(name, d.uri()));
              }
            });
    destinations
        .entrySet()
        .removeIf(
            e -> {
              if (present.contains(e.getKey())) {
                return false;
              }
              e.getValue().forEach(registry::remove);
              return true;
            });
  }

  /**
   * Exports the call admission counts of the rules with call limits in the running configuration,
   * and stops exporting those of rules a reload removed; runs at start and after every reload.
   */
  synchronized void bindAdmission() {
    List<String> present = stack.config().limitedRules();
    for (String rule : present) {
      limitedRules.computeIfAbsent(rule, this::registerAdmission);
    }
    limitedRules
        .entrySet()
        .removeIf(
            e -> {
              if (present.contains(e.getKey())) {
                return false;
              }
              e.getValue().forEach(registry::remove);
              return true;
            });
  }

  private List<Meter> registerAdmission(String rule) {
    List<Meter> meters = new ArrayList<>();
    meters.add(
        Gauge.builder(
                "sbc_calls_admitted_active",
                this,
                m -> {
                  CallAdmission.RuleCounts c = m.stack.callAdmission().rule(rule);
                  return c == null ? 0 : c.active();
                })
            .description("Calls of a rule with call limits in progress now (this replica)")
            .tags(Tags.of("rule", rule))
            .register(registry));
    for (CallAdmission.Refusal r :
        List.of(
            CallAdmission.Refusal.MAX_CALLS,
            CallAdmission.Refusal.MAX_CALLS_PER_SECOND,
            CallAdmission.Refusal.MAX_CALLS_PER_SOURCE)) {
      meters.add(
          FunctionCounter.builder(
                  "sbc_calls_admission_refused",
                  this,
                  m -> {
                    CallAdmission.RuleCounts c = m.stack.callAdmission().rule(rule);
                    return c == null ? 0 : c.refused(r);
                  })
              .description("Calls answered 503 by call admission control, by limit reached")
              .tags(Tags.of("rule", rule, "reason", r.name().toLowerCase(Locale.ROOT)))
              .register(registry));
    }
    return meters;
  }

  private List<Meter> registerDestination(String dispatcher, String uri) {
    Tags tags = Tags.of(DISPATCHER, dispatcher, DESTINATION, uri);
    List<Meter> meters = new ArrayList<>();
    meters.add(
        destinationGauge(
            "sbc_dispatcher_destination_up",
            "1 when the destination is ACTIVE (selected), else 0",
            tags,
            dispatcher,
            uri,
            d -> d.state() == DestinationState.ACTIVE ? 1 : 0));
    for (DestinationState state : DestinationState.values()) {
      meters.add(
          destinationGauge(
              "sbc_dispatcher_destination_state",
              "1 for the state the destination is in (active, probing, inactive), else 0",
              tags.and("state", state.name().toLowerCase(Locale.ROOT)),
              dispatcher,
              uri,
              d -> d.state() == state ? 1 : 0));
    }
    meters.add(
        destinationGauge(
            "sbc_dispatcher_destination_active_calls",
            "INVITE branches in progress plus answered calls not yet ended",
            tags,
            dispatcher,
            uri,
            DestinationStatus::activeCalls));
    meters.add(
        destinationCounter(
            "sbc_dispatcher_destination_calls_started",
            "INVITE branches sent to the destination",
            tags,
            dispatcher,
            uri,
            DestinationStatus::callsStarted));
    meters.add(
        destinationCounter(
            "sbc_dispatcher_destination_calls_skipped_full",
            "New calls that skipped the destination because it carried its maxCalls",
            tags,
            dispatcher,
            uri,
            DestinationStatus::callsSkippedFull));
    meters.add(
        destinationCounter(
            "sbc_dispatcher_destination_call_failures",
            "Branches to the destination that ended with 408 or 5xx",
            tags,
            dispatcher,
            uri,
            DestinationStatus::callFailures));
    meters.add(
        destinationCounter(
            "sbc_dispatcher_destination_probes_sent",
            "OPTIONS probes sent to the destination",
            tags,
            dispatcher,
            uri,
            DestinationStatus::probesSent));
    meters.add(
        destinationCounter(
            "sbc_dispatcher_destination_probe_failures",
            "Probes that failed (timeout, transport error, 5xx, 6xx)",
            tags,
            dispatcher,
            uri,
            DestinationStatus::probeFailures));
    meters.add(
        destinationCounter(
            "sbc_dispatcher_destination_state_changes",
            "State changes of the destination",
            tags,
            dispatcher,
            uri,
            DestinationStatus::stateChanges));
    return meters;
  }

  /** The reason label of a source refusal: source_denied, source_banned, rate_limited, scanner. */
  static String refusalName(SourceGuard.Refusal r) {
    return switch (r) {
      case DENIED -> "source_denied";
      case BANNED -> "source_banned";
      default -> r.name().toLowerCase(Locale.ROOT);
    };
  }

  private void counter(String name, String help, ToDoubleFunction<SbcStack> f, String... tags) {
    FunctionCounter.builder(name, this, m -> f.applyAsDouble(m.stack))
        .description(help)
        .tags(tags)
        .register(registry);
  }

  private void gauge(String name, String help, Tags tags, ToDoubleFunction<SbcStack> f) {
    Gauge.builder(name, this, m -> f.applyAsDouble(m.stack))
        .description(help)
        .tags(tags)
        .register(registry);
  }

  private Meter destinationGauge(
      String name,
      String help,
      Tags tags,
      String dispatcher,
      String uri,
      ToDoubleFunction<DestinationStatus> f) {
    return Gauge.builder(name, this, m -> m.destinationValue(dispatcher, uri, f))
        .description(help)
        .tags(tags)
        .register(registry);
  }

  private Meter destinationCounter(
      String name,
      String help,
      Tags tags,
      String dispatcher,
      String uri,
      ToDoubleFunction<DestinationStatus> f) {
    return FunctionCounter.builder(name, this, m -> m.destinationValue(dispatcher, uri, f))
        .description(help)
        .tags(tags)
        .register(registry);
  }

  /** A value of a destination; NaN only between a reload that removed it and its meters' end. */
  private double destinationValue(
      String dispatcher, String uri, ToDoubleFunction<DestinationStatus> f) {
    Snapshot s = snapshot;
    long g = generation;
    long now = System.nanoTime();
    if (s == null || s.generation() != g || now - s.takenAtNanos() > SNAPSHOT_NANOS) {
      Map<String, Map<String, DestinationStatus>> byName = new HashMap<>();
      stack
          .dispatcherStatus()
          .forEach(
              (name, list) -> {
                Map<String, DestinationStatus> byUri = new HashMap<>();
                list.forEach(d -> byUri.put(d.uri(), d));
                byName.put(name, byUri);
              });
      s = new Snapshot(g, now, byName);
      snapshot = s;
    }
    Map<String, DestinationStatus> byUri = s.byName().get(dispatcher);
    DestinationStatus d = byUri == null ? null : byUri.get(uri);
    return d == null ? Double.NaN : f.applyAsDouble(d);
  }
}
