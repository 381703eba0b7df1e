package io.sbc.systemtest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * The proxy that the system tests send their calls through. Chosen by system properties:
 *
 * <ul>
 *   <li>default ({@code -Dsbc.target=sbc}): the packaged SBC, {@code
 *       sbc-runtime/target/quarkus-app/quarkus-run.jar} (or {@code -Dsbc.jar=FILE}), started
 *       with the test's config ({@code -Dsbc.jvmArgs="..."} adds JVM options) and its management
 *       HTTP server on a port of {@link Ports#management()} ({@link #management()});
 *   <li>{@code -Dsbc.target=kamailio}: Kamailio configured like the SBC (reference mode, to check
 *       the scenarios and the harness against a known-good record-routing proxy);
 *   <li>{@code -Dsbc.external=HOST:PORT}: a proxy that is already running and forwards every call
 *       to 127.0.0.1:{@code sbc.external.backend} (default 5090), e.g. Kamailio with
 *       ../shared/bench/kamailio-proxy.cfg; tests that need more than one backend or TCP are
 *       skipped.
 * </ul>
 */
abstract class ProxyUnderTest implements AutoCloseable {
  // 60 s: a process that also migrates its database (AccountingTest) took 28 s to start on this
  // machine under the load of several parallel builds.
  static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);

  protected final Path workDir;
  protected ManagedProcess process;

  ProxyUnderTest(Path workDir) {
    this.workDir = workDir;
  }

  static String externalTarget() {
    String e = System.getProperty("sbc.external", "");
    return e.isBlank() ? null : e.trim();
  }

  static String target() {
    return externalTarget() != null ? "external" : System.getProperty("sbc.target", "sbc");
  }

  static ProxyUnderTest create(Path workDir) {
    switch (target()) {
      case "external":
        return new External(workDir, externalTarget());
      case "kamailio":
        return new Kamailio(workDir);
      case "sbc":
        return new Sbc(workDir);
      default:
        throw new IllegalArgumentException("unknown sbc.target " + target() + " (sbc, kamailio)");
    }
  }

  /** Starts the proxy with this config and returns once it answers OPTIONS with 200. */
  abstract void start(SbcConfig config) throws Exception;

  abstract String host();

  /** The port callers send to (the config's first listener, or the external proxy's port). */
  abstract int port();

  String address() {
    return host() + ":" + port();
  }

  /** The proxy's log (stdout and stderr), or null when the harness did not start it. */
  Path log() {
    return process == null ? null : process.log();
  }

  String logText() {
    return process == null ? "" : process.logText();
  }

  /**
   * The proxy's management HTTP server (/sbc/status, /q/metrics); only the SBC has one, the other
   * targets fail here (their tests call {@code SbcSupport.assumeSbc} first).
   */
  Management management() {
    throw new AssertionError(target() + " has no SBC management server");
  }

  String describe() {
    return process == null ? target() + " at " + address() : process.toString();
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null) {
      process.close();
    }
  }

  protected void awaitUp(String host, int port) throws Exception {
    boolean up =
        SipOptions.awaitOk(host, port, STARTUP_TIMEOUT, () -> process == null || process.isAlive());
    if (!up) {
      String why = process != null && !process.isAlive()
          ? "exited with " + process.awaitExit(Duration.ZERO)
          : "did not answer OPTIONS sip:" + host + ":" + port + " with 200 within "
              + STARTUP_TIMEOUT.toSeconds() + " s";
      throw new AssertionError(describe() + " " + why + "; log tail:\n"
          + (process == null ? "" : process.logTail(40)));
    }
  }

  /** The packaged SBC as a separate JVM. */
  static final class Sbc extends ProxyUnderTest {
    private int port;
    private Management management;
    private java.util.Map<String, String> environment = java.util.Map.of();

    Sbc(Path workDir) {
      super(workDir);
    }

    /** Variables added to the SBC's environment (as the operator's pod spec sets them). */
    Sbc environment(java.util.Map<String, String> env) {
      this.environment = java.util.Map.copyOf(env);
      return this;
    }

    /** sbc-runtime/target/quarkus-app/quarkus-run.jar, or -Dsbc.jar=FILE. */
    static Path jar() {
      String jar = System.getProperty("sbc.jar", "");
      if (!jar.isBlank()) {
        return Path.of(jar).toAbsolutePath();
      }
      return SystemTestBase.sbcHome().resolve("sbc-runtime/target/quarkus-app/quarkus-run.jar");
    }

    @Override
    void start(SbcConfig config) throws Exception {
      port = config.port();
      Path jar = jar();
      if (!Files.isRegularFile(jar)) {
        throw new AssertionError("the SBC is not packaged: " + jar + " is missing (mvn package)");
      }
      Path cfg = config.writeTo(workDir.resolve("sbc.yaml"));
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.add("-Dquarkus.vertx.max-event-loop-execute-time=50ms");
      // Management HTTP on a port of our own, so that the test knows where to ask.
      int managementPort = Ports.management();
      cmd.add("-Dquarkus.http.port=" + managementPort);
      cmd.add("-Dquarkus.http.host=127.0.0.1");
      management = new Management("127.0.0.1", managementPort);
      // The JVM options the product runs with (jvm.options at the repository root).
      try {
        for (String line : java.nio.file.Files.readAllLines(SystemTestBase.sbcHome().resolve("jvm.options"))) {
          if (!line.isBlank() && !line.startsWith("#")) {
            cmd.add(line.trim());
          }
        }
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      String extra = System.getProperty("sbc.jvmArgs", "");
      if (!extra.isBlank()) {
        cmd.addAll(List.of(extra.trim().split("\\s+")));
      }
      cmd.addAll(config.jvmArgs());
      cmd.addAll(List.of("-jar", jar.toString(), "--config", cfg.toString(),
          "--pid-file", workDir.resolve("sbc.pid").toString()));
      process = new ManagedProcess("sbc", cmd, workDir, workDir.resolve("sbc.log"), environment);
      awaitUp("127.0.0.1", port);
    }

    @Override
    Management management() {
      return management;
    }

    @Override
    String host() {
      return "127.0.0.1";
    }

    @Override
    int port() {
      return port;
    }
  }

  /** Kamailio with src/test/resources/kamailio/proxy.cfg.template filled in from the config. */
  static final class Kamailio extends ProxyUnderTest {
    private int port;

    Kamailio(Path workDir) {
      super(workDir);
    }

    static String render(SbcConfig config) {
      Path template =
          SystemTestBase.sbcHome().resolve("src/test/resources/kamailio/proxy.cfg.template");
      String t;
      try {
        t = Files.readString(template);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if (!config.forking().equals("serial")) {
        Assumptions.abort("the Kamailio reference mode only does serial forking");
      }
      StringBuilder listen = new StringBuilder();
      for (SbcConfig.Listener l : config.listeners()) {
        String proto = l.protocol().equals("SIP-TCP") ? "tcp" : "udp";
        listen.append("listen=").append(proto).append(':').append(l.address()).append(':')
            .append(l.port()).append('\n');
      }
      List<String> backends = config.backends();
      StringBuilder failure = new StringBuilder();
      for (int i = 1; i < backends.size(); i++) {
        failure.append("failure_route[FAILOVER_").append(i).append("] {\n")
            .append("    if (t_is_canceled()) exit;\n")
            .append("    if (t_check_status(\"5[0-9][0-9]|408\") || t_branch_timeout()) {\n")
            .append("        $du = \"").append(backends.get(i)).append("\";\n")
            .append(i + 1 < backends.size() ? "        t_on_failure(\"FAILOVER_" + (i + 1) + "\");\n" : "")
            .append("        t_relay();\n")
            .append("    }\n")
            .append("}\n");
      }
      return t.replace("@LISTEN@", listen.toString().trim())
          .replace("@DISABLE_TCP@", config.hasProtocol("SIP-TCP") ? "no" : "yes")
          .replace("@RECORD_ROUTE@", config.recordRoute()
              ? "    if (is_method(\"INVITE|SUBSCRIBE\")) record_route();" : "")
          .replace("@BACKEND_1@", backends.get(0))
          .replace("@ON_FAILURE_1@", backends.size() > 1 ? "    t_on_failure(\"FAILOVER_1\");" : "")
          .replace("@FAILURE_ROUTES@", failure.toString());
    }

    @Override
    void start(SbcConfig config) throws Exception {
      port = config.port();
      Path cfg = workDir.resolve("kamailio.cfg");
      Files.createDirectories(workDir);
      Files.writeString(cfg, render(config));
      // -DD: stay in the foreground (our child, stopped by its PID), still forking the workers
      process = new ManagedProcess("kamailio", List.of("kamailio", "-f", cfg.toString(), "-DD",
          "-E", "-m", "64", "-M", "8", "-w", workDir.toString()), workDir,
          workDir.resolve("kamailio.log"));
      awaitUp("127.0.0.1", port);
    }

    @Override
    String host() {
      return "127.0.0.1";
    }

    @Override
    int port() {
      return port;
    }
  }

  /** An already running proxy that sends all calls to one backend port. */
  static final class External extends ProxyUnderTest {
    private final String host;
    private final int port;

    External(Path workDir, String target) {
      super(workDir);
      int colon = target.lastIndexOf(':');
      this.host = colon > 0 ? target.substring(0, colon) : target;
      this.port = colon > 0 ? Integer.parseInt(target.substring(colon + 1)) : 5060;
    }

    static int backendPort() {
      return Integer.getInteger("sbc.external.backend", 5090);
    }

    @Override
    void start(SbcConfig config) throws Exception {
      Assumptions.assumeTrue(config.backends().size() == 1,
          "an external proxy has exactly one backend");
      Assumptions.assumeFalse(config.hasProtocol("SIP-TCP")
          && !Boolean.getBoolean("sbc.external.tcp"), "external proxy: TCP not enabled (-Dsbc.external.tcp=true)");
      awaitUp(host, port);
    }

    @Override
    String host() {
      return host;
    }

    @Override
    int port() {
      return port;
    }
  }
}
