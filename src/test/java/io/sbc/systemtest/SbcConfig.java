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
 */
public final class SbcConfig {

  /** A listener: protocol is {@code SIP-UDP} or {@code SIP-TCP}. */
  public record Listener(String name, String protocol, String address, int port) {}

  private final String gatewayName;
  private final List<Listener> listeners = new ArrayList<>();
  private final List<String> backends = new ArrayList<>();
  private boolean recordRoute = true;
  private String forking = "serial";

  private SbcConfig(String gatewayName) {
    this.gatewayName = gatewayName;
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
    if (listeners.isEmpty() || backends.isEmpty()) {
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
    y.append("---\n")
        .append("apiVersion: sbc.io/v1alpha1\n")
        .append("kind: SipRoute\n")
        .append("metadata:\n")
        .append("  name: default\n")
        .append("spec:\n")
        .append("  parentRefs:\n")
        .append("    - name: ").append(gatewayName).append('\n')
        .append("  rules:\n")
        .append("    - recordRoute: ").append(recordRoute).append('\n')
        .append("      forking: ").append(forking).append('\n')
        .append("      backendRefs:\n");
    for (String b : backends) {
      y.append("        - uri: ").append(b).append('\n');
    }
    return y.toString();
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
