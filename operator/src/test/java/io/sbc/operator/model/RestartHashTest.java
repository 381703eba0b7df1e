package io.sbc.operator.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.sbc.api.TopologyHiding;
import io.sbc.operator.crd.SipGatewayResource;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * What the runtime applies only at start rolls the pods (the pod template changes); what it reloads
 * in place leaves the pod template as it was.
 */
class RestartHashTest {
  static final RuntimeSettings SETTINGS = PodSecurityTest.SETTINGS;

  static Deployment deployment(Consumer<SipGatewayResource> change) {
    SipGatewayResource gw =
        Serialization.unmarshal(
            RestartHashTest.class.getResourceAsStream("/cr/edge.yaml"), SipGatewayResource.class);
    gw.getMetadata().setNamespace("ns");
    change.accept(gw);
    return WorkloadModel.deployment(gw, SETTINGS);
  }

  static Object template(Deployment d) {
    return d.getSpec().getTemplate();
  }

  @Test
  void restartSettingsRollThePodsReloadableOnesDoNot() {
    Object base = template(deployment(gw -> {}));
    assertEquals(base, template(deployment(gw -> {})), "deterministic");
    assertNotEquals(base, template(deployment(gw -> gw.getSpec().timers.t1 = 1000)), "timers");
    assertNotEquals(
        base, template(deployment(gw -> gw.getSpec().limits.maxMessageSize = 32768)), "limits");
    assertNotEquals(
        base,
        template(deployment(gw -> gw.getSpec().listeners.get(0).advertisedAddress = "sbc.example")),
        "a listener's advertised address");
    assertNotEquals(
        base, template(deployment(gw -> gw.getSpec().proxy.mode = "stateless")), "proxy mode");
    TopologyHiding hide = new TopologyHiding();
    hide.enabled = true;
    assertEquals(
        base,
        template(deployment(gw -> gw.getSpec().topologyHiding = hide)),
        "topology hiding reloads in place");
    assertNotEquals(
        base,
        template(deployment(gw -> gw.getSpec().domains.add("other.example"))),
        "served domains: what \"this SBC\" means is built at start");
  }
}
