package io.sbc.operator.reconciler;

import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.sbc.operator.crd.SipDispatcherResource;
import io.sbc.operator.crd.SipGatewayResource;
import io.sbc.operator.crd.SipRouteResource;
import io.sbc.operator.model.GatewayResolution;

/** The resolution of the gateway being reconciled, computed once per reconciliation. */
final class Resolved {
  private Resolved() {}

  private static final String KEY = "sbc.resolution";

  static GatewayResolution of(SipGatewayResource gw, Context<SipGatewayResource> context) {
    var store = context.managedWorkflowAndDependentResourceContext();
    GatewayResolution res = store.get(KEY, GatewayResolution.class).orElse(null);
    if (res == null) {
      String ns = gw.getMetadata().getNamespace();
      res =
          GatewayResolution.resolve(
              gw,
              Caches.inNamespace(context, SipRouteResource.class, ns),
              Caches.inNamespace(context, SipDispatcherResource.class, ns),
              ClusterServices.of(context));
      store.put(KEY, res);
    }
    return res;
  }
}
