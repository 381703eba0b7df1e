package io.sbc.api;

import java.util.List;

/** The documents of one configuration, validated: its gateways, routes and dispatchers. */
public record Configuration(
    List<SipGateway> gateways, List<SipRoute> routes, List<SipDispatcher> dispatchers) {

  /** The routes attached to a gateway by their parentRefs, in document order. */
  public List<SipRoute> routesOf(SipGateway gateway) {
    return routes.stream()
        .filter(r -> r.spec.parentRefs.stream().anyMatch(p -> gateway.metadata.name.equals(p.name)))
        .toList();
  }

  /**
   * The dispatcher of that name, or null when there is none (a validated configuration has every
   * dispatcher its backendRefs name).
   */
  public SipDispatcher dispatcher(String name) {
    for (SipDispatcher d : dispatchers) {
      if (d.metadata.name.equals(name)) {
        return d;
      }
    }
    return null;
  }
}
