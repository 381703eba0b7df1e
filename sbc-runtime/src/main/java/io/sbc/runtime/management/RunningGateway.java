package io.sbc.runtime.management;

import io.sbc.runtime.SbcStack;
import jakarta.enterprise.context.ApplicationScoped;

/** The gateway this process runs, for the management endpoints; null until it has started. */
@ApplicationScoped
public class RunningGateway {
  private volatile SbcStack stack;
  private volatile boolean draining;

  public SbcStack stack() {
    return stack;
  }

  public void started(SbcStack s) {
    this.stack = s;
  }

  /** Marks the gateway as going away: readiness drops so no new traffic is sent here. */
  public void stopping() {
    this.draining = true;
  }

  public boolean isReady() {
    return stack != null && !draining;
  }
}
