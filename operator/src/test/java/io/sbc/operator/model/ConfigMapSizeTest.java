package io.sbc.operator.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.sbc.api.ConfigMapPayload;
import io.sbc.operator.crd.SipGatewayResource;
import org.junit.jupiter.api.Test;

/**
 * A configuration too large for a ConfigMap as text goes compressed, and reads back the same; the
 * status check compares what is stored, whichever form.
 */
class ConfigMapSizeTest {

  @Test
  void aLargeConfigurationIsStoredCompressed() {
    SipGatewayResource gw =
        Serialization.unmarshal(
            getClass().getResourceAsStream("/cr/edge.yaml"), SipGatewayResource.class);
    gw.getMetadata().setNamespace("ns");
    String small = "# a small configuration\n";
    ConfigMap plain = WorkloadModel.configMap(gw, small);
    assertEquals(small, plain.getData().get(ConfigMapPayload.KEY));
    assertTrue(plain.getBinaryData() == null || plain.getBinaryData().isEmpty());
    assertEquals(small, StatusModel.storedConfig(plain));

    StringBuilder sb = new StringBuilder();
    while (sb.length() < 3 * 1024 * 1024) {
      sb.append("# route ").append(sb.length()).append(": a prefix, a rewrite, a backend\n");
    }
    String large = sb.toString();
    ConfigMap compressed = WorkloadModel.configMap(gw, large);
    assertTrue(compressed.getData() == null || compressed.getData().isEmpty());
    String stored = compressed.getBinaryData().get(ConfigMapPayload.GZIP_KEY);
    assertTrue(stored.length() < 1024 * 1024, "fits a ConfigMap: " + stored.length());
    assertEquals(large, StatusModel.storedConfig(compressed));
  }
}
