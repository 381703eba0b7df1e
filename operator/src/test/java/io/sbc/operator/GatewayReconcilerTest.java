package io.sbc.operator;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.sbc.api.ConfigReader;
import io.sbc.api.Configuration;
import io.sbc.api.Defaults;
import io.sbc.api.SipGateway;
import io.sbc.api.status.Condition;
import io.sbc.operator.crd.SipDispatcherResource;
import io.sbc.operator.crd.SipGatewayResource;
import io.sbc.operator.crd.SipRouteResource;
import io.sbc.operator.model.GatewayResolution;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operator against the fabric8 mock API server (CRUD mode): objects made for a gateway
 * (compared with golden files), statuses, references, and quiet second reconciliations.
 */
@QuarkusTest
@WithKubernetesTestServer
class GatewayReconcilerTest {
  static {
    // A status or list the operator has not written yet reads as null while a wait polls it:
    // retried like a failed assertion until the wait's limit, not an end of the wait.
    org.awaitility.Awaitility.ignoreExceptionsByDefault();
  }

  static final String NS = "sbc-test";
  static final Path GOLDEN = Path.of("src/test/resources/golden");

  @Inject KubernetesClient client;

  @io.quarkus.test.kubernetes.client.KubernetesTestServer
  io.quarkus.test.kubernetes.client.KubernetesServer mockServer;

  @BeforeEach
  void namespace() {
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
        .createOr(n -> n.update());
  }

  private <T extends HasMetadata> T load(Class<T> type, String resource) throws Exception {
    T r = Serialization.unmarshal(getClass().getResourceAsStream(resource), type);
    r.getMetadata().setNamespace(NS);
    return r;
  }

  private SipGatewayResource gateway(String name) {
    return client.resources(SipGatewayResource.class).inNamespace(NS).withName(name).get();
  }

  private static Condition condition(List<Condition> cs, String type) {
    return cs == null
        ? null
        : cs.stream().filter(c -> type.equals(c.type)).findFirst().orElse(null);
  }

  @Test
  void exampleGatewayGetsItsObjectsAndBecomesProgrammed() throws Exception {
    client.resource(load(SipDispatcherResource.class, "/cr/pbx-pool.yaml")).create();
    client.resource(load(SipRouteResource.class, "/cr/to-pbx-pool.yaml")).create();
    client.resource(load(SipGatewayResource.class, "/cr/edge.yaml")).create();

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              SipGatewayResource gw = gateway("edge");
              assertNotNull(gw.getStatus());
              Condition p = condition(gw.getStatus().conditions, "Programmed");
              assertEquals("False", p.status);
              assertEquals("AddressNotAssigned", p.reason);
            });
    SipGatewayResource gw = gateway("edge");
    assertEquals("True", condition(gw.getStatus().conditions, "Accepted").status);
    assertEquals("True", condition(gw.getStatus().conditions, "ResolvedRefs").status);
    assertEquals(1, gw.getStatus().attachedRoutes);

    ConfigMap cm = client.configMaps().inNamespace(NS).withName("edge-sbc-config").get();
    Deployment dep = client.apps().deployments().inNamespace(NS).withName("edge-sbc").get();
    Service svc = client.services().inNamespace(NS).withName("edge-sbc").get();
    assertEquals(gw.getMetadata().getUid(), dep.getMetadata().getOwnerReferences().get(0).getUid());
    golden("edge-configmap.yaml", cm);
    golden("edge-deployment.yaml", dep);
    golden("edge-service.yaml", svc);
    // every replica reads the same sealing secret: 32 random bytes in a Secret of the gateway
    Secret sealing = client.secrets().inNamespace(NS).withName("edge-sealing").get();
    assertNotNull(sealing, "no Secret edge-sealing");
    assertEquals(32, secretBytes(sealing, "secret").length);
    assertEquals(Set.of("secret"), sealing.getData().keySet());
    assertEquals(
        gw.getMetadata().getUid(), sealing.getMetadata().getOwnerReferences().get(0).getUid());
    assertEquals(
        "sbc-operator", sealing.getMetadata().getLabels().get("app.kubernetes.io/managed-by"));
    assertMountsSealingSecret(dep, "edge-sealing");
    assertNotNull(client.serviceAccounts().inNamespace(NS).withName("edge-sbc").get());
    assertNotNull(client.resources(Role.class).inNamespace(NS).withName("edge-sbc").get());
    assertNotNull(client.resources(RoleBinding.class).inNamespace(NS).withName("edge-sbc").get());
    assertNotNull(
        client.resources(PodDisruptionBudget.class).inNamespace(NS).withName("edge-sbc").get());
    HorizontalPodAutoscaler hpa =
        client.resources(HorizontalPodAutoscaler.class).inNamespace(NS).withName("edge-sbc").get();
    assertNotNull(hpa);
    golden("edge-hpa.yaml", hpa);

    // what the runtime reads: accepted by sbc-api's reader, with the route and its dispatcher
    Configuration config =
        ConfigReader.read("config.yaml", cm.getData().get(GatewayResolution.CONFIG_KEY));
    assertEquals(1, config.gateways().size());
    assertEquals(
        List.of("to-pbx-pool"), config.routes().stream().map(r -> r.metadata.name).toList());
    assertEquals(
        List.of("pbx-pool"), config.dispatchers().stream().map(d -> d.metadata.name).toList());

    // the load balancer gets its address: Programmed, with the address in the status
    client
        .services()
        .inNamespace(NS)
        .withName("edge-sbc")
        .editStatus(
            s -> {
              s.setStatus(
                  new ServiceStatusBuilder()
                      .withNewLoadBalancer()
                      .withIngress(new LoadBalancerIngressBuilder().withIp("203.0.113.10").build())
                      .endLoadBalancer()
                      .build());
              return s;
            });
    // an address, but no pod ready yet (the mock runs none): not Programmed
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              Condition p = condition(gateway("edge").getStatus().conditions, "Programmed");
              assertEquals("False", p.status);
              assertEquals("Pending", p.reason);
              assertTrue(p.message.contains("0 of 2 replica(s)"), p.message);
            });
    markReady("edge-sbc", 2);
    // ready, but the replicas have not said that they run this configuration: still Pending
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              Condition p = condition(gateway("edge").getStatus().conditions, "Programmed");
              assertEquals("Pending", p.reason);
              assertTrue(p.message.contains("0 of 2 replica(s) run the current configuration"));
            });
    // two pods whose runtime still runs an older configuration: Pending, naming them
    RuntimeStatusServer runtime = new RuntimeStatusServer("edge-sbc-config");
    runtime.lagging = true;
    runPods("edge", 2, runtime);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              Condition p = condition(gateway("edge").getStatus().conditions, "Programmed");
              assertEquals("Pending", p.reason);
              assertTrue(
                  p.message.startsWith(
                      "0 of 2 replica(s) run the current configuration (pod"
                          + " edge-sbc-pod-0 runs configuration 000000000000"),
                  p.message);
            });
    // they apply it (the operator looks again by itself: a reload is no event it sees)
    runtime.lagging = false;
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              SipGatewayResource g = gateway("edge");
              Condition p = condition(g.getStatus().conditions, "Programmed");
              assertEquals("True", p.status, p.message);
              assertTrue(p.message.contains("2 replica(s) ready and running it"), p.message);
              assertEquals("203.0.113.10", g.getStatus().addresses.get(0).value);
              // and the pods advertise it, not their own address
              Deployment rolled =
                  client.apps().deployments().inNamespace(NS).withName("edge-sbc").get();
              assertEquals(
                  "203.0.113.10",
                  env(
                          rolled.getSpec().getTemplate().getSpec().getContainers().get(0),
                          Defaults.ADVERTISED_ADDRESS_ENV)
                      .orElseThrow()
                      .getValue());
            });

    // route and dispatcher statuses
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              SipRouteResource r =
                  client
                      .resources(SipRouteResource.class)
                      .inNamespace(NS)
                      .withName("to-pbx-pool")
                      .get();
              assertNotNull(r.getStatus());
              assertEquals("edge", r.getStatus().parents.get(0).parentRef.name);
              assertEquals(
                  "True", condition(r.getStatus().parents.get(0).conditions, "Accepted").status);
              assertEquals(
                  "True",
                  condition(r.getStatus().parents.get(0).conditions, "ResolvedRefs").status);
              SipDispatcherResource d =
                  client
                      .resources(SipDispatcherResource.class)
                      .inNamespace(NS)
                      .withName("pbx-pool")
                      .get();
              assertNotNull(d.getStatus());
              assertEquals(2, d.getStatus().destinations);
              assertEquals(1, d.getStatus().referencingRoutes);
              assertEquals("True", condition(d.getStatus().conditions, "Ready").status);
            });

    // a second reconciliation of unchanged resources writes nothing (the Secret neither)
    Map<String, String> before = versions();
    byte[] secretBefore =
        secretBytes(client.secrets().inNamespace(NS).withName("edge-sealing").get(), "secret");
    client
        .resources(SipDispatcherResource.class)
        .inNamespace(NS)
        .withName("pbx-pool")
        .edit(
            d -> {
              d.getMetadata().setAnnotations(Map.of("touched", "yes"));
              return d;
            });
    Thread.sleep(2000);
    assertEquals(before, versions());
    assertArrayEquals(
        secretBefore,
        secretBytes(client.secrets().inNamespace(NS).withName("edge-sealing").get(), "secret"));
  }

  private Map<String, String> versions() {
    return Map.of(
        "gateway", gateway("edge").getMetadata().getResourceVersion(),
        "configmap",
            client
                .configMaps()
                .inNamespace(NS)
                .withName("edge-sbc-config")
                .get()
                .getMetadata()
                .getResourceVersion(),
        "deployment",
            client
                .apps()
                .deployments()
                .inNamespace(NS)
                .withName("edge-sbc")
                .get()
                .getMetadata()
                .getResourceVersion(),
        "service",
            client
                .services()
                .inNamespace(NS)
                .withName("edge-sbc")
                .get()
                .getMetadata()
                .getResourceVersion(),
        "route",
            client
                .resources(SipRouteResource.class)
                .inNamespace(NS)
                .withName("to-pbx-pool")
                .get()
                .getMetadata()
                .getResourceVersion(),
        "secret",
            client
                .secrets()
                .inNamespace(NS)
                .withName("edge-sealing")
                .get()
                .getMetadata()
                .getResourceVersion());
  }

  /**
   * The sealing Secret is made once: later reconciliations neither regenerate nor overwrite it (a
   * user's rotation stays), and its contents never reach the pod template (no rolling restart).
   */
  @Test
  void sealingSecretIsMadeOnceAndNeverOverwritten() throws Exception {
    SipGatewayResource gw = load(SipGatewayResource.class, "/cr/edge.yaml");
    gw.getMetadata().setName("rotate");
    gw.getSpec().autoscaling = null;
    gw.getSpec().replicas = 2;
    client.resource(gw).create();
    Deployment first = awaitDeployment("rotate-sbc", 2);
    Secret made = client.secrets().inNamespace(NS).withName("rotate-sealing").get();
    assertNotNull(made, "no Secret rotate-sealing once the Deployment exists");
    byte[] secret = secretBytes(made, "secret");
    assertEquals(32, secret.length);
    assertMountsSealingSecret(first, "rotate-sealing");

    // a reconciliation for a spec change keeps the same Secret, untouched
    scale("rotate", 3);
    Deployment second = awaitDeployment("rotate-sbc", 3);
    Secret kept = client.secrets().inNamespace(NS).withName("rotate-sealing").get();
    assertArrayEquals(secret, secretBytes(kept, "secret"));
    assertEquals(made.getMetadata().getResourceVersion(), kept.getMetadata().getResourceVersion());
    assertEquals(template(first), template(second));

    // the user rotates: the old secret becomes "previous", a new one "secret"
    String rotated = "a new secret of the user, 32 by.";
    client
        .secrets()
        .inNamespace(NS)
        .withName("rotate-sealing")
        .edit(
            x -> {
              x.setData(
                  Map.of(
                      "secret",
                      Base64.getEncoder().encodeToString(rotated.getBytes(StandardCharsets.UTF_8)),
                      "previous",
                      Base64.getEncoder().encodeToString(secret)));
              return x;
            });
    scale("rotate", 4);
    Deployment third = awaitDeployment("rotate-sbc", 4);
    Secret afterRotation = client.secrets().inNamespace(NS).withName("rotate-sealing").get();
    assertEquals(rotated, new String(secretBytes(afterRotation, "secret"), StandardCharsets.UTF_8));
    assertArrayEquals(secret, secretBytes(afterRotation, "previous"));
    assertEquals(template(first), template(third), "the pod template must not follow the Secret");
  }

  /** A Secret of the gateway's name made beforehand (a restored backup) is used as it is. */
  @Test
  void anExistingSealingSecretIsUsedAsItIs() throws Exception {
    String restored = "restored from a backup, 32 bytes";
    client
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("restored-sealing")
                .withNamespace(NS)
                .endMetadata()
                .withData(
                    Map.of(
                        "secret",
                        Base64.getEncoder()
                            .encodeToString(restored.getBytes(StandardCharsets.UTF_8))))
                .build())
        .create();
    SipGatewayResource gw = load(SipGatewayResource.class, "/cr/edge.yaml");
    gw.getMetadata().setName("restored");
    gw.getSpec().autoscaling = null;
    client.resource(gw).create();
    Deployment dep = awaitDeployment("restored-sbc", 2);
    assertMountsSealingSecret(dep, "restored-sealing");
    Secret s = client.secrets().inNamespace(NS).withName("restored-sealing").get();
    assertEquals(restored, new String(secretBytes(s, "secret"), StandardCharsets.UTF_8));
  }

  /** A gateway with its own spec.sealing gets no Secret and no mount: its configuration rules. */
  @Test
  void gatewayWithItsOwnSealingGetsNoSecret() throws Exception {
    SipGatewayResource gw = load(SipGatewayResource.class, "/cr/edge.yaml");
    gw.getMetadata().setName("own-sealing");
    gw.getSpec().autoscaling = null;
    gw.getSpec().sealing = new SipGateway.Sealing();
    gw.getSpec().sealing.secret = "the user's own sealing secret 123";
    client.resource(gw).create();
    // the Secret would have been made before the workflow wrote the Deployment
    Deployment dep = awaitDeployment("own-sealing-sbc", 2);
    assertNull(client.secrets().inNamespace(NS).withName("own-sealing-sealing").get());
    Container sbc = dep.getSpec().getTemplate().getSpec().getContainers().get(0);
    // No sealing volume: only the /tmp of the read-only root filesystem.
    assertEquals(
        List.of("tmp"),
        dep.getSpec().getTemplate().getSpec().getVolumes().stream().map(v -> v.getName()).toList());
    assertEquals(
        List.of("/tmp"), sbc.getVolumeMounts().stream().map(m -> m.getMountPath()).toList());
    assertEquals(Optional.empty(), env(sbc, Defaults.SEALING_SECRET_FILE_ENV));
    assertEquals(Optional.empty(), env(sbc, Defaults.SEALING_PREVIOUS_SECRET_FILE_ENV));
    assertEquals(
        "status.podIP",
        env(sbc, Defaults.ADVERTISED_ADDRESS_ENV)
            .orElseThrow()
            .getValueFrom()
            .getFieldRef()
            .getFieldPath());
    Configuration config =
        ConfigReader.read(
            "config.yaml",
            client
                .configMaps()
                .inNamespace(NS)
                .withName("own-sealing-sbc-config")
                .get()
                .getData()
                .get(GatewayResolution.CONFIG_KEY));
    assertEquals("the user's own sealing secret 123", config.gateways().get(0).spec.sealing.secret);
  }

  /**
   * Changes the gateway's replicas once its status is written for its generation (the operator's
   * status patch and this edit would otherwise race; 409s are retried).
   */
  private void scale(String gateway, int replicas) {
    editWhenSettled(gateway, g -> g.getSpec().replicas = replicas);
  }

  /** Edits the gateway once its status for its generation is written, retrying 409s. */
  private void editWhenSettled(String gateway, java.util.function.Consumer<SipGatewayResource> c) {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              SipGatewayResource g = gateway(gateway);
              return g.getStatus() != null
                  && g.getStatus().conditions != null
                  && !g.getStatus().conditions.isEmpty()
                  && g.getStatus().conditions.stream()
                      .allMatch(x -> g.getMetadata().getGeneration().equals(x.observedGeneration));
            });
    await()
        .atMost(Duration.ofSeconds(10))
        .ignoreException(KubernetesClientException.class)
        .until(
            () ->
                client
                        .resources(SipGatewayResource.class)
                        .inNamespace(NS)
                        .withName(gateway)
                        .edit(
                            g -> {
                              c.accept(g);
                              return g;
                            })
                    != null);
  }

  private Deployment awaitDeployment(String name, int replicas) {
    return await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> client.apps().deployments().inNamespace(NS).withName(name).get(),
            d -> d != null && d.getSpec().getReplicas() == replicas);
  }

  private static String template(Deployment d) {
    PodTemplateSpec t = d.getSpec().getTemplate();
    return Serialization.asYaml(t);
  }

  private static byte[] secretBytes(Secret s, String key) {
    String b64 = s.getData().get(key);
    assertNotNull(b64, "no key " + key + " in Secret " + s.getMetadata().getName());
    return Base64.getDecoder().decode(b64);
  }

  private static Optional<EnvVar> env(Container c, String name) {
    return c.getEnv().stream().filter(e -> name.equals(e.getName())).findFirst();
  }

  /**
   * The SBC container reads the sealing Secret from a read-only mount whose files the runtime's
   * environment names, and advertises the pod's address on wildcard listeners.
   */
  static void assertMountsSealingSecret(Deployment dep, String secretName) {
    var pod = dep.getSpec().getTemplate().getSpec();
    var volume =
        pod.getVolumes().stream()
            .filter(v -> v.getSecret() != null && secretName.equals(v.getSecret().getSecretName()))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no volume of Secret " + secretName));
    Container sbc = pod.getContainers().get(0);
    assertEquals("sbc", sbc.getName());
    var mount =
        sbc.getVolumeMounts().stream()
            .filter(m -> volume.getName().equals(m.getName()))
            .findFirst()
            .orElseThrow(() -> new AssertionError("volume " + volume.getName() + " not mounted"));
    assertTrue(mount.getReadOnly(), "the sealing Secret is mounted read-only");
    assertEquals(null, mount.getSubPath(), "no subPath: the kubelet would not update the files");
    assertEquals(
        mount.getMountPath() + "/secret",
        env(sbc, Defaults.SEALING_SECRET_FILE_ENV).orElseThrow().getValue());
    assertEquals(
        mount.getMountPath() + "/previous",
        env(sbc, Defaults.SEALING_PREVIOUS_SECRET_FILE_ENV).orElseThrow().getValue());
    assertEquals(
        "status.podIP",
        env(sbc, Defaults.ADVERTISED_ADDRESS_ENV)
            .orElseThrow()
            .getValueFrom()
            .getFieldRef()
            .getFieldPath());
  }

  /**
   * TLS listeners name their certificate Secrets (Gateway API certificateRefs): each is mounted
   * read-only and optional where the runtime reads it; a listener whose Secret is missing or holds
   * no certificate is reported in its own status (ResolvedRefs False, InvalidCertificateRef) and
   * the gateway and its other listeners carry on.
   */
  @Test
  void tlsListenersMountTheirSecretsAndAMissingOneIsReportedAlone() throws Exception {
    client
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("sbc-cert")
                .withNamespace(NS)
                .endMetadata()
                .withType("kubernetes.io/tls")
                .addToData(
                    "tls.crt",
                    b64("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"))
                .addToData(
                    "tls.key",
                    b64("-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n"))
                .build())
        .create();
    client
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("not-a-cert")
                .withNamespace(NS)
                .endMetadata()
                .addToData("password", b64("x"))
                .build())
        .create();
    SipGatewayResource gw = load(SipGatewayResource.class, "/cr/edge.yaml");
    gw.getMetadata().setName("tls");
    gw.getSpec().autoscaling = null;
    gw.getSpec().listeners.add(tlsListener("tls", 5061, "sbc-cert"));
    gw.getSpec().listeners.add(tlsListener("tls-missing", 5062, "no-such-secret"));
    gw.getSpec().listeners.add(tlsListener("tls-invalid", 5063, "not-a-cert"));
    client.resource(gw).create();

    Deployment dep = awaitDeployment("tls-sbc", 2);
    var pod = dep.getSpec().getTemplate().getSpec();
    for (String secret : List.of("sbc-cert", "no-such-secret", "not-a-cert")) {
      var volume =
          pod.getVolumes().stream()
              .filter(v -> v.getSecret() != null && secret.equals(v.getSecret().getSecretName()))
              .findFirst()
              .orElseThrow(() -> new AssertionError("no volume of Secret " + secret));
      assertTrue(volume.getSecret().getOptional(), "optional: a missing Secret keeps the pod up");
      var mount =
          pod.getContainers().get(0).getVolumeMounts().stream()
              .filter(m -> m.getName().equals(volume.getName()))
              .findFirst()
              .orElseThrow();
      assertEquals(Defaults.TLS_CERTIFICATES_DIR + "/" + secret, mount.getMountPath());
      assertTrue(mount.getReadOnly());
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              var st = gateway("tls").getStatus();
              assertNotNull(st);
              assertEquals("True", condition(st.conditions, "Accepted").status);
              Map<String, List<Condition>> byListener = new java.util.HashMap<>();
              st.listeners.forEach(l -> byListener.put(l.name, l.conditions));
              assertEquals("True", condition(byListener.get("tls"), "ResolvedRefs").status);
              Condition missing = condition(byListener.get("tls-missing"), "ResolvedRefs");
              assertEquals("False", missing.status);
              assertEquals("InvalidCertificateRef", missing.reason);
              assertTrue(missing.message.contains("no-such-secret not found"), missing.message);
              Condition invalid = condition(byListener.get("tls-invalid"), "ResolvedRefs");
              assertEquals("False", invalid.status);
              assertEquals("InvalidCertificateRef", invalid.reason);
              assertTrue(invalid.message.contains("tls.crt"), invalid.message);
              // The UDP listener of the example has no certificate to resolve.
              assertNull(
                  condition(byListener.get(gw.getSpec().listeners.get(0).name), "ResolvedRefs"));
            });
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.US_ASCII));
  }

  private static SipGateway.Listener tlsListener(String name, int port, String secret) {
    SipGateway.Listener l = new SipGateway.Listener();
    l.name = name;
    l.protocol = "SIP-TLS";
    l.port = port;
    l.tls = new io.sbc.api.Tls.Listener();
    io.sbc.api.Tls.CertificateRef r = new io.sbc.api.Tls.CertificateRef();
    r.name = secret;
    l.tls.certificateRefs.add(r);
    return l;
  }

  @Test
  void missingReferencesAreNamedInTheStatus() throws Exception {
    RuntimeStatusServer refsRuntime = new RuntimeStatusServer("refs-sbc-config");
    SipGatewayResource gw = load(SipGatewayResource.class, "/cr/edge.yaml");
    gw.getMetadata().setName("refs");
    gw.getSpec().autoscaling = null;
    gw.getSpec().listeners.get(0).advertisedAddress = "198.51.100.7";
    client.resource(gw).create();
    SipRouteResource route = load(SipRouteResource.class, "/cr/broken-route.yaml");
    client.resource(route).create();

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              SipRouteResource r =
                  client.resources(SipRouteResource.class).inNamespace(NS).withName("broken").get();
              assertNotNull(r.getStatus());
              assertEquals(2, r.getStatus().parents.size());
              var refs = r.getStatus().parents.get(0);
              assertEquals("refs", refs.parentRef.name);
              assertEquals("True", condition(refs.conditions, "Accepted").status);
              Condition rr = condition(refs.conditions, "ResolvedRefs");
              assertEquals("False", rr.status);
              assertEquals("BackendNotFound", rr.reason);
              assertTrue(rr.message.contains("nowhere"), rr.message);
              var missing = r.getStatus().parents.get(1);
              Condition acc = condition(missing.conditions, "Accepted");
              assertEquals("False", acc.status);
              assertEquals("NoMatchingParent", acc.reason);
              assertTrue(acc.message.contains("missing-gateway"), acc.message);
            });
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              SipGatewayResource g = gateway("refs");
              Condition rr = condition(g.getStatus().conditions, "ResolvedRefs");
              assertEquals("False", rr.status);
              assertTrue(rr.message.contains("nowhere"), rr.message);
              // advertised address given: programmed without a load balancer address
              Deployment d = client.apps().deployments().inNamespace(NS).withName("refs-sbc").get();
              assertNotNull(d);
              markReady("refs-sbc", d.getSpec().getReplicas());
              runPods("refs", d.getSpec().getReplicas(), refsRuntime);
              assertEquals("True", condition(g.getStatus().conditions, "Programmed").status);
              assertEquals("198.51.100.7", g.getStatus().addresses.get(0).value);
            });
    // the rule without a backend answers 500; the runtime's reader accepts the configuration
    String yaml =
        client
            .configMaps()
            .inNamespace(NS)
            .withName("refs-sbc-config")
            .get()
            .getData()
            .get("config.yaml");
    Configuration config = ConfigReader.read("config.yaml", yaml);
    assertEquals(500, config.routes().get(0).spec.rules.get(0).reject.statusCode);

    // the dispatcher appears: the route resolves, the gateway's configuration gets it
    SipDispatcherResource d = load(SipDispatcherResource.class, "/cr/pbx-pool.yaml");
    d.getMetadata().setName("nowhere");
    client.resource(d).create();
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              SipRouteResource r =
                  client.resources(SipRouteResource.class).inNamespace(NS).withName("broken").get();
              assertEquals(
                  "True",
                  condition(r.getStatus().parents.get(0).conditions, "ResolvedRefs").status);
              String y =
                  client
                      .configMaps()
                      .inNamespace(NS)
                      .withName("refs-sbc-config")
                      .get()
                      .getData()
                      .get("config.yaml");
              Configuration c = ConfigReader.read("config.yaml", y);
              assertEquals(1, c.dispatchers().size());
              assertNull(c.routes().get(0).spec.rules.get(0).reject);
            });
  }

  @Test
  void mediaSidecarRunsRtpengineBesideTheSbc() throws Exception {
    client.resource(load(SipGatewayResource.class, "/cr/media.yaml")).create();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> client.apps().deployments().inNamespace(NS).withName("media-sbc").get() != null);
    golden(
        "media-deployment.yaml",
        client.apps().deployments().inNamespace(NS).withName("media-sbc").get());
  }

  /** Compares an object (without what the server sets) with its golden file. */
  static void golden(String file, HasMetadata o) throws Exception {
    ObjectMeta m = o.getMetadata();
    m.setUid(null);
    m.setResourceVersion(null);
    m.setCreationTimestamp(null);
    m.setGeneration(null);
    m.setManagedFields(null);
    m.getOwnerReferences().forEach(r -> r.setUid(null));
    if (o instanceof Service s) {
      s.setStatus(null);
    }
    if (o instanceof Deployment d) {
      d.setStatus(null);
    }
    String actual = Serialization.asYaml(o);
    Path f = GOLDEN.resolve(file);
    if (Boolean.getBoolean("sbc.golden.update")) {
      Files.createDirectories(GOLDEN);
      Files.writeString(f, actual);
    }
    // a missing golden file is a failure, never written quietly: it would pass whatever came out
    assertTrue(
        Files.exists(f),
        "no golden file "
            + f
            + ": write it with -Dsbc.golden.update=true and review it; got:\n"
            + actual);
    assertEquals(Files.readString(f), actual, file + " (update with -Dsbc.golden.update=true)");
  }

  /** The names of the routes in a gateway's ConfigMap; empty while there is none. */
  private Set<String> routesServedBy(String gateway) throws Exception {
    ConfigMap cm = client.configMaps().inNamespace(NS).withName(gateway + "-sbc-config").get();
    if (cm == null) {
      return Set.of();
    }
    Configuration c =
        ConfigReader.read("config.yaml", cm.getData().get(GatewayResolution.CONFIG_KEY));
    return c.routes().stream()
        .map(r -> r.metadata.name)
        .collect(java.util.stream.Collectors.toSet());
  }

  /**
   * Two routes with the same match on one gateway: the older keeps it, the newer is reported
   * (Accepted=False, Conflicted, naming the older) and left out; once the older one is deleted the
   * newer one is served, without any change to it or to the gateway.
   */
  @Test
  void theOlderOfTwoConflictingRoutesWinsAndTheOtherIsReported() throws Exception {
    client.resource(plainGateway("rivals")).create();
    SipRouteResource older = uriRoute("z-older", "rivals", "sip:10.0.0.5:5060");
    older.getMetadata().setCreationTimestamp("2026-11-01T10:00:00Z");
    client.resource(older).create();
    Thread.sleep(1100); // a later creationTimestamp, also where the server sets it to the second
    SipRouteResource newer = uriRoute("a-newer", "rivals", "sip:10.0.0.6:5060");
    newer.getMetadata().setCreationTimestamp("2026-12-01T10:00:00Z");
    client.resource(newer).create();
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              Condition a = routeAccepted("a-newer");
              assertEquals("False", a.status);
              assertEquals("Conflicted", a.reason);
              assertTrue(a.message.contains("SipRoute z-older, which is older"), a.message);
              assertEquals("True", routeAccepted("z-older").status);
              assertEquals(Set.of("z-older"), routesServedBy("rivals"));
            });
    client.resources(SipRouteResource.class).inNamespace(NS).withName("z-older").delete();
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              assertEquals("True", routeAccepted("a-newer").status);
              assertEquals(Set.of("a-newer"), routesServedBy("rivals"));
            });
  }

  /**
   * A write the API server refuses (here the namespace's quota, as kube-apiserver words it) reaches
   * the gateway's status through the error status handler: Programmed=False, NoResources, naming
   * the object and the server's message.
   */
  @Test
  void aWriteTheApiServerRefusesIsNamedInTheStatus() throws Exception {
    String ns = "sbc-quota";
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
        .createOr(n -> n.update());
    String refusal =
        "deployments.apps \"quota-sbc\" is forbidden: exceeded quota: compute, requested:"
            + " limits.memory=1Gi, used: limits.memory=7Gi, limited: limits.memory=8Gi";
    mockServer
        .expect()
        .post()
        .withPath("/apis/apps/v1/namespaces/" + ns + "/deployments")
        .andReturn(
            403,
            new io.fabric8.kubernetes.api.model.StatusBuilder()
                .withStatus("Failure")
                .withCode(403)
                .withReason("Forbidden")
                .withMessage(refusal)
                .build())
        .always();
    SipGatewayResource gw = plainGateway("quota");
    gw.getMetadata().setNamespace(ns);
    client.resource(gw).create();
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              SipGatewayResource g =
                  client
                      .resources(SipGatewayResource.class)
                      .inNamespace(ns)
                      .withName("quota")
                      .get();
              Condition p = condition(g.getStatus().conditions, "Programmed");
              assertEquals("False", p.status);
              assertEquals("NoResources", p.reason);
              assertTrue(
                  p.message.contains(
                      "Deployment: the API server refused the write: HTTP 403: " + refusal),
                  p.message);
            });
    assertNull(client.apps().deployments().inNamespace(ns).withName("quota-sbc").get());
  }

  private SipRouteResource uriRoute(String name, String gateway, String uri) throws Exception {
    SipRouteResource route = load(SipRouteResource.class, "/cr/to-pbx-pool.yaml");
    route.getMetadata().setName(name);
    route.getSpec().parentRefs.get(0).name = gateway;
    route.getSpec().rules.get(0).backendRefs.get(0).kind = null;
    route.getSpec().rules.get(0).backendRefs.get(0).name = null;
    route.getSpec().rules.get(0).backendRefs.get(0).uri = uri;
    return route;
  }

  private Condition routeAccepted(String route) {
    return condition(
        client
            .resources(SipRouteResource.class)
            .inNamespace(NS)
            .withName(route)
            .get()
            .getStatus()
            .parents
            .get(0)
            .conditions,
        "Accepted");
  }

  private SipGatewayResource plainGateway(String name) throws Exception {
    SipGatewayResource gw = load(SipGatewayResource.class, "/cr/edge.yaml");
    gw.getMetadata().setName(name);
    gw.getSpec().autoscaling = null;
    return gw;
  }

  /**
   * A route moved from one gateway to another leaves the first one's configuration and enters the
   * second's; deleted, it leaves the second's. The route's status follows it.
   */
  @Test
  void aRouteMovedToAnotherGatewayLeavesTheFirst() throws Exception {
    client.resource(plainGateway("move-a")).create();
    client.resource(plainGateway("move-b")).create();
    SipRouteResource route = load(SipRouteResource.class, "/cr/to-pbx-pool.yaml");
    route.getMetadata().setName("moving");
    route.getSpec().parentRefs.get(0).name = "move-a";
    route.getSpec().rules.get(0).backendRefs.get(0).kind = null;
    route.getSpec().rules.get(0).backendRefs.get(0).name = null;
    route.getSpec().rules.get(0).backendRefs.get(0).uri = "sip:10.0.0.5:5060";
    client.resource(route).create();
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              assertTrue(routesServedBy("move-a").contains("moving"), "served by A");
              assertTrue(routesServedBy("move-b").isEmpty(), "B has none");
            });

    SipRouteResource current =
        client.resources(SipRouteResource.class).inNamespace(NS).withName("moving").get();
    current.getSpec().parentRefs.get(0).name = "move-b";
    client.resource(current).update();
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              assertTrue(routesServedBy("move-b").contains("moving"), "served by B");
              assertTrue(routesServedBy("move-a").isEmpty(), "gone from A");
              SipRouteResource r =
                  client.resources(SipRouteResource.class).inNamespace(NS).withName("moving").get();
              assertEquals(
                  List.of("move-b"),
                  r.getStatus().parents.stream().map(p -> p.parentRef.name).toList(),
                  "the route's status names its new parent only");
              assertEquals(0, gateway("move-a").getStatus().attachedRoutes);
              assertEquals(1, gateway("move-b").getStatus().attachedRoutes);
            });

    client.resources(SipRouteResource.class).inNamespace(NS).withName("moving").delete();
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              assertTrue(routesServedBy("move-b").isEmpty(), "gone from B once deleted");
              assertEquals(0, gateway("move-b").getStatus().attachedRoutes);
            });
  }

  /**
   * A refused change to a running gateway rolls nothing (its Deployment and ConfigMap stay as they
   * were last accepted), and a gateway refused from the start gets no Deployment or Service that
   * would crash-loop; both say why in their status.
   */
  @Test
  void refusedConfigurationsNeverReachTheWorkload() throws Exception {
    client.resource(plainGateway("refuse-later")).create();
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              Deployment d =
                  client.apps().deployments().inNamespace(NS).withName("refuse-later-sbc").get();
              assertNotNull(d, "the accepted gateway's Deployment");
              assertEquals(2, d.getSpec().getReplicas());
            });
    ConfigMap before =
        client.configMaps().inNamespace(NS).withName("refuse-later-sbc-config").get();

    // Edited once the operator's status for this generation is written (the status patch and
    // the edit would otherwise race).
    editWhenSettled(
        "refuse-later",
        g -> {
          g.getSpec().replicas = 3;
          g.getSpec().timers.t1 = 4000;
          g.getSpec().timers.t2 = 1000; // refused: t2 below t1
        });
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              Condition accepted =
                  condition(gateway("refuse-later").getStatus().conditions, "Accepted");
              assertEquals("False", accepted.status);
              assertTrue(accepted.message.contains("spec.timers.t2"), accepted.message);
            });
    // Give the operator time to (wrongly) act on the refused spec, then check nothing moved.
    Thread.sleep(1000);
    Deployment d = client.apps().deployments().inNamespace(NS).withName("refuse-later-sbc").get();
    assertEquals(2, d.getSpec().getReplicas(), "the refused replicas: 3 did not roll out");
    assertEquals(
        before.getData(),
        client.configMaps().inNamespace(NS).withName("refuse-later-sbc-config").get().getData(),
        "the last accepted configuration stays");

    SipGatewayResource bad = plainGateway("never-good");
    bad.getSpec().timers.t1 = 4000;
    bad.getSpec().timers.t2 = 1000;
    client.resource(bad).create();
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertEquals(
                    "False",
                    condition(gateway("never-good").getStatus().conditions, "Accepted").status));
    Thread.sleep(1000);
    assertNull(
        client.apps().deployments().inNamespace(NS).withName("never-good-sbc").get(),
        "no Deployment for a gateway never accepted");
    assertNull(
        client.services().inNamespace(NS).withName("never-good-sbc").get(), "no Service either");
  }

  private SipRouteResource routeTo(String name, String gateway, String section) throws Exception {
    SipRouteResource r = load(SipRouteResource.class, "/cr/to-pbx-pool.yaml");
    r.getMetadata().setName(name);
    r.getSpec().parentRefs.get(0).name = gateway;
    r.getSpec().parentRefs.get(0).sectionName = section;
    var b = r.getSpec().rules.get(0).backendRefs.get(0);
    b.kind = null;
    b.name = null;
    b.uri = "sip:10.0.0.5:5060";
    return r;
  }

  /**
   * A route may attach to one listener (sectionName): the listener's status counts it, the other
   * listeners' do not; a sectionName that names no listener refuses the route, saying so.
   */
  @Test
  void routesAttachToOneListenerBySectionName() throws Exception {
    client.resource(plainGateway("sections")).create();
    client.resource(routeTo("all-listeners", "sections", null)).create();
    client.resource(routeTo("udp-only", "sections", "udp")).create();
    client.resource(routeTo("no-such-listener", "sections", "tls")).create();
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              SipGatewayResource g = gateway("sections");
              assertEquals(2, g.getStatus().attachedRoutes);
              Map<String, Integer> perListener = new java.util.TreeMap<>();
              g.getStatus().listeners.forEach(l -> perListener.put(l.name, l.attachedRoutes));
              assertEquals(Map.of("tcp", 1, "udp", 2), perListener);
              assertEquals(
                  "True", condition(g.getStatus().listeners.get(0).conditions, "Accepted").status);
              SipRouteResource bad =
                  client
                      .resources(SipRouteResource.class)
                      .inNamespace(NS)
                      .withName("no-such-listener")
                      .get();
              Condition acc = condition(bad.getStatus().parents.get(0).conditions, "Accepted");
              assertEquals("False", acc.status);
              assertEquals("NoMatchingListenerName", acc.reason);
              assertEquals("sbc.io/operator", bad.getStatus().parents.get(0).controllerName);
              assertTrue(acc.message.contains("no listener 'tls'"), acc.message);
            });
    assertEquals(
        Set.of("all-listeners", "udp-only"), routesServedBy("sections"), "the runtime's routes");
  }

  /** A listener on loopback can never be reached through the Service: refused, saying why. */
  @Test
  void aLoopbackListenerIsRefusedInACluster() throws Exception {
    SipGatewayResource gw = plainGateway("loopback");
    gw.getSpec().listeners.get(0).address = "127.0.0.1";
    client.resource(gw).create();
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              Condition accepted =
                  condition(gateway("loopback").getStatus().conditions, "Accepted");
              assertEquals("False", accepted.status);
              assertTrue(
                  accepted.message.contains("spec.listeners[0].address: 127.0.0.1 is a loopback"),
                  accepted.message);
            });
    assertNull(client.apps().deployments().inNamespace(NS).withName("loopback-sbc").get());
  }

  /**
   * A NodePort gateway: its status lists the nodes' external addresses (from the Node informer: a
   * node added later shows without any change to the gateway), and its pods advertise their own
   * node's IP with the node ports the Service was given, per listener.
   */
  @Test
  void aNodePortGatewayAdvertisesItsNodeAndNodePorts() throws Exception {
    client.resource(node("np-node-b", "198.51.100.2", "10.0.0.2")).createOr(n -> n.update());
    SipGatewayResource gw = plainGateway("nodeport");
    gw.getSpec().serviceType = "NodePort";
    client.resource(gw).create();
    // the API server allocates node ports (the mock does not): one per Service port
    Service svc =
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> client.services().inNamespace(NS).withName("nodeport-sbc").get(),
                x -> x != null);
    assertEquals("Local", svc.getSpec().getExternalTrafficPolicy());
    client
        .services()
        .inNamespace(NS)
        .withName("nodeport-sbc")
        .edit(
            x -> {
              for (var p : x.getSpec().getPorts()) {
                p.setNodePort("UDP".equals(p.getProtocol()) ? 30506 : 30507);
              }
              return x;
            });
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              Container c =
                  client
                      .apps()
                      .deployments()
                      .inNamespace(NS)
                      .withName("nodeport-sbc")
                      .get()
                      .getSpec()
                      .getTemplate()
                      .getSpec()
                      .getContainers()
                      .get(0);
              assertEquals(
                  "status.hostIP",
                  env(c, Defaults.ADVERTISED_ADDRESS_ENV)
                      .orElseThrow()
                      .getValueFrom()
                      .getFieldRef()
                      .getFieldPath());
              assertEquals(
                  "tcp=30507,udp=30506",
                  env(c, Defaults.ADVERTISED_PORTS_ENV).orElseThrow().getValue());
            });
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertTrue(
                    gateway("nodeport").getStatus().addresses.stream()
                        .anyMatch(a -> "198.51.100.2".equals(a.value)),
                    String.valueOf(gateway("nodeport").getStatus().addresses)));
    // a node joins: its address shows, through the informer, with no change to the gateway
    long generation = gateway("nodeport").getMetadata().getGeneration();
    client.resource(node("np-node-c", "198.51.100.3", "10.0.0.3")).createOr(n -> n.update());
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              SipGatewayResource g = gateway("nodeport");
              List<String> values = g.getStatus().addresses.stream().map(a -> a.value).toList();
              assertTrue(values.contains("198.51.100.3"), values.toString());
              assertTrue(!values.contains("10.0.0.3"), "internal addresses only without external");
            });
    assertEquals(generation, gateway("nodeport").getMetadata().getGeneration());
  }

  private static io.fabric8.kubernetes.api.model.Node node(
      String name, String external, String internal) {
    return new io.fabric8.kubernetes.api.model.NodeBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewStatus()
        .addNewAddress()
        .withType("InternalIP")
        .withAddress(internal)
        .endAddress()
        .addNewAddress()
        .withType("ExternalIP")
        .withAddress(external)
        .endAddress()
        .endStatus()
        .build();
  }

  /**
   * Plays a runtime's management API for the test's pods: {@code GET /sbc/status} reports the
   * SHA-256 of what the gateway's ConfigMap holds now (a runtime that applied it), or while {@code
   * lagging} the hash of an older text.
   */
  final class RuntimeStatusServer {
    final com.sun.net.httpserver.HttpServer http;
    volatile boolean lagging;

    RuntimeStatusServer(String configMap) throws java.io.IOException {
      http =
          com.sun.net.httpserver.HttpServer.create(
              new java.net.InetSocketAddress("127.0.0.1", 0), 0);
      http.createContext(
          io.sbc.api.ConfigIdentity.STATUS_PATH,
          ex -> {
            String text =
                io.sbc.operator.model.StatusModel.storedConfig(
                    client.configMaps().inNamespace(NS).withName(configMap).get());
            String sha = lagging ? "0".repeat(64) : io.sbc.api.ConfigIdentity.sha256(text);
            byte[] body =
                ("{\"config\":{\"sha256\":\"" + sha + "\"}}").getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
          });
      http.start();
      servers.add(this);
    }

    int port() {
      return http.getAddress().getPort();
    }
  }

  final List<RuntimeStatusServer> servers = new java.util.concurrent.CopyOnWriteArrayList<>();

  @org.junit.jupiter.api.AfterEach
  void stopServers() {
    servers.forEach(x -> x.http.stop(0));
    servers.clear();
  }

  /**
   * Plays the kubelet: {@code n} ready pods of the gateway at 127.0.0.1, their management port the
   * given server's.
   */
  private void runPods(String gateway, int n, RuntimeStatusServer runtime) {
    for (int i = 0; i < n; i++) {
      String name = gateway + "-sbc-pod-" + i;
      io.fabric8.kubernetes.api.model.Pod pod =
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
              .withContainerPort(runtime.port())
              .endPort()
              .endContainer()
              .endSpec()
              .build();
      client.resource(pod).createOr(x -> x.update());
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
    }
  }

  /** Plays the Deployment controller and kubelet: every pod of the current template is ready. */
  private void markReady(String deployment, Integer replicas) {
    client
        .apps()
        .deployments()
        .inNamespace(NS)
        .withName(deployment)
        .editStatus(
            d -> {
              d.setStatus(
                  new io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder()
                      .withReplicas(replicas)
                      .withReadyReplicas(replicas)
                      .withUpdatedReplicas(replicas)
                      .withAvailableReplicas(replicas)
                      .withObservedGeneration(d.getMetadata().getGeneration())
                      .build());
              return d;
            });
  }
}
