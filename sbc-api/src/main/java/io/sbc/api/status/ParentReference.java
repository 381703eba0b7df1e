package io.sbc.api.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/** The gateway a route's status entry is about: its name and namespace. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ParentReference {
  public String name;
  public String namespace;

  public ParentReference() {}

  public ParentReference(String name, String namespace) {
    this.name = name;
    this.namespace = namespace;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ParentReference p
        && Objects.equals(name, p.name)
        && Objects.equals(namespace, p.namespace);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, namespace);
  }
}
