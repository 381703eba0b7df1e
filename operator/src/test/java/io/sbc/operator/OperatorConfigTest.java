package io.sbc.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sbc.operator.model.RuntimeSettings;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The environment variables the Helm chart sets are the ones the operator reads. */
class OperatorConfigTest {

  @Test
  void theChartsEnvironmentReachesTheOperator() {
    RuntimeSettings s =
        OperatorConfig.settings(
            new SmallRyeConfigBuilder()
                .withSources(
                    new EnvConfigSource(
                        Map.of(
                            "SBC_OPERATOR_RUNTIME_IMAGE", "registry.example.com/sbc-runtime:1.2.3",
                            "SBC_OPERATOR_RUNTIME_IMAGE_PULL_POLICY", "Always",
                            "SBC_OPERATOR_PRE_STOP_SLEEP_SECONDS", "9",
                            "SBC_OPERATOR_RTPENGINE_IMAGE", "registry.example.com/rtpengine:11"),
                        300))
                .build());
    assertEquals(
        new RuntimeSettings(
            "registry.example.com/sbc-runtime:1.2.3",
            "Always",
            9,
            "registry.example.com/rtpengine:11"),
        s);
  }
}
