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
    Config c = ConfigProvider.getConfig();
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
