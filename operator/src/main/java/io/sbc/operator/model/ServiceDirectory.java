package io.sbc.operator.model;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.List;

/**
 * The Services and EndpointSlices the operator sees, through which a SipDispatcher's serviceRef
 * destinations are resolved (the reconcilers give their informer caches; tests give maps).
 */
public interface ServiceDirectory {
  /** The label that names an EndpointSlice's Service. */
  String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

  /** The Service, or null when there is none. */
  Service service(String namespace, String name);

  /** The EndpointSlices of the Service (labelled {@value #SERVICE_NAME_LABEL}). */
  List<EndpointSlice> endpointSlices(String namespace, String service);
}
