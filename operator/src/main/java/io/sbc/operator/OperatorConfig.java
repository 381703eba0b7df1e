package io.sbc.operator;

import io.sbc.operator.model.RuntimeSettings;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * The operator's own settings (application.properties, or SBC_OPERATOR_* variables): which
 * sbc-runtime image the gateways' pods run, its pull policy, the preStop pause, and the RTPengine
 * image of media sidecars.
 */
public final class OperatorConfig {
  private OperatorConfig() {}

  public static RuntimeSettings settings() {
    return settings(ConfigProvider.getConfig());
  }

  /**
   * The settings from {@code c}; as environment variables (the chart's way) they are named
   * SBC_OPERATOR_RUNTIME_IMAGE, SBC_OPERATOR_RUNTIME_IMAGE_PULL_POLICY,
   * SBC_OPERATOR_PRE_STOP_SLEEP_SECONDS and SBC_OPERATOR_RTPENGINE_IMAGE.
   */
  public static RuntimeSettings settings(Config c) {
    return new RuntimeSettings(
        c.getOptionalValue("sbc.operator.runtime-image", String.class)
            .orElse("ghcr.io/sbc-io/sbc-runtime:latest"),
        c.getOptionalValue("sbc.operator.runtime-image-pull-policy", String.class)
            .orElse("IfNotPresent"),
        c.getOptionalValue("sbc.operator.pre-stop-sleep-seconds", Integer.class).orElse(5),
        c.getOptionalValue("sbc.operator.rtpengine-image", String.class)
            .orElse("rtpengine:latest"));
  }
}
