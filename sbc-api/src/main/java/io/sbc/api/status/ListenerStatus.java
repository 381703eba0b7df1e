package io.sbc.api.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The state of one listener of a SipGateway (Gateway API's status.listeners[]): how many routes it
 * serves and its conditions.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ListenerStatus {
  /** The listener's name (spec.listeners[].name). */
  public String name;

  /**
   * The accepted SipRoutes that serve requests arriving on this listener: those attached to the
   * whole gateway and those whose parentRef names this listener (sectionName).
   */
  public Integer attachedRoutes;

  public List<Condition> conditions = new ArrayList<>();

  public ListenerStatus() {}

  public ListenerStatus(String name, int attachedRoutes, List<Condition> conditions) {
    this.name = name;
    this.attachedRoutes = attachedRoutes;
    this.conditions = conditions;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ListenerStatus s
        && Objects.equals(name, s.name)
        && Objects.equals(attachedRoutes, s.attachedRoutes)
        && Objects.equals(conditions, s.conditions);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, attachedRoutes, conditions);
  }
}
