package io.sbc.operator.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.sbc.api.ConfigException;
import io.sbc.api.ConfigReader;
import io.sbc.operator.crd.SipGatewayResource;
import org.junit.jupiter.api.Test;

/**
 * The autoscaler scales on SIP load: the pods' active calls through the custom metrics API when the
 * gateway gives a target, else the CPU of the SBC container, which then must have a request.
 */
class AutoscalerTest {

  @Test
  void onActiveCallsPerPodWhenTheGatewayGivesATarget() {
    SipGatewayResource gw = InfrastructureTest.edge();
    gw.getSpec().autoscaling.targetActiveCallsPerPod = 400;
    HorizontalPodAutoscaler hpa = WorkloadModel.autoscaler(gw);
    assertEquals(1, hpa.getSpec().getMetrics().size());
    MetricSpec m = hpa.getSpec().getMetrics().get(0);
    assertEquals("Pods", m.getType());
    assertEquals("sbc_calls_active", m.getPods().getMetric().getName());
    assertEquals("AverageValue", m.getPods().getTarget().getType());
    assertEquals("400", m.getPods().getTarget().getAverageValue().toString());
    assertEquals(2, hpa.getSpec().getMinReplicas());
    assertEquals(6, hpa.getSpec().getMaxReplicas());
    assertEquals("edge-sbc", hpa.getSpec().getScaleTargetRef().getName());
  }

  @Test
  void otherwiseOnTheCpuOfTheSbcContainerAlone() {
    HorizontalPodAutoscaler hpa = WorkloadModel.autoscaler(InfrastructureTest.edge());
    MetricSpec m = hpa.getSpec().getMetrics().get(0);
    assertEquals("ContainerResource", m.getType());
    assertEquals("cpu", m.getContainerResource().getName());
    assertEquals(WorkloadModel.CONTAINER, m.getContainerResource().getContainer());
    assertEquals("Utilization", m.getContainerResource().getTarget().getType());
    assertEquals(60, m.getContainerResource().getTarget().getAverageUtilization());
  }

  @Test
  void noAutoscalerWithoutAutoscaling() {
    SipGatewayResource gw = InfrastructureTest.edge();
    gw.getSpec().autoscaling = null;
    assertNull(WorkloadModel.autoscaler(gw));
  }

  static final String GATEWAY =
      """
      apiVersion: sbc.io/v1alpha1
      kind: SipGateway
      metadata: {name: edge}
      spec:
        listeners: [{name: udp, protocol: SIP-UDP, port: 5060}]
      """;

  @Test
  void cpuScalingWithoutACpuRequestIsRefusedNamingTheField() {
    String yaml =
        GATEWAY
            + """
              autoscaling: {minReplicas: 2, maxReplicas: 6}
              resources: {requests: {memory: 512Mi}}
            """;
    ConfigException e =
        assertThrows(ConfigException.class, () -> ConfigReader.read("gw.yaml", yaml));
    String all = String.join("\n", e.errors());
    assertTrue(all.contains("spec.resources.requests.cpu"), all);
    assertTrue(all.contains("required when spec.autoscaling scales on CPU"), all);
    // without resources at all: the same error
    ConfigException none =
        assertThrows(
            ConfigException.class,
            () ->
                ConfigReader.read(
                    "gw.yaml", GATEWAY + "  autoscaling: {minReplicas: 1, maxReplicas: 3}\n"));
    assertTrue(String.join("\n", none.errors()).contains("spec.resources.requests.cpu"));
  }

  @Test
  void callScalingNeedsNoCpuRequest() throws Exception {
    ConfigReader.read(
        "gw.yaml",
        GATEWAY
            + "  autoscaling: {minReplicas: 1, maxReplicas: 3, targetActiveCallsPerPod: 500}\n");
  }
}
