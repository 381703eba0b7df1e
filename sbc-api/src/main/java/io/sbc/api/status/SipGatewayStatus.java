package io.sbc.api.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The observed state of a SipGateway: where it is reachable, how many SBC pods are ready, and the
 * conditions Accepted, ResolvedRefs and Programmed.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SipGatewayStatus {
  public Long observedGeneration;
  public List<GatewayAddress> addresses = new ArrayList<>();
  public Integer replicas;
  public Integer readyReplicas;

  /** The SipRoutes attached to this gateway (by their parentRefs) whose rules it serves. */
  public Integer attachedRoutes;

  /** Per listener: the routes it serves and its conditions. */
  public List<ListenerStatus> listeners = new ArrayList<>();

  public List<Condition> conditions = new ArrayList<>();

  @Override
  public boolean equals(Object o) {
    return o instanceof SipGatewayStatus s
        && Objects.equals(observedGeneration, s.observedGeneration)
        && Objects.equals(addresses, s.addresses)
        && Objects.equals(replicas, s.replicas)
        && Objects.equals(readyReplicas, s.readyReplicas)
        && Objects.equals(attachedRoutes, s.attachedRoutes)
        && Objects.equals(listeners, s.listeners)
        && Objects.equals(conditions, s.conditions);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        observedGeneration,
        addresses,
        replicas,
        readyReplicas,
        attachedRoutes,
        listeners,
        conditions);
  }
}
