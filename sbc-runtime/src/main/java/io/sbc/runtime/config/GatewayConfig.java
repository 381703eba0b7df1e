package io.sbc.runtime.config;

import io.sbc.api.ConfigException;
import io.sbc.api.ConfigReader;
import io.sbc.api.Configuration;
import io.sbc.api.Defaults;
import io.sbc.api.SipDispatcher;
import io.sbc.api.SipGateway;
import io.sbc.api.SipRoute;
import io.sbc.api.syntax.IpLiteral;
import io.sbc.runtime.dispatcher.Dispatcher;
import io.sbc.runtime.routing.CidrSet;
import io.sbc.runtime.routing.DestinationPool;
import io.sbc.runtime.routing.RouteCompiler;
import io.sbc.runtime.routing.RoutingTable;
import io.sbc.runtime.seal.SealKeys;
import io.sbc.runtime.sip.admission.SourcePolicy;
import io.sbc.runtime.sip.locate.DnsSettings;
import io.sbc.runtime.sip.message.SipLimits;
import io.sbc.runtime.sip.proxy.ProxySettings;
import io.sbc.runtime.sip.proxy.Target;
import io.sbc.runtime.sip.transaction.TimerSettings;
import io.sbc.runtime.sip.transport.Listener;
import io.sbc.runtime.sip.transport.Myself;
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
import java.util.List;
import java.util.Map;
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
    Myself myself,
    SipLimits limits,
    long maxCallMillis,
    long drainMillis,
    TransportConfig transport,
    TimerSettings timers,
    ProxySettings proxy,
    SealKeys sealKeys,
    List<String> secretFiles,
    io.sbc.api.TopologyHiding topologyHiding,
    io.sbc.api.NatTraversal nat,
    SourcePolicy sourcePolicy,
    io.sbc.runtime.media.MediaSettings media,
    DnsSettings dns,
    io.sbc.runtime.sip.transport.tls.TlsSettings tls,
    List<SipRoute> routes,
    List<SipDispatcher> dispatchers,
    RegistrarConfig registrar,
    String source,
    io.sbc.runtime.sip.proxy.CallLimit gatewayCallLimit) {

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
    return compile(
        file.toString(), ConfigReader.read(file.toString(), text), gatewayName, System.getenv());
  }

  /**
   * Validates and compiles configuration text read elsewhere (a ConfigMap's {@code config.yaml});
   * {@code source} names it in every error, as a file name does.
   */
  public static GatewayConfig load(String source, String text, String gatewayName)
      throws ConfigException {
    return compile(source, ConfigReader.read(source, text), gatewayName, System.getenv());
  }

  /**
   * The ports listeners advertise from {@link Defaults#ADVERTISED_PORTS_ENV} ({@code NAME=PORT,...}
   * by listener name; in a cluster the operator sets the NodePort Service's node ports there):
   * empty when unset; a malformed entry or an unknown listener name is an error naming the
   * variable.
   */
  static Map<String, Integer> advertisedPorts(
      String source, Map<String, String> env, SipGateway gw, List<String> errors) {
    String v = env.get(Defaults.ADVERTISED_PORTS_ENV);
    Map<String, Integer> out = new java.util.HashMap<>();
    if (v == null || v.isBlank()) {
      return out;
    }
    java.util.Set<String> names = new java.util.HashSet<>();
    gw.spec.listeners.forEach(l -> names.add(l.name));
    for (String entry : v.split(",")) {
      int eq = entry.indexOf('=');
      String name = eq < 0 ? "" : entry.substring(0, eq).strip();
      int port = -1;
      try {
        port = eq < 0 ? -1 : Integer.parseInt(entry.substring(eq + 1).strip());
      } catch (NumberFormatException e) {
        // reported below
      }
      if (!names.contains(name) || port < 1 || port > 65535) {
        errors.add(
            source
                + ": environment variable "
                + Defaults.ADVERTISED_PORTS_ENV
                + ": '"
                + entry.strip()
                + "' is not LISTENER=PORT with a listener of the gateway and a port 1-65535");
      } else {
        out.put(name, port);
      }
    }
    return out;
  }

  /**
   * @param env the process environment ({@link Defaults#ADVERTISED_ADDRESS_ENV} gives wildcard
   *     listeners their advertised address)
   */
  static GatewayConfig compile(
      String source, Configuration cfg, String gatewayName, Map<String, String> env)
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
    String envAddress = env.get(Defaults.ADVERTISED_ADDRESS_ENV);
    if (envAddress != null && envAddress.isBlank()) {
      envAddress = null;
    }
    if (envAddress != null && !isHost(envAddress.strip())) {
      errors.add(
          source
              + ": environment variable "
              + Defaults.ADVERTISED_ADDRESS_ENV
              + ": not a host name or IP address");
      envAddress = null;
    }
    Map<String, Integer> envPorts = advertisedPorts(source, env, gw, errors);
    List<Listener> listeners = new ArrayList<>();
    for (SipGateway.Listener l : gw.spec.listeners) {
      Protocol p =
          switch (l.protocol) {
            case "SIP-TCP" -> Protocol.TCP;
            case "SIP-TLS" -> Protocol.TLS;
            case "SIP-WS" -> Protocol.WS;
            case "SIP-WSS" -> Protocol.WSS;
            default -> Protocol.UDP;
          };
      InetAddress addr = IpLiteral.toInetAddress(l.address);
      String advertised = l.advertisedAddress;
      if (advertised == null && addr.isAnyLocalAddress() && envAddress != null) {
        advertised = uriHostOf(envAddress.strip());
      } else if (advertised != null) {
        advertised = uriHostOf(advertised);
      }
      listeners.add(
          new Listener(
              l.name,
              p,
              new InetSocketAddress(addr, l.port),
              advertised,
              envPorts.getOrDefault(l.name, l.port)));
    }
    // The registrar's domains are served too: their users' requests and REGISTERs are for us.
    List<String> served = new ArrayList<>(gw.spec.domains);
    if (gw.spec.registrar != null && gw.spec.registrar.domains != null) {
      for (String d : gw.spec.registrar.domains) {
        if (!served.contains(d)) {
          served.add(d);
        }
      }
    }
    Myself myself = Myself.of(listeners, served);
    SipGateway.Sealing sealing = gw.spec.sealing;
    String sealingField = "spec.sealing";
    if (sealing == null && env.get(Defaults.SEALING_SECRET_FILE_ENV) != null) {
      sealingField = "environment " + Defaults.SEALING_SECRET_FILE_ENV;
      // In a cluster the operator mounts the gateway's sealing Secret and names its files here.
      sealing = new SipGateway.Sealing();
      sealing.secretFile = env.get(Defaults.SEALING_SECRET_FILE_ENV);
      String previous = env.get(Defaults.SEALING_PREVIOUS_SECRET_FILE_ENV);
      if (previous != null && Files.exists(Path.of(previous))) {
        sealing.previousSecretFiles.add(previous);
      }
    }
    SealKeys keys = sealKeys(source, sealing, sealingField, errors);
    List<String> secretFiles = new ArrayList<>();
    if (sealing != null) {
      if (sealing.secretFile != null) {
        secretFiles.add(sealing.secretFile);
      }
      secretFiles.addAll(sealing.previousSecretFiles);
      if (sealingField.startsWith("environment")
          && env.get(Defaults.SEALING_PREVIOUS_SECRET_FILE_ENV) != null
          && !secretFiles.contains(env.get(Defaults.SEALING_PREVIOUS_SECRET_FILE_ENV))) {
        // Watched even while absent: a rotation creates it.
        secretFiles.add(env.get(Defaults.SEALING_PREVIOUS_SECRET_FILE_ENV));
      }
    }
    if (gw.spec.media != null && "Sidecar".equals(gw.spec.media.mode)) {
      String ng = env.get(Defaults.MEDIA_NG_ENV);
      if (ng != null
          && !ng.isBlank()
          && io.sbc.api.syntax.IpLiteral.parseSocketAddress(ng.trim()) == null) {
        errors.add(
            source
                + ": environment "
                + Defaults.MEDIA_NG_ENV
                + ": RTPengine's ng address must be IP:port (was '"
                + ng
                + "')");
      }
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
            4 << 20,
            lim.webSocketPingSeconds);
    SipGateway.Timers t = gw.spec.timers;
    TimerSettings timers = new TimerSettings(t.t1, t.t2, t.t4, t.timerC, t.timerD);
    ProxySettings proxy =
        new ProxySettings("stateless".equals(gw.spec.proxy.mode), gw.spec.proxy.maxForwards);
    List<InetSocketAddress> dnsServers = new ArrayList<>();
    for (String server : gw.spec.dns.servers) {
      dnsServers.add(IpLiteral.toSocketAddress(server.strip(), 53)); // validated
    }
    DnsSettings dns =
        new DnsSettings(
            dnsServers, gw.spec.dns.queryTimeoutMillis, gw.spec.dns.negativeCacheSeconds);
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
    long drain = drainMillis(source, gw.spec, env, errors);
    List<SipRoute> routes = cfg.routesOf(gw);
    RegistrarConfig registrar = RegistrarConfig.of(source, gw.spec, routes, errors);
    if (!errors.isEmpty()) {
      throw new ConfigException(errors);
    }
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
            List.copyOf(listeners),
            myself,
            limits,
            lim.maxCallSeconds * 1000L,
            drain,
            transport,
            timers,
            proxy,
            keys,
            List.copyOf(secretFiles),
            gw.spec.topologyHiding,
            gw.spec.nat,
            sourcePolicy(gw.spec),
            io.sbc.runtime.media.MediaSettings.of(gw.spec.media, env, routes),
            dns,
            tlsSettings(gw.spec, env),
            List.copyOf(routes),
            List.copyOf(dispatchers),
            registrar,
            source,
            gatewayCallLimit(gw.spec.callLimits));
    // Compile once now, with stand-in pools, so that a configuration that cannot be routed is
    // refused before anything starts (or, on reload, before it replaces the running one).
    compiled.router(name -> cfg.dispatcher(name) == null ? null : (m, r, out) -> {}, null);
    return compiled;
  }

  /**
   * The TLS listeners' certificate files (those given as files, then those of the Secrets named in
   * certificateRefs, where the operator mounts them: {@link Defaults#TLS_CERTIFICATES_DIR_ENV}) and
   * the client side's trust store and certificate. Read when the transports start.
   */
  static io.sbc.runtime.sip.transport.tls.TlsSettings tlsSettings(
      SipGateway.Spec spec, Map<String, String> env) {
    String dir = env.getOrDefault(Defaults.TLS_CERTIFICATES_DIR_ENV, Defaults.TLS_CERTIFICATES_DIR);
    Map<String, io.sbc.runtime.sip.transport.tls.TlsSettings.Server> servers =
        new java.util.LinkedHashMap<>();
    for (SipGateway.Listener l : spec.listeners) {
      if (l.tls == null || !Defaults.TLS_PROTOCOLS.contains(l.protocol)) {
        continue;
      }
      List<io.sbc.runtime.sip.transport.tls.ServerTls.Files> files = new ArrayList<>();
      for (io.sbc.api.Tls.CertificateFiles f : l.tls.certificates) {
        files.add(
            new io.sbc.runtime.sip.transport.tls.ServerTls.Files(
                Path.of(f.certificateFile), Path.of(f.keyFile)));
      }
      for (io.sbc.api.Tls.CertificateRef r : l.tls.certificateRefs) {
        // kubernetes.io/tls Secrets hold tls.crt and tls.key.
        Path d = Path.of(dir, r.name);
        files.add(
            new io.sbc.runtime.sip.transport.tls.ServerTls.Files(
                d.resolve("tls.crt"), d.resolve("tls.key")));
      }
      var cc =
          switch (l.tls.clientCertificate == null ? "None" : l.tls.clientCertificate) {
            case "Optional" ->
                io.sbc.runtime.sip.transport.tls.ServerTls.ClientCertificate.OPTIONAL;
            case "Required" ->
                io.sbc.runtime.sip.transport.tls.ServerTls.ClientCertificate.REQUIRED;
            default -> io.sbc.runtime.sip.transport.tls.ServerTls.ClientCertificate.NONE;
          };
      servers.put(
          l.name,
          new io.sbc.runtime.sip.transport.tls.TlsSettings.Server(
              List.copyOf(files),
              cc,
              l.tls.clientCaFile == null ? null : Path.of(l.tls.clientCaFile),
              l.tls.certificates.isEmpty()));
    }
    io.sbc.api.Tls.Client c = spec.tlsClient;
    return new io.sbc.runtime.sip.transport.tls.TlsSettings(
        Map.copyOf(servers),
        c == null || c.trustFile == null ? null : Path.of(c.trustFile),
        c == null || c.certificate == null
            ? null
            : new io.sbc.runtime.sip.transport.tls.ServerTls.Files(
                Path.of(c.certificate.certificateFile), Path.of(c.certificate.keyFile)));
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
            myself.servedHosts(),
            pools,
            uri -> Target.destination(uri, null),
            random != null ? random : ThreadLocalRandom::current,
            topologyHiding,
            nat);
    if (media != null) {
      c.media(media.anchoring());
    }
    RoutingTable table = c.compile(routes, name);
    if (!c.errors().isEmpty()) {
      throw new ConfigException(c.errors().stream().map(e -> source + ": " + e).toList());
    }
    return table;
  }

  /**
   * How long a stopping process drains: {@link Defaults#DRAIN_SECONDS_ENV} when set (the operator
   * sets the pod's grace period less its preStop pause), else the gateway's
   * terminationGracePeriodSeconds less {@link Defaults#DRAIN_MARGIN_SECONDS}.
   */
  private static long drainMillis(
      String source, SipGateway.Spec spec, Map<String, String> env, List<String> errors) {
    String e = env.get(Defaults.DRAIN_SECONDS_ENV);
    if (e != null && !e.isBlank()) {
      try {
        long s = Long.parseLong(e.strip());
        if (s >= 0 && s <= 86_400) {
          return s * 1000;
        }
      } catch (NumberFormatException x) {
        // reported below
      }
      errors.add(
          source
              + ": environment variable "
              + Defaults.DRAIN_SECONDS_ENV
              + ": must be a number of seconds 0..86400 (was "
              + e
              + ")");
      return 0;
    }
    return Math.max(0, spec.terminationGracePeriodSeconds - Defaults.DRAIN_MARGIN_SECONDS) * 1000L;
  }

  /** The names of the rules with call limits, as call admission counts them. */
  /** The gateway's spec.callLimits as a whole (one replica), or null when it has none. */
  static io.sbc.runtime.sip.proxy.CallLimit gatewayCallLimit(SipGateway.GatewayCallLimits l) {
    if (l == null) {
      return null;
    }
    return new io.sbc.runtime.sip.proxy.CallLimit(
        l.maxCalls == null ? 0 : l.maxCalls,
        l.maxCallsPerSecond == null ? 0 : l.maxCallsPerSecond,
        0,
        l.retryAfterSeconds == null ? 0 : l.retryAfterSeconds);
  }

  /**
   * This configuration with the gateway limit of one replica among several: the operator's share
   * (null: the whole limit, as a local run has). A share without a gateway limit to apply it to
   * changes nothing.
   */
  public GatewayConfig withShare(io.sbc.api.CallLimitShare share) {
    io.sbc.runtime.sip.proxy.CallLimit l = gatewayCallLimit;
    if (share == null || l == null) {
      return this;
    }
    io.sbc.runtime.sip.proxy.CallLimit mine =
        new io.sbc.runtime.sip.proxy.CallLimit(
            l.maxCalls() > 0 && share.maxCalls() != null ? share.maxCalls() : l.maxCalls(),
            l.maxCallsPerSecond() > 0 && share.maxCallsPerSecond() != null
                ? share.maxCallsPerSecond()
                : l.maxCallsPerSecond(),
            0,
            l.retryAfterSeconds());
    return new GatewayConfig(
        name,
        listeners,
        myself,
        limits,
        maxCallMillis,
        drainMillis,
        transport,
        timers,
        proxy,
        sealKeys,
        secretFiles,
        topologyHiding,
        nat,
        sourcePolicy,
        media,
        dns,
        tls,
        routes,
        dispatchers,
        registrar,
        source,
        mine);
  }

  public List<String> limitedRules() {
    List<String> names = new ArrayList<>();
    for (SipRoute r : routes) {
      for (int i = 0; i < r.spec.rules.size(); i++) {
        if (r.spec.rules.get(i).callLimits != null) {
          String n = RouteCompiler.ruleName(r, i);
          if (!names.contains(n)) {
            names.add(n);
          }
        }
      }
    }
    return names;
  }

  /** Who the listeners hear: their allow and deny networks, the anti-flood limit, scanners. */
  private static SourcePolicy sourcePolicy(SipGateway.Spec spec) {
    Map<String, SourcePolicy.ListenerAccess> access = new java.util.LinkedHashMap<>();
    for (SipGateway.Listener l : spec.listeners) {
      access.put(l.name, SourcePolicy.access(l.allow, l.deny));
    }
    SipGateway.AntiFlood a = spec.antiFlood;
    SourcePolicy.AntiFlood antiFlood =
        a == null
            ? null
            : new SourcePolicy.AntiFlood(
                a.requestsPerSecond, a.burst, a.banSeconds, CidrSet.of(a.exempt));
    List<String> scanners =
        Boolean.TRUE.equals(spec.scanners.block)
            ? SourcePolicy.scannerAgents(Defaults.SCANNER_USER_AGENTS, spec.scanners.userAgents)
            : List.of();
    return new SourcePolicy(access, antiFlood, scanners);
  }

  /** The sealing keys: the configured secrets, or one made up for this process. */
  /**
   * @param field how the sealing settings are named in errors ("spec.sealing", or the environment
   *     variable the operator sets)
   */
  private static SealKeys sealKeys(
      String source, SipGateway.Sealing z, String field, List<String> errors) {
    if (z == null) {
      return SealKeys.generated();
    }
    List<byte[]> secrets = new ArrayList<>();
    if (z.secret != null) {
      secrets.add(z.secret.getBytes(StandardCharsets.UTF_8));
    } else if (z.secretFile != null) {
      byte[] b =
          readSecret(
              source,
              field.equals("spec.sealing") ? "spec.sealing.secretFile" : field,
              z.secretFile,
              errors);
      if (b != null) {
        secrets.add(b);
      }
    }
    for (String p : z.previousSecrets) {
      secrets.add(p.getBytes(StandardCharsets.UTF_8));
    }
    for (int i = 0; i < z.previousSecretFiles.size(); i++) {
      byte[] b =
          readSecret(
              source,
              field.equals("spec.sealing")
                  ? "spec.sealing.previousSecretFiles[" + i + "]"
                  : "environment " + Defaults.SEALING_PREVIOUS_SECRET_FILE_ENV,
              z.previousSecretFiles.get(i),
              errors);
      if (b != null) {
        secrets.add(b);
      }
    }
    if (secrets.isEmpty()) {
      return null;
    }
    try {
      return SealKeys.of(secrets);
    } catch (IllegalArgumentException e) {
      errors.add(source + ": " + field + ": " + e.getMessage());
      return null;
    }
  }

  /** A secret file's bytes, without one trailing line end (files are often written with echo). */
  private static byte[] readSecret(String source, String field, String file, List<String> errors) {
    byte[] b;
    try {
      b = Files.readAllBytes(Path.of(file));
    } catch (NoSuchFileException e) {
      errors.add(source + ": " + field + ": cannot read " + file + ": no such file");
      return null;
    } catch (AccessDeniedException e) {
      errors.add(source + ": " + field + ": cannot read " + file + ": permission denied");
      return null;
    } catch (IOException | RuntimeException e) {
      errors.add(source + ": " + field + ": cannot read " + file + ": " + e.getMessage());
      return null;
    }
    int n = b.length;
    if (n > 0 && b[n - 1] == '\n') {
      n--;
      if (n > 0 && b[n - 1] == '\r') {
        n--;
      }
    }
    if (n < Defaults.MIN_SEALING_SECRET_BYTES) {
      errors.add(
          source
              + ": "
              + field
              + ": "
              + file
              + " holds fewer than "
              + Defaults.MIN_SEALING_SECRET_BYTES
              + " bytes");
      return null;
    }
    return java.util.Arrays.copyOf(b, n);
  }

  /** A host name or IP literal (IPv6 with or without brackets), with nothing else in it. */
  private static boolean isHost(String h) {
    if (IpLiteral.toInetAddress(h) != null) {
      return true;
    }
    if (h.isEmpty() || h.length() > 253) {
      return false;
    }
    for (int i = 0; i < h.length(); i++) {
      char c = h.charAt(i);
      if (!(Character.isLetterOrDigit(c) && c < 128) && c != '-' && c != '.') {
        return false;
      }
    }
    return true;
  }

  /** How a host is written in a URI: IPv6 literals in brackets and canonical, names as given. */
  private static String uriHostOf(String h) {
    InetAddress a = IpLiteral.toInetAddress(h);
    return a != null ? IpLiteral.uriHost(a) : h;
  }
}
