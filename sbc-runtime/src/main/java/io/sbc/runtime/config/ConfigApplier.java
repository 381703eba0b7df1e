package io.sbc.runtime.config;

import io.sbc.api.ConfigException;
import java.util.List;

/** Applies a new valid configuration to the running gateway, all or nothing. */
@FunctionalInterface
public interface ConfigApplier {
  /**
   * @throws ConfigException when a part of it cannot be applied; then nothing of it was
   */
  void apply(GatewayConfig next) throws ConfigException;

  /**
   * A new version of the configuration was refused (invalid, or {@link #apply} threw): the running
   * one stays. Called on the watcher's thread, after the refusal is logged, so that management can
   * count refusals and show the last one's errors.
   */
  default void refused(List<String> errors) {}
}
