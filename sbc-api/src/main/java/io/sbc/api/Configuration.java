package io.sbc.api;

import java.util.List;

/** The documents of one configuration, validated: its gateways and routes. */
public record Configuration(List<SipGateway> gateways, List<SipRoute> routes) {

  /** The routes attached to a gateway by their parentRefs, in document order. */
  public List<SipRoute> routesOf(SipGateway gateway) {
    return routes.stream()
        .filter(r -> r.spec.parentRefs.stream().anyMatch(p -> gateway.metadata.name.equals(p.name)))
        .toList();
  }
}
