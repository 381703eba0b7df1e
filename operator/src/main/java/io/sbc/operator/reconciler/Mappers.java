package io.sbc.operator.reconciler;

import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.Cache;
import io.sbc.api.SipDispatcher;
import io.sbc.api.SipRoute;
import io.sbc.api.status.RouteParentStatus;
import io.sbc.operator.crd.SipDispatcherResource;
import io.sbc.operator.crd.SipGatewayResource;
import io.sbc.operator.crd.SipRouteResource;
import io.sbc.operator.model.ServiceDirectory;
import io.sbc.operator.model.StatusModel;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

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

  /**
   * The other routes (in the cache) attached to a gateway the route names now or named before: a
   * conflict between them may have started or ended.
   */
  static Set<ResourceID> routesSharingAGateway(SipRouteResource r, Cache<SipRouteResource> routes) {
    Set<ResourceID> gateways = gatewaysNowOrBefore(r);
    ResourceID self = ResourceID.fromResource(r);
    Set<ResourceID> ids = new HashSet<>();
    routes
        .list(o -> gatewaysOf(o).stream().anyMatch(gateways::contains))
        .map(ResourceID::fromResource)
        .filter(id -> !id.equals(self))
        .forEach(ids::add);
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
   * The gateways a route names now and those its status says it was attached to: an update event
   * carries only the new object, yet a gateway the route left (a parentRef removed or changed) must
   * hear of it too. The status is the route's own record of its parents (written by the route
   * reconciler after the gateways), so this needs no memory of earlier events and survives an
   * operator restart.
   */
  static Set<ResourceID> gatewaysNowOrBefore(SipRouteResource r) {
    Set<ResourceID> ids = gatewaysOf(r);
    if (r.getStatus() != null && r.getStatus().parents != null) {
      for (RouteParentStatus p : r.getStatus().parents) {
        if (p != null && p.parentRef != null && p.parentRef.name != null) {
          ids.add(
              new ResourceID(
                  p.parentRef.name,
                  p.parentRef.namespace == null
                      ? r.getMetadata().getNamespace()
                      : p.parentRef.namespace));
        }
      }
    }
    return ids;
  }

  /**
   * Every dispatcher of the route's namespace, from the cache: a route that stops naming a
   * dispatcher changes that dispatcher's count of referencing routes, and the update event no
   * longer names it. Dispatchers are few; this keeps the mapping stateless.
   */
  static Set<ResourceID> dispatchersOfNamespace(
      SipRouteResource r, Cache<SipDispatcherResource> dispatchers) {
    Set<ResourceID> ids = dispatchersOf(r);
    String ns = r.getMetadata().getNamespace();
    dispatchers
        .list(d -> Objects.equals(ns, d.getMetadata().getNamespace()))
        .forEach(d -> ids.add(ResourceID.fromResource(d)));
    return ids;
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
    ResourceID service = serviceOf(s);
    return service == null ? new HashSet<>() : gatewaysOf(service, dispatchers, routes);
  }

  /**
   * The gateways whose routes name a dispatcher with a serviceRef to the Service; and the gateway
   * the Service belongs to, when it is one's own (its address or node ports changed).
   */
  static Set<ResourceID> gatewaysOf(
      ResourceID service,
      Cache<SipDispatcherResource> dispatchers,
      Cache<SipRouteResource> routes) {
    Set<ResourceID> ids = new HashSet<>();
    dispatchers.list(d -> refersTo(d, service)).forEach(d -> ids.addAll(gatewaysOf(d, routes)));
    String name = service.getName();
    if (name.endsWith("-sbc")) {
      ids.add(
          new ResourceID(
              name.substring(0, name.length() - "-sbc".length()),
              service.getNamespace().orElse(null)));
    }
    return ids;
  }

  /** The dispatchers (in the cache) with a serviceRef to the Service. */
  static Set<ResourceID> dispatchersOf(
      ResourceID service, Cache<SipDispatcherResource> dispatchers) {
    Set<ResourceID> ids = new HashSet<>();
    dispatchers.list(d -> refersTo(d, service)).forEach(d -> ids.add(ResourceID.fromResource(d)));
    return ids;
  }
}
