package io.sbc.runtime.management;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.sbc.runtime.SbcStack;
import io.sbc.runtime.dispatcher.DestinationStatus;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Prometheus metrics of the gateway ({@code /q/metrics}): message and transaction counts, TCP
 * connections, and per dispatcher destination its state, active calls, failures and probes. Read
 * from the running objects when scraped; nothing is counted twice on the message path.
 */
@ApplicationScoped
public class GatewayMetrics {
  @Inject MeterRegistry registry;
  @Inject RunningGateway gateway;

  /** Registers the gauges; called once the gateway runs. */
  public void bind() {
    gauge("sbc_sip_requests", s -> s.proxy().stats().requests.sum());
    gauge("sbc_sip_responses", s -> s.proxy().stats().responses.sum());
    gauge("sbc_sip_malformed", s -> s.proxy().stats().malformed.sum());
    gauge("sbc_sip_local_replies", s -> s.proxy().stats().localReplies.sum());
    gauge("sbc_transactions_server", s -> s.transactions().serverCount());
    gauge("sbc_transactions_client", s -> s.transactions().clientCount());
    gauge("sbc_tcp_connections", s -> s.transports().openConnections());
    gauge("sbc_tcp_connections_refused", s -> s.transports().refusedConnections());
  }

  /** Registers the gauges of a dispatcher destination (again after a reload: same names). */
  public void bindDestination(String dispatcher, String uri) {
    Tags tags = Tags.of("dispatcher", dispatcher, "destination", uri);
    destinationGauge(
        "sbc_dispatcher_destination_up",
        tags,
        dispatcher,
        uri,
        d -> d.state().name().equals("ACTIVE") ? 1 : 0);
    destinationGauge(
        "sbc_dispatcher_destination_active_calls",
        tags,
        dispatcher,
        uri,
        DestinationStatus::activeCalls);
    destinationGauge(
        "sbc_dispatcher_destination_calls_started",
        tags,
        dispatcher,
        uri,
        DestinationStatus::callsStarted);
    destinationGauge(
        "sbc_dispatcher_destination_call_failures",
        tags,
        dispatcher,
        uri,
        DestinationStatus::callFailures);
    destinationGauge(
        "sbc_dispatcher_destination_probe_failures",
        tags,
        dispatcher,
        uri,
        DestinationStatus::probeFailures);
    destinationGauge(
        "sbc_dispatcher_destination_state_changes",
        tags,
        dispatcher,
        uri,
        DestinationStatus::stateChanges);
  }

  private void gauge(String name, ToDoubleFunction<SbcStack> f) {
    Gauge.builder(name, gateway, g -> g.stack() == null ? 0 : f.applyAsDouble(g.stack()))
        .register(registry);
  }

  private void destinationGauge(
      String name,
      Tags tags,
      String dispatcher,
      String uri,
      ToDoubleFunction<DestinationStatus> f) {
    Gauge.builder(name, gateway, g -> value(g, dispatcher, uri, f)).tags(tags).register(registry);
  }

  private static double value(
      RunningGateway g, String dispatcher, String uri, ToDoubleFunction<DestinationStatus> f) {
    SbcStack s = g.stack();
    if (s == null) {
      return Double.NaN;
    }
    List<DestinationStatus> l = s.dispatcherStatus().get(dispatcher);
    if (l == null) {
      return Double.NaN;
    }
    for (DestinationStatus d : l) {
      if (d.uri().equals(uri)) {
        return f.applyAsDouble(d);
      }
    }
    return Double.NaN;
  }
}
