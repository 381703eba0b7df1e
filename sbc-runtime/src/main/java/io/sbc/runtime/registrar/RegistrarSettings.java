package io.sbc.runtime.registrar;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The registrar's configuration, compiled from {@code spec.registrar}: the domains it serves (each
 * its own realm), the limits on bindings, how lookups fork, digest nonce lifetime and the blocking
 * of sources that fail to authenticate, and the aliases.
 *
 * @param domains the served domains, lower case, the first being the default realm
 * @param minExpires the shortest registration accepted (423 with Min-Expires below it), seconds
 * @param maxExpires the longest registration granted, seconds
 * @param defaultExpires the expiry of a Contact asking for none, seconds
 * @param maxContactsPerAor the most bindings of one address-of-record
 * @param replaceOldest whether a full address-of-record loses its oldest bindings (else 403)
 * @param maxBindings the most bindings this process holds
 * @param parallel whether lookups fork to every contact at once (else highest q first)
 * @param nonceLifetimeSeconds how long a digest nonce is accepted
 * @param maxAuthFailures failed authentications from one source within a minute before it is
 *     blocked
 * @param authFailureBlockSeconds how long it is blocked (0: never)
 * @param aliases Request-URI users (DIDs, short names) of served domains to the address-of-record
 *     they stand for
 * @param digestAlgorithms the digest algorithms offered, preferred first ("SHA-256", "MD5")
 */
public record RegistrarSettings(
    List<String> domains,
    int minExpires,
    int maxExpires,
    int defaultExpires,
    int maxContactsPerAor,
    boolean replaceOldest,
    long maxBindings,
    boolean parallel,
    int nonceLifetimeSeconds,
    int maxAuthFailures,
    int authFailureBlockSeconds,
    Map<String, String> aliases,
    List<String> digestAlgorithms) {

  public RegistrarSettings {
    digestAlgorithms = List.copyOf(digestAlgorithms);
    domains = domains.stream().map(d -> d.toLowerCase(Locale.ROOT)).toList();
    aliases = Map.copyOf(aliases);
  }

  /** Whether the registrar serves {@code host} (compared ignoring case). */
  public boolean serves(String host) {
    if (host == null) {
      return false;
    }
    for (int i = 0; i < domains.size(); i++) {
      if (domains.get(i).equalsIgnoreCase(host)) {
        return true;
      }
    }
    return false;
  }

  /** The realm for a request naming {@code host}: the host when served, else the first domain. */
  public String realmFor(String host) {
    return serves(host) ? host.toLowerCase(Locale.ROOT) : domains.get(0);
  }
}
