package io.sbc.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Objects;

/**
 * A port given either by number ({@code 5060}) or by name ({@code sip}), as Kubernetes writes a
 * Service port reference (an int-or-string). Binds from a YAML integer or string and writes back
 * the same way.
 */
public final class IntOrName {
  private final Integer number;
  private final String name;

  private IntOrName(Integer number, String name) {
    this.number = number;
    this.name = name;
  }

  @JsonCreator
  public static IntOrName of(int number) {
    return new IntOrName(number, null);
  }

  @JsonCreator
  public static IntOrName of(String name) {
    return new IntOrName(null, name);
  }

  /** The number, or null when a name was given. */
  public Integer number() {
    return number;
  }

  /** The name, or null when a number was given. */
  public String name() {
    return name;
  }

  @JsonValue
  public Object value() {
    return number != null ? number : name;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IntOrName p
        && Objects.equals(number, p.number)
        && Objects.equals(name, p.name);
  }

  @Override
  public int hashCode() {
    return Objects.hash(number, name);
  }

  @Override
  public String toString() {
    return String.valueOf(value());
  }
}
