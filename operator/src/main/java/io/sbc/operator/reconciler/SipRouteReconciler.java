package io.sbc.operator.reconciler;

import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.sbc.api.status.SipRouteStatus;
import io.sbc.operator.crd.SipDispatcherResource;
import io.sbc.operator.crd.SipGatewayResource;
import io.sbc.operator.crd.SipRouteResource;
import io.sbc.operator.model.StatusModel;
import java.util.List;

/**
 * Writes a SipRoute's status per parent gateway (Accepted, ResolvedRefs); the gateways' own
 * reconciler puts the route into their configuration.
 */
@ControllerConfiguration(name = "siproute")
public class SipRouteReconciler implements Reconciler<SipRouteResource> {

  @Override
  public List<EventSource<?, SipRouteResource>> prepareEventSources(
      EventSourceContext<SipRouteResource> context) {
    var routes = context.getPrimaryCache();
    InformerEventSource<SipGatewayResource, SipRouteResource> gateways =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(SipGatewayResource.class, SipRouteResource.class)
                .withSecondaryToPrimaryMapper(g -> Mappers.routesOf(g, routes))
                .build(),
            context);
    InformerEventSource<SipDispatcherResource, SipRouteResource> dispatchers =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(
                    SipDispatcherResource.class, SipRouteResource.class)
                .withSecondaryToPrimaryMapper(d -> Mappers.routesOf(d, routes))
                .build(),
            context);
    // Routes compete for what they match (the oldest keeps it): a route that changes, appears or
    // goes changes the status of the other routes of its gateways.
    InformerEventSource<SipRouteResource, SipRouteResource> rivals =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(SipRouteResource.class, SipRouteResource.class)
                .withName("rival-routes")
                .withSecondaryToPrimaryMapper(r -> Mappers.routesSharingAGateway(r, routes))
                .build(),
            context);
    return List.of(gateways, dispatchers, rivals);
  }

  @Override
  public UpdateControl<SipRouteResource> reconcile(
      SipRouteResource route, Context<SipRouteResource> context) {
    String ns = route.getMetadata().getNamespace();
    List<SipRouteResource> routes =
        context.getPrimaryCache().list(r -> ns.equals(r.getMetadata().getNamespace())).toList();
    SipRouteStatus status =
        StatusModel.route(
            route,
            Caches.inNamespace(context, SipGatewayResource.class, ns),
            routes,
            Caches.inNamespace(context, SipDispatcherResource.class, ns),
            route.getStatus(),
            SipGatewayReconciler.now());
    if (status.equals(route.getStatus())) {
      return UpdateControl.noUpdate();
    }
    route.setStatus(status);
    return UpdateControl.patchStatus(route);
  }
}
