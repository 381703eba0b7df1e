package io.sbc.operator.reconciler;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.List;

/** Reads the informer caches of the custom resources a reconciler watches beside its primary. */
final class Caches {
  private Caches() {}

  /** Every cached resource of the type in the namespace (from the informer registered for it). */
  @SuppressWarnings("unchecked")
  static <R extends HasMetadata, P extends HasMetadata> List<R> inNamespace(
      Context<P> context, Class<R> type, String namespace) {
    InformerEventSource<R, P> source =
        (InformerEventSource<R, P>) context.eventSourceRetriever().getEventSourceFor(type);
    return source.list(namespace, r -> true).toList();
  }
}
