package io.sbc.runtime.dispatcher;

/** How a dispatcher orders its destinations (the names of {@code SipDispatcher.spec.algorithm}). */
public enum Algorithm {
  ROUND_ROBIN("RoundRobin"),
  WEIGHTED("Weighted"),
  HASH("Hash"),
  LEAST_ACTIVE("LeastActive"),
  RANDOM("Random"),
  PRIORITY("Priority");

  private final String configName;

  Algorithm(String configName) {
    this.configName = configName;
  }

  /** The name as written in a SipDispatcher document. */
  public String configName() {
    return configName;
  }

  /** The algorithm a document names, or null for an unknown name. */
  public static Algorithm of(String name) {
    for (Algorithm a : values()) {
      if (a.configName.equals(name)) {
        return a;
      }
    }
    return null;
  }
}
