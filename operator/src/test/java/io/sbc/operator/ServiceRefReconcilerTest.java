package io.sbc.operator;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.sbc.api.ConfigReader;
import io.sbc.api.Configuration;
import io.sbc.api.SipDispatcher;
import io.sbc.api.status.Condition;
import io.sbc.operator.crd.SipDispatcherResource;
import io.sbc.operator.crd.SipGatewayResource;
import io.sbc.operator.crd.SipRouteResource;
import io.sbc.operator.model.GatewayResolution;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * SipDispatcher destinations naming a Service, resolved through its EndpointSlices into the
 * ConfigMap (on the fabric8 mock API server): the ready addresses only, followed as the slice
 * changes; statuses when the Service is missing or has no ready endpoint.
 */
@QuarkusTest
@WithKubernetesTestServer
class ServiceRefReconcilerTest {
  static {
    // A status or list the operator has not written yet reads as null while a wait polls it:
    // retried like a failed assertion until the wait's limit, not an end of the wait.
    org.awaitility.Awaitility.ignoreExceptionsByDefault();
  }

  static final String NS = "sbc-svc";

  @Inject KubernetesClient client;

  @BeforeEach
  void namespace() {
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
        .createOr(n -> n.update());
  }

  private <T extends io.fabric8.kubernetes.api.model.HasMetadata> T load(
      Class<T> type, String resource) {
    T r = Serialization.unmarshal(getClass().getResourceAsStream(resource), type);
    r.getMetadata().setNamespace(NS);
    return r;
  }

  /** The condition of that type; an assertion (retried inside an await) when there is none yet. */
  private static Condition condition(List<Condition> cs, String type) {
    Condition c =
        cs == null ? null : cs.stream().filter(x -> type.equals(x.type)).findFirst().orElse(null);
    assertNotNull(c, "no " + type + " condition yet");
    return c;
  }

  private Configuration config(String gateway) throws Exception {
    var cm = client.configMaps().inNamespace(NS).withName(gateway + "-sbc-config").get();
    assertNotNull(cm, "ConfigMap of " + gateway);
    return ConfigReader.read("config.yaml", cm.getData().get(GatewayResolution.CONFIG_KEY));
  }

  private static List<String> uris(Configuration c, String dispatcher) {
    return c.dispatchers().stream()
        .filter(d -> d.metadata.name.equals(dispatcher))
        .findFirst()
        .map(d -> d.spec.destinations.stream().map(x -> x.uri).toList())
        .orElse(List.of());
  }

  private SipDispatcherResource dispatcher(String name) {
    return client.resources(SipDispatcherResource.class).inNamespace(NS).withName(name).get();
  }

  private static EndpointSlice slice(Object... addrReady) {
    EndpointSliceBuilder b =
        new EndpointSliceBuilder()
            .withNewMetadata()
            .withName("pbx-x1")
            .withNamespace(NS)
            .withLabels(Map.of("kubernetes.io/service-name", "pbx"))
            .endMetadata()
            .withAddressType("IPv4")
            .addNewPort()
            .withName("sip")
            .withPort(5080)
            .withProtocol("UDP")
            .endPort();
    for (int i = 0; i < addrReady.length; i += 2) {
      b.addToEndpoints(
          new EndpointBuilder()
              .withAddresses((String) addrReady[i])
              .withNewConditions()
              .withReady((Boolean) addrReady[i + 1])
              .endConditions()
              .build());
    }
    return b.build();
  }

  @Test
  void serviceEndpointsBecomeDestinations() throws Exception {
    SipGatewayResource gw = load(SipGatewayResource.class, "/cr/edge.yaml");
    gw.getMetadata().setName("svcgw");
    gw.getSpec().autoscaling = null;
    client.resource(gw).create();
    client.resource(load(SipDispatcherResource.class, "/cr/pbx-service-pool.yaml")).create();
    SipRouteResource route = load(SipRouteResource.class, "/cr/to-pbx-pool.yaml");
    route.getMetadata().setName("to-pbx-svc");
    route.getSpec().parentRefs.get(0).name = "svcgw";
    route.getSpec().rules.get(0).backendRefs.get(0).name = "pbx-svc";
    client.resource(route).create();

    // no Service yet: not found, named in the dispatcher's and the gateway's status; the rule
    // answers 500
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              SipDispatcherResource d = dispatcher("pbx-svc");
              assertNotNull(d.getStatus());
              Condition refs = condition(d.getStatus().conditions, "ResolvedRefs");
              assertEquals("False", refs.status);
              assertEquals("BackendNotFound", refs.reason);
              assertEquals("Service sbc-svc/pbx not found", refs.message);
              assertEquals("False", condition(d.getStatus().conditions, "Ready").status);
              SipGatewayResource g =
                  client
                      .resources(SipGatewayResource.class)
                      .inNamespace(NS)
                      .withName("svcgw")
                      .get();
              // (an assertion, retried: the gateway's status may not be written yet)
              assertNotNull(g.getStatus(), "the gateway's status");
              Condition rr = condition(g.getStatus().conditions, "ResolvedRefs");
              assertEquals("False", rr.status);
              assertTrue(rr.message.contains("Service sbc-svc/pbx not found"), rr.message);
              // the gateway's ConfigMap follows the dispatcher's status a little later: an
              // assertion (retried), not a NullPointerException (which would end the wait)
              Configuration c = config("svcgw");
              var reject = c.routes().get(0).spec.rules.get(0).reject;
              assertNotNull(reject, "the rule without destinations answers 500");
              assertEquals(500, reject.statusCode);
            });

    // the Service and its slice: two ready addresses (one more not ready)
    client
        .resource(
            new ServiceBuilder()
                .withNewMetadata()
                .withName("pbx")
                .withNamespace(NS)
                .endMetadata()
                .withNewSpec()
                .addNewPort()
                .withName("sip")
                .withPort(5060)
                .withNewTargetPort(5080)
                .withProtocol("UDP")
                .endPort()
                .endSpec()
                .build())
        .create();
    client.resource(slice("10.1.0.1", true, "10.1.0.2", true, "10.1.0.3", false)).create();
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              Configuration c = config("svcgw");
              assertEquals(List.of("sip:10.1.0.1:5080", "sip:10.1.0.2:5080"), uris(c, "pbx-svc"));
              SipDispatcher.Destination first = c.dispatchers().get(0).spec.destinations.get(0);
              assertEquals(2, first.weight);
              assertEquals(1, first.priority);
              assertNull(first.serviceRef);
              assertNull(c.routes().get(0).spec.rules.get(0).reject);
              SipDispatcherResource d = dispatcher("pbx-svc");
              assertNotNull(d.getStatus(), "the dispatcher's status");
              assertEquals(2, d.getStatus().destinations);
              assertEquals("True", condition(d.getStatus().conditions, "Ready").status);
              assertEquals("True", condition(d.getStatus().conditions, "ResolvedRefs").status);
            });

    // the slice changes: the ConfigMap follows
    client.resource(slice("10.1.0.1", false, "10.1.0.2", true, "10.1.0.3", true)).update();
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertEquals(
                    List.of("sip:10.1.0.2:5080", "sip:10.1.0.3:5080"),
                    uris(config("svcgw"), "pbx-svc")));

    // no ready endpoint left: the dispatcher is not Ready, naming the Service
    client.resource(slice("10.1.0.2", false)).update();
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              SipDispatcherResource d = dispatcher("pbx-svc");
              assertNotNull(d.getStatus(), "the dispatcher's status");
              Condition ready = condition(d.getStatus().conditions, "Ready");
              assertEquals("False", ready.status);
              assertEquals("NoReadyEndpoints", ready.reason);
              assertTrue(ready.message.contains("Service sbc-svc/pbx"), ready.message);
              assertEquals("True", condition(d.getStatus().conditions, "ResolvedRefs").status);
              assertEquals(0, d.getStatus().destinations);
              // the gateway's ConfigMap follows the dispatcher's status a little later: an
              // assertion (retried), not a NullPointerException (which would end the wait)
              Configuration c = config("svcgw");
              var reject = c.routes().get(0).spec.rules.get(0).reject;
              assertNotNull(reject, "the rule without destinations answers 500");
              assertEquals(500, reject.statusCode);
            });
  }
}
