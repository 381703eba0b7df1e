package io.sbc.runtime;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import io.sbc.api.ConfigException;
import io.sbc.runtime.config.ConfigApplier;
import io.sbc.runtime.config.ConfigMapSource;
import io.sbc.runtime.config.ConfigWatcher;
import io.sbc.runtime.config.GatewayConfig;
import io.sbc.runtime.config.SecretFilesWatcher;
import io.vertx.core.Vertx;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * The SBC process: {@code --config FILE [--gateway NAME] [--pid-file FILE]}; serves the gateway
 * until stopped, or exits non-zero with the configuration's errors. In a cluster the environment
 * variable {@code SBC_CONFIGMAP_NAME} replaces {@code --config}: the configuration is then read and
 * watched through the Kubernetes API ({@link ConfigMapSource}).
 */
@QuarkusMain
public class SbcApplication implements QuarkusApplication {
  private static final Logger LOG = Logger.getLogger(SbcApplication.class);

  @Inject Vertx vertx;
  @Inject io.sbc.runtime.management.RunningGateway running;
  @Inject io.sbc.runtime.management.GatewayMetrics metrics;
  @Inject io.sbc.runtime.accounting.Accounting accounting;

  /** Created only when a ConfigMap is the source: a runtime with a file never contacts an API. */
  @Inject Instance<KubernetesClient> kubernetes;

  public static void main(String... args) {
    Quarkus.run(SbcApplication.class, args);
  }

  @Override
  public int run(String... args) throws Exception {
    String config = System.getProperty("sbc.config");
    String gateway = null;
    String pidFile = null;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (i + 1 < args.length && (a.equals("--config") || a.equals("-c"))) {
        config = args[++i];
      } else if (i + 1 < args.length && a.equals("--gateway")) {
        gateway = args[++i];
      } else if (i + 1 < args.length && a.equals("--pid-file")) {
        pidFile = args[++i];
      } else {
        System.err.println("usage: sbc --config FILE [--gateway NAME] [--pid-file FILE]");
        return 64;
      }
    }
    String configMap = System.getenv(ConfigMapSource.ENV_NAME);
    if (configMap != null && configMap.isBlank()) {
      configMap = null;
    }
    if (config != null && configMap != null) {
      System.err.println(
          "both --config "
              + config
              + " and "
              + ConfigMapSource.ENV_NAME
              + "="
              + configMap
              + " are given: choose one source of configuration");
      return 64;
    }
    if (config == null && configMap == null) {
      System.err.println("usage: sbc --config FILE [--gateway NAME] [--pid-file FILE]");
      System.err.println("   or: " + ConfigMapSource.ENV_NAME + "=NAME sbc [--gateway NAME] ...");
      return 64;
    }
    GatewayConfig cfg;
    ConfigMapSource configMapSource = null;
    try {
      if (configMap != null) {
        configMapSource =
            new ConfigMapSource(
                kubernetes.get(),
                ConfigMapSource.namespace(System.getenv(), ConfigMapSource.POD_NAMESPACE_FILE),
                configMap.strip(),
                gateway);
        config = configMapSource.source();
        cfg =
            configMapSource.load(
                Duration.ofSeconds(Long.getLong("sbc.configmap.wait-seconds", 30)));
      } else {
        cfg = GatewayConfig.load(Path.of(config), gateway);
      }
    } catch (ConfigException e) {
      System.err.println("configuration refused:");
      for (String line : e.errors()) {
        System.err.println("  " + line);
      }
      return 2;
    }
    SbcStack sbc;
    try {
      sbc = SbcStack.start(cfg, vertx, accounting.start(cfg.name()));
    } catch (SbcStack.BindException e) {
      System.err.println(e.getMessage());
      return 3;
    }
    if (configMapSource != null) {
      running.configSha256From(configMapSource::appliedSha256);
    }
    running.started(sbc);
    metrics.bind(sbc);
    LOG.infof(
        "%d event loops, %s transport",
        sbc.loops().size(), sbc.transports().nativeTransport() ? "native epoll" : "NIO");
    long pid = ProcessHandle.current().pid();
    if (pidFile != null) {
      try {
        Files.writeString(Path.of(pidFile), pid + "\n", StandardCharsets.US_ASCII);
      } catch (IOException e) {
        LOG.warnf("cannot write pid file %s: %s", pidFile, e.getMessage());
      }
    }
    // Hot reload: a valid new version of the file replaces routes and dispatchers in place.
    long interval = Long.getLong("sbc.reload.interval-ms", 1000);
    ConfigApplier reload = reloadCounted(sbc);
    // In a cluster the ConfigMap is watched instead (the informer's threads, never an event loop).
    ConfigWatcher watcher =
        interval > 0 && configMapSource == null
            ? new ConfigWatcher(vertx, Path.of(config), gateway, interval, reload)
            : null;
    if (configMapSource != null) {
      configMapSource.watch(reload);
    }
    // A rotated sealing secret (a mounted Secret changing) loads the configuration again, so the
    // new key seals and the previous one still opens, without a restart.
    ConfigMapSource cms = configMapSource;
    SecretFilesWatcher secrets =
        interval > 0
            ? new SecretFilesWatcher(
                vertx,
                () -> sbc.config().secretFiles(),
                interval,
                () -> {
                  LOG.infof("a sealing secret file changed: loading the configuration again");
                  if (cms != null) {
                    cms.reapply(reload);
                  } else if (watcher != null) {
                    watcher.reapply();
                  }
                })
            : null;
    drainOnSigterm(sbc);
    LOG.infof("SBC gateway %s ready, pid %d (config %s)", cfg.name(), pid, config);
    Quarkus.waitForExit();
    running.stopping();
    if (secrets != null) {
      secrets.close();
    }
    if (watcher != null) {
      watcher.close();
    }
    if (configMapSource != null) {
      configMapSource.close();
    }
    sbc.close();
    // The calls' records are queued by now: written before the process goes (a few seconds at
    // most, so a database that is away cannot hold the exit).
    accounting.stop(Long.getLong("sbc.accounting.exit-wait-ms", 5000));
    if (pidFile != null) {
      Files.deleteIfExists(Path.of(pidFile));
    }
    return 0;
  }

  /**
   * SIGTERM (how Kubernetes stops a pod) drains before the process stops: readiness drops at once
   * (a Service stops sending new traffic here), the calls in progress finish while new INVITEs get
   * 503, within the drain period; then Quarkus is asked to exit. The JVM's own handling of SIGTERM
   * would run the shutdown hooks at once, and Quarkus's stops the HTTP server and Vert.x, its event
   * loops included, without waiting for anything. A second SIGTERM, or SIGINT (Ctrl-C), stops at
   * once.
   */
  private void drainOnSigterm(SbcStack sbc) {
    java.util.concurrent.atomic.AtomicBoolean once =
        new java.util.concurrent.atomic.AtomicBoolean();
    try {
      sun.misc.Signal.handle(
          new sun.misc.Signal("TERM"),
          signal -> {
            if (!once.compareAndSet(false, true)) {
              LOG.infof("SIGTERM again: stopping now");
              Quarkus.asyncExit(0);
              return;
            }
            Thread t =
                new Thread(
                    () -> {
                      running.stopping();
                      try {
                        sbc.drain(sbc.config().drainMillis());
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      } finally {
                        Quarkus.asyncExit(0);
                      }
                    },
                    "sbc-drain");
            t.setDaemon(true);
            t.start();
          });
    } catch (IllegalArgumentException e) {
      LOG.warnf("cannot handle SIGTERM (%s): the process stops without draining", e.getMessage());
    }
  }

  /** Applies new configurations to the gateway; management counts those applied and refused. */
  private ConfigApplier reloadCounted(SbcStack sbc) {
    return new ConfigApplier() {
      @Override
      public void apply(GatewayConfig next) throws ConfigException {
        sbc.reload(next);
        running.reloadApplied();
      }

      @Override
      public void refused(List<String> errors) {
        running.reloadRefused(errors);
      }
    };
  }
}
