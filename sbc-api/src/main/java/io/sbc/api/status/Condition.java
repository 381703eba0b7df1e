package io.sbc.api.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Objects;

/**
 * One condition of a status (as metav1.Condition): whether {@code type} holds ("True", "False" or
 * "Unknown"), why (a CamelCase {@code reason}), a message for people, the generation of the
 * resource it describes and when the status last changed.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
  "type",
  "status",
  "reason",
  "message",
  "observedGeneration",
  "lastTransitionTime"
})
public class Condition {
  public static final String TRUE = "True";
  public static final String FALSE = "False";
  public static final String UNKNOWN = "Unknown";

  public String type;
  public String status;
  public String reason;
  public String message;
  public Long observedGeneration;

  /** RFC 3339 time of the last change of {@code status}. */
  public String lastTransitionTime;

  public Condition() {}

  public Condition(String type, boolean holds, String reason, String message, Long generation) {
    this.type = type;
    this.status = holds ? TRUE : FALSE;
    this.reason = reason;
    this.message = message;
    this.observedGeneration = generation;
  }

  /** Whether the condition says True. */
  public boolean holds() {
    return TRUE.equals(status);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Condition c
        && Objects.equals(type, c.type)
        && Objects.equals(status, c.status)
        && Objects.equals(reason, c.reason)
        && Objects.equals(message, c.message)
        && Objects.equals(observedGeneration, c.observedGeneration)
        && Objects.equals(lastTransitionTime, c.lastTransitionTime);
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, status, reason, message, observedGeneration, lastTransitionTime);
  }

  @Override
  public String toString() {
    return type + "=" + status + " (" + reason + ": " + message + ")";
  }
}
