package io.sbc.api.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** The observed state of a SipRoute: one entry per parentRef (Gateway API: RouteStatus). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SipRouteStatus {
  public Long observedGeneration;
  public List<RouteParentStatus> parents = new ArrayList<>();

  @Override
  public boolean equals(Object o) {
    return o instanceof SipRouteStatus s
        && Objects.equals(observedGeneration, s.observedGeneration)
        && Objects.equals(parents, s.parents);
  }

  @Override
  public int hashCode() {
    return Objects.hash(observedGeneration, parents);
  }
}
