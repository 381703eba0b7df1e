package io.sbc.runtime.config;

import io.sbc.api.ConfigException;
import io.sbc.api.ConfigReader;
import io.sbc.api.Configuration;
import io.sbc.api.SipDispatcher;
import io.sbc.api.SipGateway;
import io.sbc.api.SipRoute;
import io.sbc.runtime.dispatcher.Dispatcher;
import io.sbc.runtime.routing.DestinationPool;
import io.sbc.runtime.routing.RouteCompiler;
import io.sbc.runtime.routing.RoutingTable;
import io.sbc.runtime.sip.message.SipLimits;
import io.sbc.runtime.sip.message.SipParseException;
import io.sbc.runtime.sip.message.SipUri;
import io.sbc.runtime.sip.proxy.ProxySettings;
import io.sbc.runtime.sip.proxy.Target;
import io.sbc.runtime.sip.transaction.TimerSettings;
import io.sbc.runtime.sip.transport.Listener;
import io.sbc.runtime.sip.transport.Protocol;
import io.sbc.runtime.sip.transport.TransportConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * One gateway's configuration compiled for the runtime: listeners, limits, timers, proxy settings
 * and the router built from its SipRoutes.
 */
public record GatewayConfig(
    String name,
    List<Listener> listeners,
    SipLimits limits,
    TransportConfig transport,
    TimerSettings timers,
    ProxySettings proxy,
    List<SipRoute> routes,
    List<SipDispatcher> dispatchers,
    Set<String> servedHosts,
    String source) {

  /** Reads, validates and compiles a configuration file. */
  public static GatewayConfig load(Path file, String gatewayName) throws ConfigException {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ConfigException(List.of(file + ": cannot read: no such file"));
    } catch (AccessDeniedException e) {
      throw new ConfigException(List.of(file + ": cannot read: permission denied"));
    } catch (IOException e) {
      throw new ConfigException(List.of(file + ": cannot read: " + e));
    }
    return compile(file.toString(), ConfigReader.read(file.toString(), text), gatewayName);
  }

  /**
   * Validates and compiles configuration text read elsewhere (a ConfigMap's {@code config.yaml});
   * {@code source} names it in every error, as a file name does.
   */
  public static GatewayConfig load(String source, String text, String gatewayName)
      throws ConfigException {
    return compile(source, ConfigReader.read(source, text), gatewayName);
  }

  static GatewayConfig compile(String source, Configuration cfg, String gatewayName)
      throws ConfigException {
    SipGateway gw = null;
    for (SipGateway g : cfg.gateways()) {
      if (gatewayName == null || gatewayName.equals(g.metadata.name)) {
        gw = g;
        break;
      }
    }
    List<String> names = cfg.gateways().stream().map(g -> g.metadata.name).toList();
    if (gw == null) {
      throw new ConfigException(
          List.of(
              source
                  + ": no SipGateway named '"
                  + gatewayName
                  + "' (there is "
                  + String.join(", ", names)
                  + ")"));
    }
    if (gatewayName == null && names.size() > 1) {
      throw new ConfigException(
          List.of(
              source
                  + ": "
                  + names.size()
                  + " SipGateways ("
                  + String.join(", ", names)
                  + "): choose one with --gateway NAME"));
    }
    List<String> errors = new ArrayList<>();
    List<Listener> listeners = new ArrayList<>();
    for (SipGateway.Listener l : gw.spec.listeners) {
      Protocol p = "SIP-TCP".equals(l.protocol) ? Protocol.TCP : Protocol.UDP;
      InetAddress addr = io.sbc.runtime.sip.proxy.Addresses.literal(l.address);
      listeners.add(
          new Listener(l.name, p, new InetSocketAddress(addr, l.port), l.advertisedAddress));
    }
    Set<String> aliases = new HashSet<>();
    for (String d : gw.spec.domains) {
      aliases.add(d.toLowerCase());
    }
    SipGateway.Limits lim = gw.spec.limits;
    SipLimits limits = new SipLimits(lim.maxMessageSize, lim.maxHeaders, 64);
    TransportConfig transport =
        new TransportConfig(
            lim.maxMessageSize,
            lim.maxTcpConnections,
            lim.maxOutboundTcpConnections,
            lim.maxTcpConnectionsPerSource,
            lim.tcpIdleTimeoutSeconds,
            lim.tcpMessageTimeoutSeconds,
            lim.maxTcpWriteQueueBytes,
            4 << 20);
    SipGateway.Timers t = gw.spec.timers;
    TimerSettings timers = new TimerSettings(t.t1, t.t2, t.t4, t.timerC);
    ProxySettings proxy =
        new ProxySettings(
            List.copyOf(listeners),
            Set.copyOf(aliases),
            "stateless".equals(gw.spec.proxy.mode),
            gw.spec.proxy.maxForwards);
    // Served hosts: the domains, each listener's advertised host and bind address, and for a
    // wildcard bind (0.0.0.0, ::) every address of the machine's interfaces.
    Set<String> served = new HashSet<>(aliases);
    for (Listener l : listeners) {
      served.add(l.host().toLowerCase());
      java.net.InetAddress bind = l.bindAddress().getAddress();
      if (bind.isAnyLocalAddress()) {
        served.addAll(localAddresses());
      } else {
        served.add(bindHost(bind));
      }
    }
    // A Service destination is resolved by the operator (into URIs); a file cannot serve it.
    for (SipDispatcher d : cfg.dispatchers()) {
      for (int i = 0; d.spec.destinations != null && i < d.spec.destinations.size(); i++) {
        SipDispatcher.Destination dst = d.spec.destinations.get(i);
        if (dst != null && dst.serviceRef != null) {
          errors.add(
              source
                  + ": SipDispatcher/"
                  + d.metadata.name
                  + ": spec.destinations["
                  + i
                  + "].serviceRef: "
                  + Dispatcher.SERVICE_REF_NEEDS_OPERATOR);
        }
      }
    }
    if (!errors.isEmpty()) {
      throw new ConfigException(errors);
    }
    List<SipRoute> routes = cfg.routesOf(gw);
    List<SipDispatcher> dispatchers = new ArrayList<>();
    for (SipRoute r : routes) {
      for (SipRoute.Rule rule : r.spec.rules) {
        for (SipRoute.BackendRef b : rule.backendRefs) {
          SipDispatcher d = b.name == null ? null : cfg.dispatcher(b.name);
          if (d != null && !dispatchers.contains(d)) {
            dispatchers.add(d);
          }
        }
      }
    }
    GatewayConfig compiled =
        new GatewayConfig(
            gw.metadata.name,
            listeners,
            limits,
            transport,
            timers,
            proxy,
            List.copyOf(routes),
            List.copyOf(dispatchers),
            Set.copyOf(served),
            source);
    // Compile once now, with stand-in pools, so that a configuration that cannot be routed is
    // refused before anything starts (or, on reload, before it replaces the running one).
    compiled.router(name -> cfg.dispatcher(name) == null ? null : (m, r, out) -> {}, null);
    return compiled;
  }

  /**
   * The routing table of this gateway.
   *
   * @param pools the running dispatchers by name
   * @param random the randomness of weighted choices (null: a thread-local generator)
   */
  public RoutingTable router(
      Function<String, DestinationPool> pools, Supplier<RandomGenerator> random)
      throws ConfigException {
    RouteCompiler c =
        new RouteCompiler(
            servedHosts,
            pools,
            uri -> {
              try {
                return target(uri);
              } catch (SipParseException e) {
                throw new IllegalArgumentException(e.getMessage());
              }
            },
            random != null ? random : ThreadLocalRandom::current);
    RoutingTable table = c.compile(routes);
    if (!c.errors().isEmpty()) {
      throw new ConfigException(c.errors().stream().map(e -> source + ": " + e).toList());
    }
    return table;
  }

  /** The host text of an address as a URI writes it (IPv6 in brackets). */
  private static String bindHost(java.net.InetAddress a) {
    String h = a.getHostAddress();
    int zone = h.indexOf('%');
    if (zone >= 0) {
      h = h.substring(0, zone);
    }
    return a instanceof java.net.Inet6Address ? "[" + h + "]" : h;
  }

  private static Set<String> localAddresses() {
    Set<String> out = new HashSet<>();
    try {
      for (java.net.NetworkInterface ni :
          java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
        for (java.net.InetAddress a : java.util.Collections.list(ni.getInetAddresses())) {
          out.add(bindHost(a));
        }
      }
    } catch (java.net.SocketException e) {
      // No interface list: only the configured domains and advertised addresses are served.
    }
    return out;
  }

  static Target target(String uri) throws SipParseException {
    byte[] b = uri.getBytes(StandardCharsets.UTF_8);
    SipUri u = SipUri.parse(b, 0, b.length);
    if (u.scheme() != SipUri.Scheme.SIP) {
      throw new IllegalArgumentException("must be a sip: URI");
    }
    Protocol p = Protocol.fromUriParam(u.transport());
    if (p == null) {
      throw new IllegalArgumentException("transport " + u.transport() + " is not served");
    }
    InetAddress addr = io.sbc.runtime.sip.proxy.Addresses.literal(u.host());
    if (addr == null) {
      throw new IllegalArgumentException("host must be an IP address");
    }
    return new Target(uri, new InetSocketAddress(addr, u.port() > 0 ? u.port() : 5060), p);
  }
}
