package io.sbc.api.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** A route's status towards one of its parent gateways: Accepted and ResolvedRefs. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RouteParentStatus {
  /** The controller that wrote this entry (Gateway API's controllerName). */
  public static final String CONTROLLER_NAME = "sbc.io/operator";

  public ParentReference parentRef;

  /** Which controller wrote this entry: {@value #CONTROLLER_NAME}. */
  public String controllerName;

  public List<Condition> conditions = new ArrayList<>();

  @Override
  public boolean equals(Object o) {
    return o instanceof RouteParentStatus s
        && Objects.equals(parentRef, s.parentRef)
        && Objects.equals(controllerName, s.controllerName)
        && Objects.equals(conditions, s.conditions);
  }

  @Override
  public int hashCode() {
    return Objects.hash(parentRef, controllerName, conditions);
  }
}
