package io.sbc.runtime.dispatcher;

/** What the Hash algorithm hashes (the names of {@code SipDispatcher.spec.hashKey}). */
public enum HashKey {
  CALL_ID("CallID"),
  FROM_USER("FromUser"),
  REQUEST_URI_USER("RequestUriUser");

  private final String configName;

  HashKey(String configName) {
    this.configName = configName;
  }

  /** The name as written in a SipDispatcher document. */
  public String configName() {
    return configName;
  }

  /** The key a document names, or null for an unknown name. */
  public static HashKey of(String name) {
    for (HashKey k : values()) {
      if (k.configName.equals(name)) {
        return k;
      }
    }
    return null;
  }
}
