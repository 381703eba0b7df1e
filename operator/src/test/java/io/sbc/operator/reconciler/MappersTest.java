package io.sbc.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.sbc.api.SipRoute;
import io.sbc.api.status.ParentReference;
import io.sbc.api.status.RouteParentStatus;
import io.sbc.api.status.SipRouteStatus;
import io.sbc.operator.crd.SipRouteResource;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Which gateways hear of a route's change is decided from the route alone (its spec and its
 * status), so a fresh operator process decides the same as one that saw every earlier event.
 */
class MappersTest {

  static SipRouteResource route(String specParent, String... statusParents) {
    SipRouteResource r = new SipRouteResource();
    r.setMetadata(new ObjectMetaBuilder().withName("r").withNamespace("ns").build());
    r.setSpec(new SipRoute.Spec());
    SipRoute.ParentRef p = new SipRoute.ParentRef();
    p.name = specParent;
    r.getSpec().parentRefs.add(p);
    SipRouteStatus st = new SipRouteStatus();
    for (String s : statusParents) {
      RouteParentStatus ps = new RouteParentStatus();
      ps.parentRef = new ParentReference(s, "ns");
      st.parents.add(ps);
    }
    r.setStatus(st);
    return r;
  }

  @Test
  void aMovedRouteNamesTheGatewayItLeftAndTheOneItJoined() {
    assertEquals(
        Set.of(new ResourceID("b", "ns"), new ResourceID("a", "ns")),
        Mappers.gatewaysNowOrBefore(route("b", "a")),
        "spec says b, status still says a: both reconcile");
    assertEquals(
        Set.of(new ResourceID("b", "ns")),
        Mappers.gatewaysNowOrBefore(route("b", "b")),
        "settled: b only");
    assertEquals(
        Set.of(new ResourceID("a", "ns")),
        Mappers.gatewaysNowOrBefore(route("a")),
        "a new route: its parent");
  }
}
