package io.sbc.runtime.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.sbc.api.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ConfigMap source against the fabric8 mock API server in CRUD mode (lists, gets, watches). */
@EnableKubernetesMockClient(crud = true)
class ConfigMapSourceTest {
  static final String NS = "sbc-test";
  static final String NAME = "edge-config";
  static final String SOURCE = "configmap sbc-test/edge-config";

  KubernetesMockServer server;
  KubernetesClient client;

  final List<GatewayConfig> applied = new CopyOnWriteArrayList<>();
  final List<List<String>> refusals = new CopyOnWriteArrayList<>();
  final ConfigApplier applier =
      new ConfigApplier() {
        @Override
        public void apply(GatewayConfig next) {
          applied.add(next);
        }

        @Override
        public void refused(List<String> errors) {
          refusals.add(errors);
        }
      };
  final List<String> logged = new CopyOnWriteArrayList<>();
  final List<ConfigMapSource> sources = new ArrayList<>();
  final Logger log = Logger.getLogger(ConfigMapSource.class.getName());
  final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord r) {
          logged.add(
              r instanceof ExtLogRecord e
                  ? e.getFormattedMessage()
                  : String.valueOf(r.getMessage()));
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @BeforeEach
  void captureLog() {
    log.addHandler(capture);
  }

  @AfterEach
  void stop() {
    sources.forEach(ConfigMapSource::close);
    log.removeHandler(capture);
  }

  static String config(int backendPort) {
    return GatewayConfigTest.GATEWAY.formatted("edge", 15060)
        + GatewayConfigTest.ROUTE.formatted("edge", backendPort);
  }

  static ConfigMap configMap(String text) {
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withNamespace(NS)
        .withName(NAME)
        .endMetadata()
        .withData(text == null ? Map.of("other", "x") : Map.of(ConfigMapSource.KEY, text))
        .build();
  }

  void put(String text) {
    client.configMaps().inNamespace(NS).resource(configMap(text)).createOr(c -> c.update());
  }

  ConfigMapSource source() {
    ConfigMapSource s = new ConfigMapSource(client, NS, NAME, null);
    sources.add(s);
    return s;
  }

  static String backendOf(GatewayConfig c) {
    return c.routes().get(0).spec.rules.get(0).backendRefs.get(0).uri;
  }

  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 10 s: " + what);
      }
      Thread.sleep(20);
    }
  }

  boolean loggedLine(String prefix) {
    return logged.stream().anyMatch(l -> l.startsWith(prefix));
  }

  /** A started source with a watch, after the informer has seen the initial version. */
  ConfigMapSource watching(int backendPort) throws Exception {
    put(config(backendPort));
    ConfigMapSource s = source();
    GatewayConfig first = s.load(Duration.ofSeconds(5));
    assertEquals("sip:127.0.0.1:" + backendPort + ";transport=tcp", backendOf(first));
    assertEquals(SOURCE, first.source());
    s.watch(applier);
    Thread.sleep(300); // the informer's initial list: same text, nothing applied
    assertEquals(List.of(), applied);
    return s;
  }

  @Test
  void changeIsApplied() throws Exception {
    watching(15090);
    put(config(15091));
    await("the new configuration applied", () -> applied.size() == 1);
    assertEquals("sip:127.0.0.1:15091;transport=tcp", backendOf(applied.get(0)));
    await("logged", () -> loggedLine("configuration " + SOURCE + " reloaded"));

    put(config(15092));
    await("the second change applied", () -> applied.size() == 2);
    assertEquals("sip:127.0.0.1:15092;transport=tcp", backendOf(applied.get(1)));
  }

  /** The operator's compressed form (large configurations) loads and reloads like the plain one. */
  @Test
  void aCompressedConfigurationIsReadToo() throws Exception {
    watching(15090);
    ConfigMap gz =
        new ConfigMapBuilder()
            .withNewMetadata()
            .withNamespace(NS)
            .withName(NAME)
            .endMetadata()
            .withBinaryData(
                Map.of(
                    io.sbc.api.ConfigMapPayload.GZIP_KEY,
                    io.sbc.api.ConfigMapPayload.gzipBase64(config(15093))))
            .build();
    client.configMaps().inNamespace(NS).resource(gz).update();
    await("the compressed configuration applied", () -> applied.size() == 1);
    assertEquals("sip:127.0.0.1:15093;transport=tcp", backendOf(applied.get(0)));
    // and a fresh start reads it
    GatewayConfig fresh = source().load(Duration.ofSeconds(5));
    assertEquals("sip:127.0.0.1:15093;transport=tcp", backendOf(fresh));
  }

  @Test
  void sameTextIsNotAppliedAgain() throws Exception {
    watching(15090);
    ConfigMap cm = configMap(config(15090));
    cm.getMetadata().setLabels(Map.of("touched", "yes"));
    client.configMaps().inNamespace(NS).resource(cm).update();
    Thread.sleep(500);
    assertEquals(List.of(), applied);
  }

  /**
   * The hash management reports (the operator's Programmed waits for it) is the one of the text
   * running: set at start, moved by an applied change, kept by a refused one.
   */
  @Test
  void theHashOfTheRunningTextFollowsAppliedChangesOnly() throws Exception {
    ConfigMapSource s = watching(15090);
    assertEquals(io.sbc.api.ConfigIdentity.sha256(config(15090)), s.appliedSha256());
    put(config(15091));
    await("applied", () -> applied.size() == 1);
    assertEquals(io.sbc.api.ConfigIdentity.sha256(config(15091)), s.appliedSha256());
    put(config(15092).replace("protocol: SIP-UDP", "protocol: SIP-FOO"));
    await("refused", () -> refusals.size() == 1);
    assertEquals(io.sbc.api.ConfigIdentity.sha256(config(15091)), s.appliedSha256());
  }

  @Test
  void invalidChangeIsRefusedAndTheWatchGoesOn() throws Exception {
    watching(15090);
    put(config(15091).replace("protocol: SIP-UDP", "protocol: SIP-FOO"));
    await(
        "refused",
        () ->
            loggedLine(
                "configuration "
                    + SOURCE
                    + " changed but is refused; the running configuration stays:\n  "
                    + SOURCE
                    + ": document 1 (SipGateway/edge)"));
    Thread.sleep(200);
    assertEquals(List.of(), applied);
    assertEquals(1, refusals.size(), "the refusal is reported to the applier: " + refusals);
    assertTrue(
        refusals.get(0).stream().anyMatch(e -> e.startsWith(SOURCE + ": document 1")),
        refusals::toString);

    put(config(15093));
    await("the next valid change applied", () -> applied.size() == 1);
    assertEquals("sip:127.0.0.1:15093;transport=tcp", backendOf(applied.get(0)));
  }

  @Test
  void removedKeyIsRefused() throws Exception {
    watching(15090);
    put(null);
    await("refused", () -> loggedLine("configuration " + SOURCE + " changed but is refused"));
    assertTrue(
        logged.stream().anyMatch(l -> l.endsWith(SOURCE + ": no key config.yaml")),
        logged::toString);
    assertEquals(List.of(), applied);
    await("the refusal reported to the applier", () -> !refusals.isEmpty());
    assertEquals(List.of(List.of(SOURCE + ": no key config.yaml")), refusals);
  }

  @Test
  void deletionKeepsServingAndRecreationIsApplied() throws Exception {
    watching(15090);
    client.configMaps().inNamespace(NS).withName(NAME).delete();
    await(
        "deletion logged", () -> loggedLine(SOURCE + " deleted; the running configuration stays"));
    Thread.sleep(200);
    assertEquals(List.of(), applied);

    put(config(15094));
    await("the re-created configuration applied", () -> applied.size() == 1);
    assertEquals("sip:127.0.0.1:15094;transport=tcp", backendOf(applied.get(0)));
  }

  @Test
  void otherConfigMapsAreIgnored() throws Exception {
    watching(15090);
    client
        .configMaps()
        .inNamespace(NS)
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withNamespace(NS)
                .withName("unrelated")
                .endMetadata()
                .withData(Map.of(ConfigMapSource.KEY, config(15099)))
                .build())
        .create();
    Thread.sleep(500);
    assertEquals(List.of(), applied);
  }

  @Test
  void startWaitsForTheConfigMap() throws Exception {
    Thread later =
        new Thread(
            () -> {
              try {
                Thread.sleep(700);
              } catch (InterruptedException e) {
                return;
              }
              put(config(15095));
            });
    later.start();
    GatewayConfig c = source().load(Duration.ofSeconds(10));
    later.join();
    assertEquals("sip:127.0.0.1:15095;transport=tcp", backendOf(c));
    assertTrue(loggedLine(SOURCE + ": not found; retrying"), logged::toString);
  }

  @Test
  void startFailsNamingTheConfigMapWhenItNeverAppears() {
    ConfigException e =
        assertThrows(ConfigException.class, () -> source().load(Duration.ofSeconds(1)));
    assertEquals(List.of(SOURCE + ": not found (waited 1 s)"), e.errors());
  }

  @Test
  void startRefusesAnInvalidConfiguration() {
    put(config(15090).replace("port: 15060", "port: 99999"));
    ConfigException e =
        assertThrows(ConfigException.class, () -> source().load(Duration.ofSeconds(5)));
    assertTrue(
        e.errors().get(0).startsWith(SOURCE + ": document 1 (SipGateway/edge)"), e::toString);
  }

  @Test
  void startRefusesAConfigMapWithoutTheKey() {
    put(null);
    ConfigException e =
        assertThrows(ConfigException.class, () -> source().load(Duration.ofSeconds(5)));
    assertEquals(
        List.of(SOURCE + ": no key config.yaml (nor config.yaml.gz in binaryData)"), e.errors());
  }

  @Test
  void namespaceFromEnvironmentThenPodThenDefault(@TempDir Path dir) throws Exception {
    Path podFile = dir.resolve("namespace");
    assertEquals("default", ConfigMapSource.namespace(Map.of(), podFile));
    Files.writeString(podFile, "pod-ns\n");
    assertEquals("pod-ns", ConfigMapSource.namespace(Map.of(), podFile));
    assertEquals(
        "explicit",
        ConfigMapSource.namespace(Map.of(ConfigMapSource.ENV_NAMESPACE, "explicit"), podFile));
  }
}
