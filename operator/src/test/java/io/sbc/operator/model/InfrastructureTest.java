package io.sbc.operator.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.sbc.api.ConfigException;
import io.sbc.api.ConfigReader;
import io.sbc.api.SipGateway;
import io.sbc.operator.crd.SipGatewayResource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** spec.infrastructure reaches the Service and the pods, and bad values are named. */
class InfrastructureTest {

  static SipGatewayResource edge() {
    SipGatewayResource gw =
        Serialization.unmarshal(
            InfrastructureTest.class.getResourceAsStream("/cr/edge.yaml"),
            SipGatewayResource.class);
    gw.getMetadata().setNamespace("ns");
    return gw;
  }

  @Test
  void theServiceAndThePodsFollowIt() {
    SipGatewayResource gw = edge();
    SipGateway.Infrastructure inf = new SipGateway.Infrastructure();
    inf.serviceAnnotations.put("service.beta.kubernetes.io/aws-load-balancer-type", "nlb");
    inf.loadBalancerClass = "service.k8s.aws/nlb";
    inf.loadBalancerSourceRanges = List.of("203.0.113.0/24");
    inf.loadBalancerIP = "198.51.100.20";
    inf.nodeSelector.put("sip-edge", "true");
    SipGateway.Toleration t = new SipGateway.Toleration();
    t.key = "dedicated";
    t.operator = "Equal";
    t.value = "sip";
    t.effect = "NoSchedule";
    inf.tolerations = List.of(t);
    inf.spreadAcrossZones = true;
    gw.getSpec().infrastructure = inf;

    Service svc = WorkloadModel.service(gw);
    assertEquals(
        Map.of("service.beta.kubernetes.io/aws-load-balancer-type", "nlb"),
        svc.getMetadata().getAnnotations());
    assertEquals("service.k8s.aws/nlb", svc.getSpec().getLoadBalancerClass());
    assertEquals(List.of("203.0.113.0/24"), svc.getSpec().getLoadBalancerSourceRanges());
    assertEquals("198.51.100.20", svc.getSpec().getLoadBalancerIP());

    PodSpec pod =
        WorkloadModel.deployment(gw, PodSecurityTest.SETTINGS).getSpec().getTemplate().getSpec();
    assertEquals(Map.of("sip-edge", "true"), pod.getNodeSelector());
    assertEquals("dedicated", pod.getTolerations().get(0).getKey());
    assertEquals("NoSchedule", pod.getTolerations().get(0).getEffect());
    assertEquals(
        "topology.kubernetes.io/zone", pod.getTopologySpreadConstraints().get(0).getTopologyKey());
    assertEquals(List.of(), PodSecurityTest.restrictedViolations(pod), "still restricted");

    // without it: nothing of the sort
    Service plain = WorkloadModel.service(edge());
    assertNull(plain.getSpec().getLoadBalancerClass());
    assertNull(plain.getSpec().getLoadBalancerSourceRanges());
  }

  @Test
  void badValuesAreNamed() {
    String yaml =
        """
        apiVersion: sbc.io/v1alpha1
        kind: SipGateway
        metadata: {name: edge}
        spec:
          listeners: [{name: udp, protocol: SIP-UDP, port: 5060}]
          infrastructure:
            loadBalancerSourceRanges: ["203.0.113.0/33"]
            loadBalancerIP: lb.example.com
            tolerations: [{key: k, operator: Sometimes, effect: Never}]
        """;
    ConfigException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            ConfigException.class, () -> ConfigReader.read("gw.yaml", yaml));
    String all = String.join("\n", e.errors());
    assertTrue(all.contains("spec.infrastructure.loadBalancerSourceRanges[0]"), all);
    assertTrue(all.contains("spec.infrastructure.loadBalancerIP"), all);
    assertTrue(all.contains("spec.infrastructure.tolerations[0].operator"), all);
    assertTrue(all.contains("spec.infrastructure.tolerations[0].effect"), all);
  }
}
