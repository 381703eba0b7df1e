package io.sbc.operator.reconciler;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.sbc.operator.model.ServiceDirectory;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The directory of one reconciliation: EndpointSlices from the reconciler's informer (whose events
 * re-trigger it), Services read from the API server when a serviceRef names them (once each). A
 * Service's creation, deletion or port change shows in its EndpointSlices, which the endpoint slice
 * controller keeps in step, so watching the slices is enough to hear of it.
 */
final class ClusterServices implements ServiceDirectory {
  private final KubernetesClient client;
  private final InformerEventSource<EndpointSlice, ?> slices;
  private final Map<String, Optional<Service>> services = new HashMap<>();

  private ClusterServices(KubernetesClient client, InformerEventSource<EndpointSlice, ?> slices) {
    this.client = client;
    this.slices = slices;
  }

  @SuppressWarnings("unchecked")
  static <P extends HasMetadata> ClusterServices of(Context<P> context) {
    return new ClusterServices(
        context.getClient(),
        (InformerEventSource<EndpointSlice, P>)
            context.eventSourceRetriever().getEventSourceFor(EndpointSlice.class));
  }

  @Override
  public Service service(String namespace, String name) {
    return services
        .computeIfAbsent(
            namespace + "/" + name,
            k -> Optional.ofNullable(client.services().inNamespace(namespace).withName(name).get()))
        .orElse(null);
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
