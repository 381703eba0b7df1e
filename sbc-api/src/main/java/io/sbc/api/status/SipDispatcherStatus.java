package io.sbc.api.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The observed state of a SipDispatcher: how many destinations it has, how many SipRoutes use it,
 * the conditions Ready (valid, with at least one destination) and ResolvedRefs (every serviceRef
 * names an existing Service and port).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SipDispatcherStatus {
  public Long observedGeneration;

  /** Destinations served: the static SIP URIs and the ready endpoints of the serviceRefs. */
  public Integer destinations;

  /** SipRoutes of the namespace whose backendRefs name this dispatcher. */
  public Integer referencingRoutes;

  public List<Condition> conditions = new ArrayList<>();

  @Override
  public boolean equals(Object o) {
    return o instanceof SipDispatcherStatus s
        && Objects.equals(observedGeneration, s.observedGeneration)
        && Objects.equals(destinations, s.destinations)
        && Objects.equals(referencingRoutes, s.referencingRoutes)
        && Objects.equals(conditions, s.conditions);
  }

  @Override
  public int hashCode() {
    return Objects.hash(observedGeneration, destinations, referencingRoutes, conditions);
  }
}
