package io.sbc.operator.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.sbc.api.Defaults;
import io.sbc.api.SipGateway;
import io.sbc.api.SipRoute;
import io.sbc.operator.crd.SipGatewayResource;
import io.sbc.operator.crd.SipRouteResource;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * End to end, the way a cluster runs it, with the fabric8 mock API server (CRUD mode) as the
 * cluster: the quickstart example ({@code examples/quickstart.yaml}: a SipGateway and a SipRoute)
 * is applied as custom resources; the operator (this Quarkus test application) writes the ConfigMap
 * and the Deployment; the test plays the kubelet and starts the packaged sbc-runtime with the
 * container environment of that Deployment (the Secrets it mounts, i.e. the gateway's sealing
 * secret, written to local files that the environment then names), watching the same mock API
 * server over HTTP; the runtime must use the operator's sealing secret, not make up one. SIPp calls
 * go through it to UAS A; mid-run the SipRoute's backendRef is changed to UAS B through the API. No
 * call may fail; calls started after the runtime reloaded go to B only; the time from the SipRoute
 * change to the first INVITE at B is reported (stdout and {@code target/e2e-route-change.txt}), not
 * asserted.
 *
 * <p>Needs SIPp ({@code apt-get install sip-tester}; ./test.sh installs it) and the packaged
 * runtime ({@code sbc-runtime/target/quarkus-app/quarkus-run.jar}: the reactor builds sbc-runtime
 * before this module, e.g. {@code mvn -pl operator -am verify}). Rate and duration: {@code
 * -Dsbc.e2e.rate=100 -Dsbc.e2e.seconds=12}.
 */
@QuarkusTest
@WithKubernetesTestServer
class RouteChangeEndToEndTest {
  static final String NS = "sbc-e2e";
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  static final String BLOCKED_THREAD = "has been blocked for";

  /** The runtime's warning when no sealing secret is configured and it makes one up. */
  static final String GENERATED_SEALING_KEY = "has no spec.sealing secret";

  /** A reload line of the runtime's log: {@code HH:mm:ss.SSS LEVEL [...] (...) message}. */
  static final DateTimeFormatter LOG_TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

  @Inject KubernetesClient client;

  private final Deque<AutoCloseable> cleanup = new ArrayDeque<>();
  private final List<Runnable> deletions = new ArrayList<>();

  static Path property(String name, String fallback) {
    return Path.of(System.getProperty(name, fallback)).toAbsolutePath().normalize();
  }

  @AfterEach
  void stopEverything() {
    List<Throwable> errors = new ArrayList<>();
    while (!cleanup.isEmpty()) {
      try {
        cleanup.pop().close();
      } catch (Throwable t) {
        errors.add(t);
      }
    }
    deletions.forEach(
        d -> {
          try {
            d.run();
          } catch (RuntimeException e) {
            // the next test run uses fresh objects anyway
          }
        });
    if (!errors.isEmpty()) {
      AssertionError e = new AssertionError("cleanup failed");
      errors.forEach(e::addSuppressed);
      throw e;
    }
  }

  private <T extends AutoCloseable> T track(T c) {
    cleanup.push(c);
    return c;
  }

  @Test
  void callsFollowAChangedSipRouteWithNoFailedCall() throws Exception {
    // --- what the test needs, with messages that say what to do
    assertTrue(
        onPath("sipp"),
        "SIPp is not on the PATH: apt-get install sip-tester (./test.sh installs it)");
    Path jar = property("sbc.runtime.jar", "../sbc-runtime/target/quarkus-app/quarkus-run.jar");
    assertTrue(
        Files.isRegularFile(jar),
        "the runtime is not packaged: "
            + jar
            + " is missing (build it first: mvn -pl operator -am verify, or mvn -pl sbc-runtime"
            + " -am package)");
    Path shared = property("shared.dir", "../../shared");
    Path uacScenario = shared.resolve("bench/scenarios/uac_rr.xml");
    Path uasScenario = shared.resolve("bench/scenarios/uas_rr.xml");
    assertTrue(
        Files.isRegularFile(uacScenario) && Files.isRegularFile(uasScenario),
        "SIPp scenarios missing: " + uacScenario + ", " + uasScenario + " (-Dshared.dir=DIR)");
    Path example = property("sbc.examples", "../examples").resolve("quickstart.yaml");
    Path jvmOptions = property("sbc.jvm.options", "../jvm.options");
    Path work = property("sbc.e2e.work", "target/e2e").resolve("route-change");
    Path report = property("sbc.e2e.report", "target/e2e-route-change.txt");
    deleteRecursively(work);
    Files.createDirectories(work);
    int rate = Integer.getInteger("sbc.e2e.rate", 100);
    int seconds = Integer.getInteger("sbc.e2e.seconds", 12);
    int calls = rate * seconds;

    int sbcPort = FreePorts.next();
    int uasA = FreePorts.next();
    int uasB = FreePorts.next();
    int uacPort = FreePorts.next();
    int managementPort = FreePorts.next();

    // --- apply the example: a SipGateway and a SipRoute, on test ports, in a namespace of ours
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
        .createOr(n -> n.update());
    SipGatewayResource gw = null;
    SipRouteResource route = null;
    for (JsonNode doc :
        YAML.readerFor(JsonNode.class).<JsonNode>readValues(Files.readString(example)).readAll()) {
      String kind = doc.path("kind").asText();
      if (kind.equals(SipGateway.KIND)) {
        gw = Serialization.unmarshal(doc.toString(), SipGatewayResource.class);
      } else if (kind.equals(SipRoute.KIND)) {
        route = Serialization.unmarshal(doc.toString(), SipRouteResource.class);
      }
    }
    assertNotNull(gw, example + ": no SipGateway");
    assertNotNull(route, example + ": no SipRoute");
    gw.getMetadata().setNamespace(NS);
    gw.getSpec().listeners.forEach(l -> l.port = sbcPort);
    // as in a cluster: the example's 127.0.0.1 is for a laptop, and the operator refuses it
    gw.getSpec().listeners.forEach(l -> l.address = "0.0.0.0");
    assertTrue(
        gw.getSpec().listeners.stream().anyMatch(l -> "SIP-UDP".equals(l.protocol)),
        example + ": the gateway needs a SIP-UDP listener");
    route.getMetadata().setNamespace(NS);
    SipRoute.BackendRef backend = route.getSpec().rules.get(0).backendRefs.get(0);
    assertNotNull(backend.uri, example + ": the route's first backendRef should be a uri");
    backend.uri = "sip:127.0.0.1:" + uasA;
    String gwName = gw.getMetadata().getName();
    String routeName = route.getMetadata().getName();
    String cmName = gwName + "-sbc-config";
    String depName = gwName + "-sbc";
    client.resource(route).create();
    client.resource(gw).create();
    deletions.add(
        () ->
            client.resources(SipRouteResource.class).inNamespace(NS).withName(routeName).delete());
    deletions.add(
        () -> client.resources(SipGatewayResource.class).inNamespace(NS).withName(gwName).delete());

    // --- the operator writes the ConfigMap (routing to A) and the Deployment
    ConfigMap cm =
        await("ConfigMap " + NS + "/" + cmName + " routing to UAS A")
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(100))
            .until(
                () -> client.configMaps().inNamespace(NS).withName(cmName).get(),
                c -> configText(c).contains("sip:127.0.0.1:" + uasA));
    Files.writeString(work.resolve("config-before.yaml"), configText(cm));
    Deployment dep =
        await("Deployment " + NS + "/" + depName)
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(100))
            .until(
                () -> client.apps().deployments().inNamespace(NS).withName(depName).get(),
                d -> d != null);
    Files.writeString(work.resolve("deployment.yaml"), Serialization.asYaml(dep));

    // --- the callees: SIPp UAS A and B (-aa answers OPTIONS, so a probe tells they are up)
    ChildProcess a = startUas("uas-a", work, uasScenario, uasA);
    ChildProcess b = startUas("uas-b", work, uasScenario, uasB);

    // --- play the kubelet: the Deployment's container, run as a process on this host
    Container container =
        dep.getSpec().getTemplate().getSpec().getContainers().stream()
            .filter(c -> c.getName().equals("sbc"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no container sbc in " + depName));
    Map<String, String> env = containerEnv(container, dep);
    assertEquals(cmName, env.get("SBC_CONFIGMAP_NAME"), "container env " + env);
    assertEquals(NS, env.get("SBC_CONFIGMAP_NAMESPACE"), "container env " + env);
    assertEquals("127.0.0.1", env.get(Defaults.ADVERTISED_ADDRESS_ENV), "container env " + env);
    // the mounted Secrets (the gateway's sealing secret) as files, the env's paths moved to them
    mountSecrets(container, dep, work.resolve("volumes"), env);
    String secretFile = env.get(Defaults.SEALING_SECRET_FILE_ENV);
    assertNotNull(secretFile, "container env names no sealing secret file: " + env);
    assertEquals(
        32, Files.size(Path.of(secretFile)), "the operator's sealing secret, " + secretFile);
    List<String> ports =
        container.getPorts().stream()
            .map(p -> p.getProtocol() + "/" + p.getContainerPort())
            .toList();
    assertTrue(ports.contains("UDP/" + sbcPort), "container ports " + ports);
    ContainerPort management =
        container.getPorts().stream()
            .filter(p -> "management".equals(p.getName()))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no management port in " + ports));
    String readyPath = container.getReadinessProbe().getHttpGet().getPath();
    String masterUrl = client.getMasterUrl().toString();
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    if (Files.isRegularFile(jvmOptions)) {
      for (String line : Files.readAllLines(jvmOptions)) {
        if (!line.isBlank() && !line.startsWith("#")) {
          cmd.add(line.trim());
        }
      }
    }
    // the pod's own network namespace is this host's: the management port (containerPort
    // management) moves to a free one; the SIP listener ports are the Deployment's
    cmd.add("-Dquarkus.http.port=" + managementPort);
    cmd.add("-Dkubernetes.master=" + masterUrl);
    cmd.add("-Dkubernetes.auth.tryKubeConfig=false");
    cmd.add("-Dkubernetes.auth.tryServiceAccount=false");
    cmd.add("-jar");
    cmd.add(jar.toString());
    if (container.getArgs() != null) {
      cmd.addAll(container.getArgs());
    }
    ChildProcess sbc = track(new ChildProcess("sbc", cmd, env, work.resolve("sbc")));
    String ready = "SBC gateway " + gwName + " ready";
    Instant sbcStarted = Instant.now();
    awaitOrFail(
        "the runtime up: log line \""
            + ready
            + "\", OPTIONS 200 on UDP "
            + sbcPort
            + ", HTTP 200 on "
            + readyPath
            + " (management containerPort "
            + management.getContainerPort()
            + " -> "
            + managementPort
            + ")",
        Duration.ofSeconds(60),
        sbc,
        () ->
            sbc.logText().contains(ready)
                && SipProbe.options("127.0.0.1", sbcPort, Duration.ofMillis(500)) == 200
                && httpStatus("http://127.0.0.1:" + managementPort + readyPath) == 200);
    Duration sbcStartup = Duration.between(sbcStarted, Instant.now());

    // --- the test's own watch on the ConfigMap: when the operator writes the new route
    AtomicReference<Instant> configMapChanged = new AtomicReference<>();
    String toB = "sip:127.0.0.1:" + uasB;
    Watch watch =
        client
            .configMaps()
            .inNamespace(NS)
            .withName(cmName)
            .watch(
                new Watcher<>() {
                  @Override
                  public void eventReceived(Action action, ConfigMap c) {
                    if (configText(c).contains(toB)) {
                      configMapChanged.compareAndSet(null, Instant.now());
                    }
                  }

                  @Override
                  public void onClose(WatcherException cause) {}
                });
    track(watch::close);

    // --- calls through the runtime to A
    Path uacDir = work.resolve("uac");
    ChildProcess uac =
        track(
            Sipp.start(
                "uac",
                uacDir,
                Sipp.command(
                    uacScenario,
                    "127.0.0.1:" + sbcPort,
                    uacPort,
                    false,
                    "-m",
                    String.valueOf(calls),
                    "-r",
                    String.valueOf(rate),
                    "-l",
                    String.valueOf(calls),
                    "-d",
                    "200",
                    "-timeout",
                    (seconds + 45) + "s",
                    "-timeout_error")));
    // about two seconds of calls on the old route first
    awaitOrFail(
        "calls arriving at UAS A (" + 2 * rate + " INVITEs)",
        Duration.ofSeconds(30),
        uac,
        () -> Sipp.receivedInvites(a.log().getParent()).size() >= 2 * rate);

    // --- the change: the SipRoute's backendRef to B, through the API
    Instant changed = Instant.now();
    client
        .resources(SipRouteResource.class)
        .inNamespace(NS)
        .withName(routeName)
        .edit(
            r -> {
              r.getSpec().rules.get(0).backendRefs.get(0).uri = toB;
              return r;
            });
    Instant changeAcknowledged = Instant.now();

    String reloadedLine = "configuration configmap " + NS + "/" + cmName + " reloaded";
    Instant reloadSeen = null;
    Optional<Sipp.Invite> firstAtB = Optional.empty();
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline && (reloadSeen == null || firstAtB.isEmpty())) {
      if (reloadSeen == null && sbc.logText().contains(reloadedLine)) {
        reloadSeen = Instant.now();
      }
      if (firstAtB.isEmpty()) {
        firstAtB = Sipp.receivedInvites(b.log().getParent()).stream().findFirst();
      }
      Thread.sleep(20);
    }

    Integer rc = uac.awaitExit(Duration.ofSeconds(seconds + 60));
    Sipp.Result result = Sipp.Result.read(uac, uacDir, rc);
    a.close(); // flushes the messages logs
    b.close();
    List<Sipp.Invite> atA = Sipp.receivedInvites(a.log().getParent());
    List<Sipp.Invite> atB = Sipp.receivedInvites(b.log().getParent());
    String sbcLog = sbc.logText();
    String context =
        "\nwork dir: " + work + "\nruntime log (tail):\n" + ChildProcess.tail(sbcLog, 30);

    // --- the figures (times from the logs: SIPp's in microseconds, the runtime's in ms)
    Instant reloadLogged = logTime(sbcLog, reloadedLine, changed);
    Instant firstB =
        atB.stream().map(Sipp.Invite::time).min(Comparator.naturalOrder()).orElse(null);
    Instant lastA = atA.stream().map(Sipp.Invite::time).max(Comparator.naturalOrder()).orElse(null);
    long aAfterChange = atA.stream().filter(i -> i.time().isAfter(changed)).count();
    String text =
        String.join(
            "\n",
            "SipRoute change -> traffic on new route: "
                + (firstB == null ? "never" : ms(changed, firstB) + " ms"),
            "  (SipRoute %s/%s backendRef sip:127.0.0.1:%d -> %s at %s; %d calls/s, %d calls)"
                .formatted(NS, routeName, uasA, toB, changed, rate, calls),
            "  API server acknowledged the update:  " + since(changed, changeAcknowledged),
            "  operator's ConfigMap seen (watch):   " + since(changed, configMapChanged.get()),
            "  runtime logged \"reloaded\":          "
                + since(changed, reloadLogged)
                + " (the test saw the line at "
                + since(changed, reloadSeen)
                + ")",
            "  first INVITE at UAS B (new route):   " + since(changed, firstB),
            "  last INVITE at UAS A (old route):    "
                + since(changed, lastA)
                + " ("
                + aAfterChange
                + " INVITEs at A after the change)",
            "  calls: %d successful, %d failed of %d; INVITEs at A %d, at B %d"
                .formatted(result.successful(), result.failed(), calls, atA.size(), atB.size()),
            "  runtime start (process to ready, as the kubelet): " + sbcStartup.toMillis() + " ms",
            "");
    System.out.println("\n=== end-to-end SipRoute change ===\n" + text);
    Files.createDirectories(report.getParent());
    Files.writeString(report, text);
    Files.writeString(work.resolve("e2e-route-change.txt"), text);

    // --- the acceptance
    assertNotNull(reloadSeen, "the runtime should log \"" + reloadedLine + "\"" + context);
    assertTrue(result.allSucceeded(calls), "no call may fail: " + result + context);
    assertEquals(
        calls, atA.size() + atB.size(), "each call reaches exactly one callee\n" + text + context);
    assertTrue(firstB != null, "calls should reach B\n" + text + context);
    assertFalse(firstB.isBefore(changed), "B received a call before the change\n" + text);
    Instant settled = reloadSeen.plusMillis(500);
    List<Sipp.Invite> late = atA.stream().filter(i -> i.time().isAfter(settled)).toList();
    assertEquals(
        List.of(),
        late,
        "no INVITE may reach A once the runtime reloaded (+500 ms)\n" + text + context);
    assertFalse(
        sbcLog.contains(BLOCKED_THREAD), "the runtime log reports a blocked event loop" + context);
    assertFalse(
        sbcLog.contains(GENERATED_SEALING_KEY),
        "the runtime made up its own sealing key instead of reading the operator's Secret"
            + context);
  }

  /**
   * A gateway behind a LoadBalancer Service: not Programmed while the load balancer has no address
   * (AddressNotAssigned); once the mock API server gives it one, the pods' environment names it and
   * the runtime started from that environment writes it into the Via of what it forwards, so that
   * peers outside the cluster answer an address they can reach.
   */
  @Test
  void theRuntimeAdvertisesTheLoadBalancersAddressOnceAssigned() throws Exception {
    Path jar = property("sbc.runtime.jar", "../sbc-runtime/target/quarkus-app/quarkus-run.jar");
    assertTrue(Files.isRegularFile(jar), "the runtime is not packaged: " + jar + " is missing");
    Path jvmOptions = property("sbc.jvm.options", "../jvm.options");
    Path work = property("sbc.e2e.work", "target/e2e").resolve("load-balancer");
    deleteRecursively(work);
    Files.createDirectories(work);
    int sbcPort = FreePorts.next();
    int managementPort = FreePorts.next();
    String lbHost = "sbc-lb.example.test";
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
        .createOr(n -> n.update());
    try (java.net.DatagramSocket callee = new java.net.DatagramSocket(0)) {
      callee.setSoTimeout(5000);
      SipGatewayResource gw = new SipGatewayResource();
      gw.getMetadata().setName("lb-edge");
      gw.getMetadata().setNamespace(NS);
      SipGateway.Listener udp = new SipGateway.Listener();
      udp.name = "udp";
      udp.protocol = "SIP-UDP";
      udp.address = "0.0.0.0";
      udp.port = sbcPort;
      gw.getSpec().listeners.add(udp);
      gw.getSpec().serviceType = "LoadBalancer";
      SipRouteResource route = new SipRouteResource();
      route.getMetadata().setName("lb-route");
      route.getMetadata().setNamespace(NS);
      SipRoute.ParentRef parent = new SipRoute.ParentRef();
      parent.name = "lb-edge";
      route.getSpec().parentRefs.add(parent);
      SipRoute.Rule rule = new SipRoute.Rule();
      SipRoute.BackendRef backend = new SipRoute.BackendRef();
      backend.uri = "sip:127.0.0.1:" + callee.getLocalPort();
      rule.backendRefs.add(backend);
      route.getSpec().rules.add(rule);
      client.resource(route).create();
      client.resource(gw).create();
      deletions.add(
          () ->
              client
                  .resources(SipRouteResource.class)
                  .inNamespace(NS)
                  .withName("lb-route")
                  .delete());
      deletions.add(
          () ->
              client
                  .resources(SipGatewayResource.class)
                  .inNamespace(NS)
                  .withName("lb-edge")
                  .delete());

      // no load balancer address yet: not Programmed, and the pods would advertise their own IP
      await("Programmed=False AddressNotAssigned")
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .until(
              () ->
                  client
                      .resources(SipGatewayResource.class)
                      .inNamespace(NS)
                      .withName("lb-edge")
                      .get()
                      .getStatus()
                      .conditions
                      .stream()
                      .anyMatch(
                          c ->
                              "Programmed".equals(c.type)
                                  && "AddressNotAssigned".equals(c.reason)));
      // the cloud's load balancer controller assigns an address
      client
          .services()
          .inNamespace(NS)
          .withName("lb-edge-sbc")
          .editStatus(
              svc -> {
                svc.setStatus(
                    new io.fabric8.kubernetes.api.model.ServiceStatusBuilder()
                        .withNewLoadBalancer()
                        .addNewIngress()
                        .withHostname(lbHost)
                        .endIngress()
                        .endLoadBalancer()
                        .build());
                return svc;
              });
      Deployment dep =
          await("the Deployment's pods advertise " + lbHost)
              .atMost(Duration.ofSeconds(60))
              .pollInterval(Duration.ofMillis(100))
              .ignoreExceptions()
              .until(
                  () -> client.apps().deployments().inNamespace(NS).withName("lb-edge-sbc").get(),
                  d ->
                      d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
                          .anyMatch(
                              e ->
                                  Defaults.ADVERTISED_ADDRESS_ENV.equals(e.getName())
                                      && lbHost.equals(e.getValue())));

      // play the kubelet with the rolled pod template, then send a request through the runtime
      Container container = dep.getSpec().getTemplate().getSpec().getContainers().get(0);
      Map<String, String> env = containerEnv(container, dep);
      mountSecrets(container, dep, work.resolve("volumes"), env);
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      for (String line : Files.readAllLines(jvmOptions)) {
        if (!line.isBlank() && !line.startsWith("#")) {
          cmd.add(line.trim());
        }
      }
      cmd.add("-Dquarkus.http.port=" + managementPort);
      cmd.add("-Dkubernetes.master=" + client.getMasterUrl());
      cmd.add("-Dkubernetes.auth.tryKubeConfig=false");
      cmd.add("-Dkubernetes.auth.tryServiceAccount=false");
      cmd.add("-jar");
      cmd.add(jar.toString());
      // the pod is scheduled and ready before its runtime answers: not Programmed, naming it
      playReadyPod("lb-edge", managementPort);
      await("Programmed=False naming the pod that does not answer")
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .until(
              () -> programmed("lb-edge"),
              c ->
                  "Pending".equals(c.reason)
                      && c.message.contains("pod lb-edge-sbc-0: management API")
                      && c.message.contains("did not answer"));
      ChildProcess sbc = track(new ChildProcess("sbc", cmd, env, work.resolve("sbc")));
      awaitOrFail(
          "the runtime answering OPTIONS on UDP " + sbcPort,
          Duration.ofSeconds(60),
          sbc,
          () -> SipProbe.options("127.0.0.1", sbcPort, Duration.ofMillis(500)) == 200);
      // the runtime reports the configuration it loaded: the one the operator wrote
      io.sbc.api.status.Condition programmed =
          await("Programmed=True once the runtime reports the current configuration")
              .atMost(Duration.ofSeconds(30))
              .ignoreExceptions()
              .until(() -> programmed("lb-edge"), c -> "True".equals(c.status));
      assertTrue(programmed.message.contains("running it"), programmed.message);
      try (java.net.DatagramSocket caller = new java.net.DatagramSocket(0)) {
        String request =
            "MESSAGE sip:someone@127.0.0.1:"
                + sbcPort
                + " SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:"
                + caller.getLocalPort()
                + ";branch=z9hG4bKlbtest1;rport\r\nMax-Forwards: 70\r\n"
                + "From: <sip:caller@127.0.0.1>;tag=lb1\r\nTo: <sip:someone@127.0.0.1>\r\n"
                + "Call-ID: lb-e2e-1\r\nCSeq: 1 MESSAGE\r\nContent-Length: 0\r\n\r\n";
        byte[] b = request.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        caller.send(
            new java.net.DatagramPacket(
                b, b.length, new java.net.InetSocketAddress("127.0.0.1", sbcPort)));
        java.net.DatagramPacket got = new java.net.DatagramPacket(new byte[65535], 65535);
        callee.receive(got);
        String forwarded =
            new String(
                got.getData(), 0, got.getLength(), java.nio.charset.StandardCharsets.ISO_8859_1);
        String topVia =
            forwarded.lines().filter(l -> l.startsWith("Via:")).findFirst().orElse("(none)");
        assertTrue(
            topVia.contains("SIP/2.0/UDP " + lbHost + ":" + sbcPort),
            "the forwarded request's Via names the load balancer: " + topVia + "\n" + forwarded);
      }
      assertFalse(sbc.logText().contains(BLOCKED_THREAD), "blocked event loop");
    }
  }

  private io.sbc.api.status.Condition programmed(String gateway) {
    return client
        .resources(SipGatewayResource.class)
        .inNamespace(NS)
        .withName(gateway)
        .get()
        .getStatus()
        .conditions
        .stream()
        .filter(c -> "Programmed".equals(c.type))
        .findFirst()
        .orElseThrow();
  }

  /**
   * Plays the Deployment controller and the kubelet for one replica: the Deployment's status says
   * one pod of the current template is ready, and that pod (IP 127.0.0.1, where the runtime this
   * test starts listens) has its management port at {@code managementPort}.
   */
  private void playReadyPod(String gateway, int managementPort) {
    client
        .apps()
        .deployments()
        .inNamespace(NS)
        .withName(gateway + "-sbc")
        .editStatus(
            d -> {
              d.setStatus(
                  new io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder()
                      .withReplicas(1)
                      .withReadyReplicas(1)
                      .withUpdatedReplicas(1)
                      .withAvailableReplicas(1)
                      .withObservedGeneration(d.getMetadata().getGeneration())
                      .build());
              return d;
            });
    String name = gateway + "-sbc-0";
    client
        .resource(
            new io.fabric8.kubernetes.api.model.PodBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(NS)
                .withLabels(
                    Map.of(
                        "app.kubernetes.io/name", "sbc",
                        "app.kubernetes.io/instance", gateway,
                        "app.kubernetes.io/managed-by", "sbc-operator"))
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("sbc")
                .withImage("sbc-runtime")
                .addNewPort()
                .withName("management")
                .withContainerPort(managementPort)
                .endPort()
                .endContainer()
                .endSpec()
                .build())
        .createOr(x -> x.update());
    client
        .pods()
        .inNamespace(NS)
        .withName(name)
        .editStatus(
            x -> {
              x.setStatus(
                  new io.fabric8.kubernetes.api.model.PodStatusBuilder()
                      .withPodIP("127.0.0.1")
                      .addNewCondition()
                      .withType("Ready")
                      .withStatus("True")
                      .endCondition()
                      .build());
              return x;
            });
    deletions.add(() -> client.pods().inNamespace(NS).withName(name).delete());
  }

  /**
   * Plays the kubelet for the container's volumes: writes each key of a mounted Secret (read from
   * the API server) as a file under {@code root}, and moves environment values under a mount path
   * to the local directory; emptyDir scratch space needs nothing. Other volume kinds fail the test,
   * as does a missing Secret (a kubelet would keep the pod from starting).
   */
  private void mountSecrets(Container c, Deployment dep, Path root, Map<String, String> env)
      throws IOException {
    Map<String, Volume> volumes = new LinkedHashMap<>();
    for (Volume v : dep.getSpec().getTemplate().getSpec().getVolumes()) {
      volumes.put(v.getName(), v);
    }
    for (VolumeMount m : c.getVolumeMounts()) {
      Volume v = volumes.get(m.getName());
      assertNotNull(v, "volumeMount " + m.getName() + " names no volume of the pod");
      if (v.getEmptyDir() != null && m.getSubPath() == null) {
        continue; // scratch space (/tmp of a read-only root): the local process has its own
      }
      if (v.getSecret() == null || m.getSubPath() != null) {
        fail("the test cannot play the kubelet for volume " + v + " mounted as " + m);
      }
      String name = v.getSecret().getSecretName();
      Secret secret = client.secrets().inNamespace(NS).withName(name).get();
      assertNotNull(secret, "Secret " + NS + "/" + name + " of volume " + v.getName() + " missing");
      Path dir = root.resolve(v.getName());
      Files.createDirectories(dir);
      for (Map.Entry<String, String> e : secret.getData().entrySet()) {
        Files.write(dir.resolve(e.getKey()), Base64.getDecoder().decode(e.getValue()));
      }
      String mountPath = m.getMountPath().endsWith("/") ? m.getMountPath() : m.getMountPath() + "/";
      env.replaceAll(
          (k, value) ->
              value.startsWith(mountPath)
                  ? dir.resolve(value.substring(mountPath.length())).toString()
                  : value);
    }
  }

  private ChildProcess startUas(String name, Path work, Path scenario, int port)
      throws InterruptedException {
    ChildProcess p =
        track(
            Sipp.start(name, work.resolve(name), Sipp.command(scenario, null, port, true, "-aa")));
    awaitOrFail(
        name + " answering OPTIONS on " + port,
        Duration.ofSeconds(20),
        p,
        () -> SipProbe.options("127.0.0.1", port, Duration.ofMillis(300)) == 200);
    return p;
  }

  /**
   * The container's environment as a kubelet would give it: values, and the downward API fields the
   * operator uses (the namespace, the pod's IP: 127.0.0.1 here, its name).
   */
  private static Map<String, String> containerEnv(Container c, Deployment dep) {
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvVar e : c.getEnv()) {
      if (e.getValueFrom() == null) {
        env.put(e.getName(), e.getValue() == null ? "" : e.getValue());
        continue;
      }
      if (e.getValueFrom().getFieldRef() == null) {
        fail("the test cannot play the kubelet for env " + e);
      }
      String field = e.getValueFrom().getFieldRef().getFieldPath();
      switch (field) {
        case "metadata.namespace" -> env.put(e.getName(), dep.getMetadata().getNamespace());
        case "metadata.name" -> env.put(e.getName(), dep.getMetadata().getName() + "-e2e");
        case "status.podIP", "status.hostIP" -> env.put(e.getName(), "127.0.0.1");
        case "spec.nodeName" -> env.put(e.getName(), "localhost");
        default -> fail("the test cannot play the kubelet for fieldRef " + field);
      }
    }
    return env;
  }

  interface Check {
    boolean ok() throws Exception;
  }

  /** Polls until the check holds; fails at the deadline or when the process exits. */
  private static void awaitOrFail(String what, Duration within, ChildProcess p, Check check)
      throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    Exception last = null;
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        fail(
            "waiting for "
                + what
                + ": "
                + p
                + " exited with "
                + p.awaitExit(Duration.ZERO)
                + ":\n"
                + p.logTail(40));
      }
      try {
        if (check.ok()) {
          return;
        }
      } catch (Exception e) {
        last = e;
      }
      Thread.sleep(100);
    }
    fail(
        "not within "
            + within.toSeconds()
            + " s: "
            + what
            + " ("
            + last
            + "); "
            + p
            + ":\n"
            + p.logTail(40));
  }

  private static int httpStatus(String url) {
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
      return http.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private static String configText(ConfigMap c) {
    return c == null || c.getData() == null ? "" : c.getData().getOrDefault("config.yaml", "");
  }

  /**
   * The time of the first log line containing {@code text} (the runtime logs {@code HH:mm:ss.SSS},
   * local time), taken on the day that puts it nearest to {@code near}; null when absent.
   */
  static Instant logTime(String log, String text, Instant near) {
    for (String line : log.split("\n")) {
      if (line.contains(text) && line.length() >= 12) {
        try {
          LocalTime t = LocalTime.parse(line.substring(0, 12), LOG_TIME);
          ZoneId zone = ZoneId.systemDefault();
          LocalDate day = near.atZone(zone).toLocalDate();
          Instant best = null;
          for (LocalDate d : List.of(day.minusDays(1), day, day.plusDays(1))) {
            Instant i = ZonedDateTime.of(d, t, zone).toInstant();
            if (best == null
                || Duration.between(i, near).abs().compareTo(Duration.between(best, near).abs())
                    < 0) {
              best = i;
            }
          }
          return best;
        } catch (RuntimeException e) {
          return null;
        }
      }
    }
    return null;
  }

  /** "+N ms" from {@code from} to {@code to}, or "not seen". */
  private static String since(Instant from, Instant to) {
    return to == null ? "not seen" : "+" + ms(from, to) + " ms";
  }

  private static long ms(Instant from, Instant to) {
    return Duration.between(from, to).toMillis();
  }

  static boolean onPath(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
