package io.sbc.runtime.management;

import io.sbc.runtime.SbcStack;
import io.sbc.runtime.sip.transport.Listener;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * The gateway this process runs, for the management endpoints: null until it has started, with the
 * listeners it bound and what became of the configuration changes seen since.
 */
@ApplicationScoped
public class RunningGateway {
  /** The last configuration change that was refused: when, and the errors it was refused for. */
  public record Refusal(Instant at, List<String> errors) {}

  private volatile SbcStack stack;
  private volatile List<Listener> listeners = List.of();
  private volatile boolean draining;
  private final LongAdder reloadsApplied = new LongAdder();
  private final LongAdder reloadsRefused = new LongAdder();
  private volatile Refusal lastRefusal;
  private volatile java.util.function.Supplier<String> configSha256 = () -> null;

  public SbcStack stack() {
    return stack;
  }

  public void started(SbcStack s) {
    // The listeners bound at start: a reload replaces the configuration but not the sockets, and
    // the transport layer counts datagrams by the listener objects it bound.
    this.listeners = List.copyOf(s.config().listeners());
    this.stack = s;
  }

  /** The listeners the gateway bound when it started (they stay until the next start). */
  public List<Listener> listeners() {
    return listeners;
  }

  /** Where the SHA-256 of the configuration running now comes from (a ConfigMap's source). */
  public void configSha256From(java.util.function.Supplier<String> source) {
    this.configSha256 = source;
  }

  /** The SHA-256 of the configuration text running now, or null (read from a file). */
  public String configSha256() {
    return configSha256.get();
  }

  /** A new configuration was applied. */
  public void reloadApplied() {
    reloadsApplied.increment();
  }

  /** A new configuration was refused with these errors; the running one stays. */
  public void reloadRefused(List<String> errors) {
    lastRefusal = new Refusal(Instant.now(), List.copyOf(errors));
    reloadsRefused.increment();
  }

  public long reloadsApplied() {
    return reloadsApplied.sum();
  }

  public long reloadsRefused() {
    return reloadsRefused.sum();
  }

  /** The last refused configuration change, or null when none was refused since the start. */
  public Refusal lastRefusal() {
    return lastRefusal;
  }

  /** Marks the gateway as going away: readiness drops so no new traffic is sent here. */
  public void stopping() {
    this.draining = true;
  }

  public boolean isReady() {
    return stack != null && !draining;
  }
}
