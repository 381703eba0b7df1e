package io.sbc.runtime.sip.transport;

import io.sbc.api.syntax.HostName;
import io.sbc.api.syntax.IpLiteral;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
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
  private final List<Listener> listeners;
  private final Set<String> domains;
  private final Set<String> addressHosts;
  private final Set<String> served;

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
    Set<String> a = new HashSet<>();
    boolean wildcard = false;
    for (Listener l : listeners) {
      if (l.host() != null) {
        a.add(HostName.key(l.host()));
      }
      InetAddress bind = l.bindAddress().getAddress();
      if (bind.isAnyLocalAddress()) {
        wildcard = true;
      } else {
        a.add(IpLiteral.uriHost(bind));
      }
    }
    if (wildcard) {
      for (String h : interfaceHosts) {
        a.add(HostName.key(h));
      }
    }
    this.addressHosts = Set.copyOf(a);
    Set<String> s = new HashSet<>(this.domains);
    s.addAll(this.addressHosts);
    this.served = Set.copyOf(s);
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
   * see {@link Addresses#hostKey}): routing serves these domains.
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
    int p = port < 0 && !domain ? 5060 : port;
    Listener best = null;
    int bestScore = -1;
    for (Listener l : listeners) {
      if (p >= 0 && l.port() != p) {
        continue;
      }
      int score = 0;
      if (!domain) {
        boolean named =
            (l.host() != null && key.equals(HostName.key(l.host())))
                || key.equals(IpLiteral.uriHost(l.bindAddress().getAddress()));
        if (named) {
          score += 2;
        } else if (!l.bindAddress().getAddress().isAnyLocalAddress()) {
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
