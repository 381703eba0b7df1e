package io.sbc.operator.reconciler;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.Cache;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import io.sbc.api.SipDispatcher;
import io.sbc.api.SipRoute;
import io.sbc.operator.crd.SipDispatcherResource;
import io.sbc.operator.crd.SipGatewayResource;
import io.sbc.operator.crd.SipRouteResource;
import io.sbc.operator.model.ServiceDirectory;
import io.sbc.operator.model.StatusModel;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/** Which resources a change to a route, dispatcher, gateway or EndpointSlice affects. */
final class Mappers {
  private Mappers() {}

  /** The gateways a route names in its parentRefs. */
  static Set<ResourceID> gatewaysOf(SipRouteResource r) {
    Set<ResourceID> ids = new HashSet<>();
    if (r.getSpec() == null || r.getSpec().parentRefs == null) {
      return ids;
    }
    for (SipRoute.ParentRef p : r.getSpec().parentRefs) {
      if (p != null && p.name != null) {
        ids.add(
            new ResourceID(
                p.name, p.namespace == null ? r.getMetadata().getNamespace() : p.namespace));
      }
    }
    return ids;
  }

  /** The gateways of the routes (in the cache) that name the dispatcher. */
  static Set<ResourceID> gatewaysOf(SipDispatcherResource d, Cache<SipRouteResource> routes) {
    Set<ResourceID> ids = new HashSet<>();
    routes.list(r -> StatusModel.references(r, d)).forEach(r -> ids.addAll(gatewaysOf(r)));
    return ids;
  }

  /** The routes (in the cache) that name the gateway in their parentRefs. */
  static Set<ResourceID> routesOf(SipGatewayResource g, Cache<SipRouteResource> routes) {
    Set<ResourceID> ids = new HashSet<>();
    routes
        .list(r -> gatewaysOf(r).contains(ResourceID.fromResource(g)))
        .forEach(r -> ids.add(ResourceID.fromResource(r)));
    return ids;
  }

  /** The routes (in the cache) that name the dispatcher. */
  static Set<ResourceID> routesOf(SipDispatcherResource d, Cache<SipRouteResource> routes) {
    Set<ResourceID> ids = new HashSet<>();
    routes
        .list(r -> StatusModel.references(r, d))
        .forEach(r -> ids.add(ResourceID.fromResource(r)));
    return ids;
  }

  /**
   * A mapper that also returns what it returned last time for the same resource: an update event
   * carries only the new object, yet the primaries the old one named (a parentRef removed, a
   * backendRef changed) must hear of it too.
   */
  static <R extends HasMetadata> SecondaryToPrimaryMapper<R> withPrevious(
      Function<R, Set<ResourceID>> mapper) {
    Map<ResourceID, Set<ResourceID>> last = new ConcurrentHashMap<>();
    return r -> {
      Set<ResourceID> now = mapper.apply(r);
      ResourceID id = ResourceID.fromResource(r);
      Set<ResourceID> before =
          r.getMetadata().getDeletionTimestamp() != null ? last.remove(id) : last.put(id, now);
      Set<ResourceID> all = new HashSet<>(now);
      if (before != null) {
        all.addAll(before);
      }
      return all;
    };
  }

  /** The dispatchers a route names (same namespace). */
  static Set<ResourceID> dispatchersOf(SipRouteResource r) {
    Set<ResourceID> ids = new HashSet<>();
    if (r.getSpec() == null || r.getSpec().rules == null) {
      return ids;
    }
    for (SipRoute.Rule rule : r.getSpec().rules) {
      if (rule == null || rule.backendRefs == null) {
        continue;
      }
      for (SipRoute.BackendRef b : rule.backendRefs) {
        if (b != null
            && SipDispatcher.KIND.equals(b.kind)
            && b.name != null
            && (b.namespace == null
                || Objects.equals(b.namespace, r.getMetadata().getNamespace()))) {
          ids.add(new ResourceID(b.name, r.getMetadata().getNamespace()));
        }
      }
    }
    return ids;
  }

  /** The Service (namespace and name) an EndpointSlice serves, or null when it names none. */
  static ResourceID serviceOf(EndpointSlice s) {
    Map<String, String> labels = s.getMetadata().getLabels();
    String name = labels == null ? null : labels.get(ServiceDirectory.SERVICE_NAME_LABEL);
    return name == null ? null : new ResourceID(name, s.getMetadata().getNamespace());
  }

  /** Whether a serviceRef of the dispatcher names the Service. */
  static boolean refersTo(SipDispatcherResource d, ResourceID service) {
    if (d.getSpec() == null || d.getSpec().destinations == null) {
      return false;
    }
    for (SipDispatcher.Destination dst : d.getSpec().destinations) {
      if (dst != null
          && dst.serviceRef != null
          && Objects.equals(dst.serviceRef.name, service.getName())
          && Objects.equals(
              dst.serviceRef.namespace != null
                  ? dst.serviceRef.namespace
                  : d.getMetadata().getNamespace(),
              service.getNamespace().orElse(null))) {
        return true;
      }
    }
    return false;
  }

  /** The dispatchers (in the cache) with a serviceRef to the slice's Service. */
  static Set<ResourceID> dispatchersOf(EndpointSlice s, Cache<SipDispatcherResource> dispatchers) {
    Set<ResourceID> ids = new HashSet<>();
    ResourceID service = serviceOf(s);
    if (service != null) {
      dispatchers.list(d -> refersTo(d, service)).forEach(d -> ids.add(ResourceID.fromResource(d)));
    }
    return ids;
  }

  /**
   * The gateways whose routes name a dispatcher with a serviceRef to the slice's Service: slice,
   * Service, dispatchers, routes, gateways.
   */
  static Set<ResourceID> gatewaysOf(
      EndpointSlice s, Cache<SipDispatcherResource> dispatchers, Cache<SipRouteResource> routes) {
    Set<ResourceID> ids = new HashSet<>();
    ResourceID service = serviceOf(s);
    if (service != null) {
      dispatchers.list(d -> refersTo(d, service)).forEach(d -> ids.addAll(gatewaysOf(d, routes)));
    }
    return ids;
  }
}
