package io.sbc.operator.reconciler;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.sbc.operator.model.Names;
import io.sbc.operator.model.ServiceDirectory;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * The directory of one reconciliation, read from informer caches only (no request to the API server
 * per reconciliation): the Services and the EndpointSlices of the namespaces the controller
 * watches. Slices are watched with a label selector (only those of a Service); Services have no
 * label to select by (a serviceRef may name any), so all of the watched namespaces' are cached.
 */
final class ClusterServices implements ServiceDirectory {
  /** The name of the informer of every Service (the gateway's own Service is one of them). */
  static final String SERVICES = "cluster-services";

  /** The name of the informer of EndpointSlices. */
  static final String SLICES = "endpoint-slices";

  private final InformerEventSource<Service, ?> services;
  private final InformerEventSource<EndpointSlice, ?> slices;

  private ClusterServices(
      InformerEventSource<Service, ?> services, InformerEventSource<EndpointSlice, ?> slices) {
    this.services = services;
    this.slices = slices;
  }

  /** The two informers a reconciler registers to resolve serviceRefs, with its mappers. */
  static <P extends HasMetadata> List<InformerEventSource<?, P>> eventSources(
      EventSourceContext<P> context, Function<ResourceID, Set<ResourceID>> primariesOfService) {
    SecondaryToPrimaryMapper<Service> ofService =
        s -> primariesOfService.apply(ResourceID.fromResource(s));
    SecondaryToPrimaryMapper<EndpointSlice> ofSlice =
        s -> {
          ResourceID svc = Mappers.serviceOf(s);
          return svc == null ? Set.of() : primariesOfService.apply(svc);
        };
    return List.of(
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Service.class, context.getPrimaryResourceClass())
                .withName(SERVICES)
                .withSecondaryToPrimaryMapper(ofService)
                .build(),
            context),
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(
                    EndpointSlice.class, context.getPrimaryResourceClass())
                .withName(SLICES)
                .withLabelSelector(SERVICE_NAME_LABEL)
                .withSecondaryToPrimaryMapper(ofSlice)
                .build(),
            context));
  }

  @SuppressWarnings("unchecked")
  static <P extends HasMetadata> ClusterServices of(Context<P> context) {
    return new ClusterServices(
        (InformerEventSource<Service, P>)
            context.eventSourceRetriever().getEventSourceFor(Service.class, SERVICES),
        (InformerEventSource<EndpointSlice, P>)
            context.eventSourceRetriever().getEventSourceFor(EndpointSlice.class, SLICES));
  }

  /** The gateway's own Service (from the same cache), or null. */
  static <P extends HasMetadata> Service own(HasMetadata gateway, Context<P> context) {
    return of(context).service(gateway.getMetadata().getNamespace(), Names.workload(gateway));
  }

  @Override
  public Service service(String namespace, String name) {
    return services.get(new ResourceID(name, namespace)).orElse(null);
  }

  @Override
  public List<EndpointSlice> endpointSlices(String namespace, String service) {
    return slices
        .list(
            namespace,
            s ->
                s.getMetadata().getLabels() != null
                    && Objects.equals(service, s.getMetadata().getLabels().get(SERVICE_NAME_LABEL)))
        .toList();
  }
}
