package io.sbc.runtime.config;

import io.sbc.api.ConfigException;

/** Applies a new valid configuration to the running gateway, all or nothing. */
@FunctionalInterface
public interface ConfigApplier {
  /**
   * @throws ConfigException when a part of it cannot be applied; then nothing of it was
   */
  void apply(GatewayConfig next) throws ConfigException;
}
