package io.sbc.operator.reconciler;

import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.sbc.api.status.SipDispatcherStatus;
import io.sbc.operator.crd.SipDispatcherResource;
import io.sbc.operator.crd.SipRouteResource;
import io.sbc.operator.model.StatusModel;
import java.util.List;

/**
 * Writes a SipDispatcher's status: destination count (serviceRefs resolved through EndpointSlices,
 * which it watches), referencing routes, Ready and ResolvedRefs.
 */
@ControllerConfiguration(name = "sipdispatcher")
public class SipDispatcherReconciler implements Reconciler<SipDispatcherResource> {

  @Override
  public List<EventSource<?, SipDispatcherResource>> prepareEventSources(
      EventSourceContext<SipDispatcherResource> context) {
    InformerEventSource<SipRouteResource, SipDispatcherResource> routes =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(
                    SipRouteResource.class, SipDispatcherResource.class)
                .withSecondaryToPrimaryMapper(
                    r -> Mappers.dispatchersOfNamespace(r, context.getPrimaryCache()))
                .build(),
            context);
    List<EventSource<?, SipDispatcherResource>> all = new java.util.ArrayList<>();
    all.add(routes);
    all.addAll(
        ClusterServices.eventSources(
            context, svc -> Mappers.dispatchersOf(svc, context.getPrimaryCache())));
    return all;
  }

  @Override
  public UpdateControl<SipDispatcherResource> reconcile(
      SipDispatcherResource d, Context<SipDispatcherResource> context) {
    SipDispatcherStatus status =
        StatusModel.dispatcher(
            d,
            Caches.inNamespace(context, SipRouteResource.class, d.getMetadata().getNamespace()),
            ClusterServices.of(context),
            d.getStatus(),
            SipGatewayReconciler.now());
    if (status.equals(d.getStatus())) {
      return UpdateControl.noUpdate();
    }
    d.setStatus(status);
    return UpdateControl.patchStatus(d);
  }
}
