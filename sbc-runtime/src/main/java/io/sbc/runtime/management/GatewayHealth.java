package io.sbc.runtime.management;

import io.sbc.runtime.SbcStack;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/** Health for Kubernetes probes: ready once listeners are bound, live while the loops run. */
public final class GatewayHealth {
  private GatewayHealth() {}

  /** Ready: the listeners are bound and the gateway is not shutting down. */
  @Readiness
  @ApplicationScoped
  public static class Ready implements HealthCheck {
    @Inject RunningGateway gateway;

    @Override
    public HealthCheckResponse call() {
      SbcStack s = gateway.stack();
      var b = HealthCheckResponse.named("sip-listeners").status(gateway.isReady());
      if (s != null) {
        b.withData("gateway", s.config().name())
            .withData("listeners", s.config().listeners().toString());
      }
      return b.build();
    }
  }

  /**
   * Ready for media (mode Sidecar): this pod's own RTPengine answers its ping. A pod whose sidecar
   * is down cannot anchor a call, so its Service endpoint goes while the other pods take the calls;
   * it comes back with the first pong. With listed instances (External) it stays up: every replica
   * sees the same instances, and the rule's onFailure decides for the calls.
   */
  @Readiness
  @ApplicationScoped
  public static class MediaReady implements HealthCheck {
    @Inject RunningGateway gateway;

    @Override
    public HealthCheckResponse call() {
      SbcStack s = gateway.stack();
      var b = HealthCheckResponse.named("media");
      if (s == null || s.media() == null || !s.config().media().sidecar()) {
        return b.up().build();
      }
      boolean up = s.media().engines().instances().stream().anyMatch(i -> i.isUp());
      return b.status(up)
          .withData("rtpengine", s.config().media().instances().keySet().toString())
          .build();
    }
  }

  /** Live: every event loop has advanced its timer wheel within the last few seconds. */
  @Liveness
  @ApplicationScoped
  public static class Live implements HealthCheck {
    @Inject RunningGateway gateway;

    @Override
    public HealthCheckResponse call() {
      SbcStack s = gateway.stack();
      if (s == null) {
        return HealthCheckResponse.named("event-loops").up().build();
      }
      long stalled = s.stalledLoops(5_000);
      return HealthCheckResponse.named("event-loops")
          .status(stalled == 0)
          .withData("stalledLoops", stalled)
          .build();
    }
  }
}
