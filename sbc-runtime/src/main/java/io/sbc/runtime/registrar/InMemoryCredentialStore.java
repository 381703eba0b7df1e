package io.sbc.runtime.registrar;

import io.sbc.runtime.sip.transport.Loop;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The subscribers of the declarative model, held in memory: an immutable map built at load,
 * replaced whole on reload, each answer given before the call returns.
 */
public final class InMemoryCredentialStore implements CredentialStore {
  private final Map<String, Subscriber> byKey;

  public InMemoryCredentialStore(Iterable<Subscriber> subscribers) {
    Map<String, Subscriber> m = new HashMap<>();
    for (Subscriber s : subscribers) {
      m.put(key(s.username(), s.realm()), s);
    }
    this.byKey = Map.copyOf(m);
  }

  @Override
  public void find(String username, String realm, Loop loop, StoreAnswer<Subscriber> answer) {
    answer.answered(byKey.get(key(username, realm)), null);
  }

  /** How many subscribers it holds. */
  public int size() {
    return byKey.size();
  }

  private static String key(String username, String realm) {
    return realm.toLowerCase(Locale.ROOT) + '\u0000' + username;
  }
}
