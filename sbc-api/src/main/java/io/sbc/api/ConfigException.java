package io.sbc.api;

import java.util.List;

/** A configuration that cannot be used, with every problem found, each naming where it is. */
public class ConfigException extends Exception {
  private static final long serialVersionUID = 1L;
  private final List<String> errors;

  public ConfigException(List<String> errors) {
    super(String.join("\n", errors));
    this.errors = List.copyOf(errors);
  }

  /** One line per problem: "FILE: document N (Kind/name): field.path: reason". */
  public List<String> errors() {
    return errors;
  }
}
