package io.sbc.runtime.sip.transport;

import io.sbc.api.syntax.HostName;
import io.sbc.api.syntax.IpLiteral;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The one definition of "this SBC" (RFC 3261 section 16.4, "myself"): its listeners, the hosts they
 * advertise and are bound to, the addresses of the machine's interfaces when a listener is bound to
 * a wildcard, and the further domains the gateway serves. The proxy asks it whether a Route value
 * or Request-URI names this SBC; routing asks it which domains are served.
 *
 * <p>Immutable; built with the configuration.
 */
public final class Myself {
  /** A host text that names this SBC, in lower case, with its comparison key. */
  private record Known(byte[] lower, String key, boolean domain) {}

  private final List<Listener> listeners;
  private final Set<String> domains;
  private final Set<String> addressHosts;
  private final Set<String> served;

  // Per listener, in order: the keys of the host it advertises and of its bind address, and
  // whether it is bound to a wildcard (then it serves every interface address).
  private final String[] hostKeys;
  private final String[] bindKeys;
  private final boolean[] wildcard;
  private final Known[] known;

  /**
   * @param listeners every listener, in configuration order
   * @param domains further names meaning this SBC (any port of ours)
   * @param interfaceHosts the machine's interface addresses (URI host form), which wildcard
   *     listeners serve
   */
  public Myself(
      List<Listener> listeners, Collection<String> domains, Collection<String> interfaceHosts) {
    this.listeners = List.copyOf(listeners);
    Set<String> d = new HashSet<>();
    for (String s : domains) {
      d.add(HostName.key(s));
    }
    this.domains = Set.copyOf(d);
    int n = this.listeners.size();
    hostKeys = new String[n];
    bindKeys = new String[n];
    wildcard = new boolean[n];
    Set<String> a = new HashSet<>();
    boolean anyWildcard = false;
    for (int i = 0; i < n; i++) {
      Listener l = this.listeners.get(i);
      hostKeys[i] = l.host() == null ? null : HostName.key(l.host());
      if (hostKeys[i] != null) {
        a.add(hostKeys[i]);
      }
      InetAddress bind = l.bindAddress().getAddress();
      bindKeys[i] = IpLiteral.uriHost(bind);
      wildcard[i] = bind.isAnyLocalAddress();
      if (wildcard[i]) {
        anyWildcard = true;
      } else {
        a.add(bindKeys[i]);
      }
    }
    if (anyWildcard) {
      for (String h : interfaceHosts) {
        a.add(HostName.key(h));
      }
    }
    this.addressHosts = Set.copyOf(a);
    Set<String> s = new HashSet<>(this.domains);
    s.addAll(this.addressHosts);
    this.served = Set.copyOf(s);
    List<Known> k = new ArrayList<>();
    for (String key : this.served) {
      k.add(new Known(key.getBytes(StandardCharsets.ISO_8859_1), key, this.domains.contains(key)));
    }
    this.known = k.toArray(new Known[0]);
  }

  /** Myself with the interface addresses of this machine. */
  public static Myself of(List<Listener> listeners, Collection<String> domains) {
    return new Myself(listeners, domains, interfaceHosts());
  }

  public List<Listener> listeners() {
    return listeners;
  }

  /**
   * Every host that means this SBC in a Request-URI (lowercase; IP literals in canonical URI form,
   * see {@link HostName#key}): routing serves these domains.
   */
  public Set<String> servedHosts() {
    return served;
  }

  /** Whether a URI host and port (-1: none) name this SBC. */
  public boolean isMine(String host, int port) {
    return listenerFor(host, port, null) != null;
  }

  /**
   * The listener a URI of this SBC names: one whose address and port it gives, with this protocol
   * if there is one; for a domain of ours or an interface address of a wildcard listener, one
   * serving that port (any port when none is given). Null when the URI is not ours.
   */
  public Listener listenerFor(String host, int port, Protocol protocol) {
    if (host == null) {
      return null;
    }
    String key = HostName.key(host);
    boolean domain = domains.contains(key);
    if (!domain && !addressHosts.contains(key)) {
      return null;
    }
    return choose(key, domain, port, protocol);
  }

  /**
   * {@link #listenerFor(String, int, Protocol)} for the host at {@code b[from, to)}, as a URI holds
   * it: without building a string for the host names and addresses this SBC knows (the common case
   * on the message path); an IPv6 reference is compared by value.
   */
  public Listener listenerFor(byte[] b, int from, int to, int port, Protocol protocol) {
    if (from < 0 || to <= from) {
      return null;
    }
    if (b[from] == '[') {
      // [::1] and [0:0::1] are one host: compare canonical forms (rare on the message path).
      return listenerFor(
          new String(b, from, to - from, StandardCharsets.ISO_8859_1), port, protocol);
    }
    int len = to - from;
    for (Known k : known) {
      byte[] h = k.lower;
      if (h.length != len) {
        continue;
      }
      int i = 0;
      while (i < len && lower(b[from + i]) == h[i]) {
        i++;
      }
      if (i == len) {
        return choose(k.key, k.domain, port, protocol);
      }
    }
    return null;
  }

  private static byte lower(byte c) {
    return c >= 'A' && c <= 'Z' ? (byte) (c + 32) : c;
  }

  private Listener choose(String key, boolean domain, int port, Protocol protocol) {
    int p = port < 0 && !domain ? 5060 : port;
    Listener best = null;
    int bestScore = -1;
    for (int i = 0; i < hostKeys.length; i++) {
      Listener l = listeners.get(i);
      // A NodePort Service translates its port to the bind port: both name this listener.
      if (p >= 0 && l.port() != p && l.advertisedPort() != p) {
        continue;
      }
      int score = 0;
      if (!domain) {
        boolean named = key.equals(hostKeys[i]) || key.equals(bindKeys[i]);
        if (named) {
          score += 2;
        } else if (!wildcard[i]) {
          continue; // another listener's address: not served on this one
        }
      }
      if (protocol == null || l.protocol() == protocol) {
        score += 1;
      }
      if (score > bestScore) {
        best = l;
        bestScore = score;
      }
    }
    return best;
  }

  /** The addresses of this machine's interfaces, in URI host form. */
  public static Set<String> interfaceHosts() {
    Set<String> out = new HashSet<>();
    try {
      for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        for (InetAddress a : Collections.list(ni.getInetAddresses())) {
          out.add(IpLiteral.uriHost(a));
        }
      }
    } catch (SocketException e) {
      // No interface list: only the configured domains and listener addresses are served.
    }
    return out;
  }
}
