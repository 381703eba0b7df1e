package io.sbc.systemtest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the SBC configuration (a multi-document YAML file: one {@code SipGateway} with its
 * listeners, one {@code SipRoute} with the backends) that a system test hands to the SBC.
 *
 * <p>Beyond one rule with URI backends: {@link #dispatcherRef} (a rule backend of kind
 * SipDispatcher), {@link #dispatcher} (a {@code SipDispatcher} document), {@link #rules} (the
 * route's rules as written YAML) and {@link #t1} (the gateway's transaction timer T1). Such a
 * config uses SBC features that the Kamailio reference mode and an external proxy do not model
 * ({@link #usesSbcRouting()}): tests with it are skipped there.
 */
public final class SbcConfig {

  /** A listener: protocol is {@code SIP-UDP} or {@code SIP-TCP}. */
  public record Listener(String name, String protocol, String address, int port) {}

  private final String gatewayName;
  private final List<Listener> listeners = new ArrayList<>();
  private final List<String> backends = new ArrayList<>();
  private final List<String> dispatcherRefs = new ArrayList<>();
  private final List<Dispatcher> dispatchers = new ArrayList<>();
  private String rulesYaml;
  private String gatewaySpecYaml;
  private Integer t1;
  private final List<String> dnsServers = new ArrayList<>();
  private boolean recordRoute = true;
  private String forking = "serial";

  private SbcConfig(String gatewayName) {
    this.gatewayName = gatewayName;
  }

  /** JVM options for this SBC's process (system properties such as sbc.database.url). */
  private final List<String> jvmArgs = new ArrayList<>();

  public SbcConfig jvmArg(String arg) {
    jvmArgs.add(arg);
    return this;
  }

  public List<String> jvmArgs() {
    return jvmArgs;
  }

  public static SbcConfig gateway(String name) {
    return new SbcConfig(name);
  }

  /** A gateway with one UDP listener on 127.0.0.1:port. */
  public static SbcConfig udp(int port) {
    return gateway("systemtest").udpListener(port);
  }

  public SbcConfig udpListener(int port) {
    listeners.add(new Listener("udp", "SIP-UDP", "127.0.0.1", port));
    return this;
  }

  public SbcConfig tcpListener(int port) {
    listeners.add(new Listener("tcp", "SIP-TCP", "127.0.0.1", port));
    return this;
  }

  /** Adds a backend by URI, e.g. {@code sip:127.0.0.1:15090}; order matters for serial forking. */
  public SbcConfig backend(String uri) {
    backends.add(uri);
    return this;
  }

  /** Adds the backend {@code sip:127.0.0.1:port}. */
  public SbcConfig backend(int port) {
    return backend("sip:127.0.0.1:" + port);
  }

  /** Adds a backend of kind SipDispatcher (a pool declared with {@link #dispatcher}). */
  public SbcConfig dispatcherRef(String name) {
    dispatcherRefs.add(name);
    return this;
  }

  /** Adds a {@code SipDispatcher} document. */
  public SbcConfig dispatcher(Dispatcher d) {
    dispatchers.add(d);
    return this;
  }

  /**
   * Replaces the generated rule by these rules: YAML list items written from column 0 (indented
   * here to their place under {@code spec.rules}); backends and dispatcherRefs are then unused.
   */
  public SbcConfig rules(String yaml) {
    this.rulesYaml = yaml;
    return this;
  }

  /**
   * More fields of the gateway's spec, as YAML written from column 0 (indented here to their place
   * under {@code spec}): antiFlood, scanners...
   */
  public SbcConfig gatewaySpec(String yaml) {
    this.gatewaySpecYaml = yaml;
    return this;
  }

  /** The gateway's T1 in ms (Timer B and F are 64*T1: a short T1 makes unanswered INVITEs fail over quickly). */
  public SbcConfig t1(int millis) {
    this.t1 = millis;
    return this;
  }

  /** A name server the gateway asks ({@code spec.dns.servers}), e.g. {@code 127.0.0.1:15150}. */
  public SbcConfig dnsServer(String hostPort) {
    dnsServers.add(hostPort);
    return this;
  }

  /** Whether this config needs the SBC's own routing model (dispatchers, rules, timers, DNS). */
  public boolean usesSbcRouting() {
    return !dispatcherRefs.isEmpty() || !dispatchers.isEmpty() || rulesYaml != null || t1 != null
        || gatewaySpecYaml != null
        || !dnsServers.isEmpty();
  }

  public SbcConfig recordRoute(boolean recordRoute) {
    this.recordRoute = recordRoute;
    return this;
  }

  /** {@code serial} (failover in order) or {@code parallel}. */
  public SbcConfig forking(String forking) {
    this.forking = forking;
    return this;
  }

  public List<Listener> listeners() {
    return List.copyOf(listeners);
  }

  public List<String> backends() {
    return List.copyOf(backends);
  }

  public boolean recordRoute() {
    return recordRoute;
  }

  public String forking() {
    return forking;
  }

  public boolean hasProtocol(String protocol) {
    return listeners.stream().anyMatch(l -> l.protocol().equals(protocol));
  }

  /** The first listener's port (the one callers use). */
  public int port() {
    if (listeners.isEmpty()) {
      throw new IllegalStateException("no listener configured");
    }
    return listeners.get(0).port();
  }

  public String toYaml() {
    if (listeners.isEmpty()
        || (backends.isEmpty() && dispatcherRefs.isEmpty() && rulesYaml == null)) {
      throw new IllegalStateException("a config needs at least one listener and one backend");
    }
    StringBuilder y = new StringBuilder();
    y.append("apiVersion: sbc.io/v1alpha1\n")
        .append("kind: SipGateway\n")
        .append("metadata:\n")
        .append("  name: ").append(gatewayName).append('\n')
        .append("spec:\n")
        .append("  listeners:\n");
    for (Listener l : listeners) {
      y.append("    - name: ").append(l.name()).append('\n')
          .append("      protocol: ").append(l.protocol()).append('\n')
          .append("      address: ").append(l.address()).append('\n')
          .append("      port: ").append(l.port()).append('\n');
    }
    if (t1 != null) {
      y.append("  timers:\n").append("    t1: ").append(t1).append('\n');
    }
    if (gatewaySpecYaml != null) {
      y.append(indent(gatewaySpecYaml, "  "));
    }
    if (!dnsServers.isEmpty()) {
      y.append("  dns:\n").append("    servers:\n");
      for (String d : dnsServers) {
        y.append("      - \"").append(d).append("\"\n");
      }
    }
    y.append("---\n")
        .append("apiVersion: sbc.io/v1alpha1\n")
        .append("kind: SipRoute\n")
        .append("metadata:\n")
        .append("  name: default\n")
        .append("spec:\n")
        .append("  parentRefs:\n")
        .append("    - name: ").append(gatewayName).append('\n')
        .append("  rules:\n");
    if (rulesYaml != null) {
      y.append(indent(rulesYaml, "    "));
    } else {
      y.append("    - recordRoute: ").append(recordRoute).append('\n')
          .append("      forking: ").append(forking).append('\n')
          .append("      backendRefs:\n");
      for (String b : backends) {
        y.append("        - uri: ").append(b).append('\n');
      }
      for (String d : dispatcherRefs) {
        y.append("        - kind: SipDispatcher\n")
            .append("          name: ").append(d).append('\n');
      }
    }
    for (Dispatcher d : dispatchers) {
      y.append("---\n").append(d.toYaml());
    }
    return y.toString();
  }

  private static String indent(String yaml, String prefix) {
    StringBuilder out = new StringBuilder();
    for (String line : yaml.stripTrailing().split("\n")) {
      out.append(line.isBlank() ? "" : prefix + line).append('\n');
    }
    return out.toString();
  }

  /** A {@code SipDispatcher} document: a pool of destinations, its algorithm and its probe. */
  public static final class Dispatcher {
    private record Destination(String uri, Integer weight, Integer priority, Integer maxCalls) {}

    private final String name;
    private String algorithm = "RoundRobin";
    private final List<Destination> destinations = new ArrayList<>();
    private Integer intervalMillis;
    private Integer timeoutMillis;
    private Integer failureThreshold;
    private Integer successThreshold;

    private Dispatcher(String name) {
      this.name = name;
    }

    public static Dispatcher named(String name) {
      return new Dispatcher(name);
    }

    /** RoundRobin, Weighted, Hash, LeastActive, Random or Priority. */
    public Dispatcher algorithm(String algorithm) {
      this.algorithm = algorithm;
      return this;
    }

    /** Adds {@code sip:127.0.0.1:port} with the default weight and priority. */
    public Dispatcher destination(int port) {
      destinations.add(new Destination("sip:127.0.0.1:" + port, null, null, null));
      return this;
    }

    /** Adds {@code sip:127.0.0.1:port} with this weight. */
    public Dispatcher destination(int port, int weight) {
      destinations.add(new Destination("sip:127.0.0.1:" + port, weight, null, null));
      return this;
    }

    /** Adds {@code sip:127.0.0.1:port} with this priority and at most maxCalls calls at once. */
    public Dispatcher destination(int port, int priority, int maxCalls) {
      destinations.add(new Destination("sip:127.0.0.1:" + port, null, priority, maxCalls));
      return this;
    }

    /** OPTIONS probing: every intervalMillis, failing after timeoutMillis, out after failureThreshold in a row. */
    public Dispatcher probe(int intervalMillis, int timeoutMillis, int failureThreshold) {
      this.intervalMillis = intervalMillis;
      this.timeoutMillis = timeoutMillis;
      this.failureThreshold = failureThreshold;
      return this;
    }

    public Dispatcher successThreshold(int n) {
      this.successThreshold = n;
      return this;
    }

    public String name() {
      return name;
    }

    public String toYaml() {
      StringBuilder y = new StringBuilder();
      y.append("apiVersion: sbc.io/v1alpha1\n")
          .append("kind: SipDispatcher\n")
          .append("metadata:\n")
          .append("  name: ").append(name).append('\n')
          .append("spec:\n")
          .append("  algorithm: ").append(algorithm).append('\n');
      if (intervalMillis != null || successThreshold != null) {
        y.append("  probe:\n");
        if (intervalMillis != null) {
          y.append("    intervalMillis: ").append(intervalMillis).append('\n')
              .append("    timeoutMillis: ").append(timeoutMillis).append('\n')
              .append("    failureThreshold: ").append(failureThreshold).append('\n');
        }
        if (successThreshold != null) {
          y.append("    successThreshold: ").append(successThreshold).append('\n');
        }
      }
      y.append("  destinations:\n");
      for (Destination d : destinations) {
        y.append("    - uri: ").append(d.uri()).append('\n');
        if (d.weight() != null) {
          y.append("      weight: ").append(d.weight()).append('\n');
        }
        if (d.priority() != null) {
          y.append("      priority: ").append(d.priority()).append('\n');
        }
        if (d.maxCalls() != null) {
          y.append("      maxCalls: ").append(d.maxCalls()).append('\n');
        }
      }
      return y.toString();
    }
  }

  public Path writeTo(Path file) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, toYaml());
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String toString() {
    return toYaml();
  }
}
