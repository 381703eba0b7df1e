package io.sbc.operator.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.sbc.api.IntOrName;
import io.sbc.api.SipDispatcher;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** serviceRef destinations become the URIs of the ready endpoints. */
class ServiceEndpointsTest {
  final Map<String, Service> services = new HashMap<>();
  final List<EndpointSlice> slices = new ArrayList<>();

  final ServiceDirectory dir =
      new ServiceDirectory() {
        @Override
        public Service service(String namespace, String name) {
          return services.get(namespace + "/" + name);
        }

        @Override
        public List<EndpointSlice> endpointSlices(String namespace, String service) {
          return slices.stream()
              .filter(
                  s ->
                      namespace.equals(s.getMetadata().getNamespace())
                          && service.equals(s.getMetadata().getLabels().get(SERVICE_NAME_LABEL)))
              .toList();
        }
      };

  void service(String ns, String name) {
    services.put(
        ns + "/" + name,
        new ServiceBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(ns)
            .endMetadata()
            .withNewSpec()
            .addNewPort()
            .withName("sip")
            .withPort(5060)
            .withProtocol("UDP")
            .endPort()
            .addNewPort()
            .withName("sip-tcp")
            .withPort(5060)
            .withProtocol("TCP")
            .endPort()
            .endSpec()
            .build());
  }

  void slice(String ns, String service, String name, String type, Object... addrReady) {
    EndpointSliceBuilder b =
        new EndpointSliceBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(ns)
            .withLabels(Map.of(ServiceDirectory.SERVICE_NAME_LABEL, service))
            .endMetadata()
            .withAddressType(type)
            .addNewPort()
            .withName("sip")
            .withPort(5080)
            .withProtocol("UDP")
            .endPort()
            .addNewPort()
            .withName("sip-tcp")
            .withPort(5081)
            .withProtocol("TCP")
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
    slices.add(b.build());
  }

  static SipDispatcher.Destination ref(String name, String ns, IntOrName port, String transport) {
    SipDispatcher.Destination d = new SipDispatcher.Destination();
    d.serviceRef = new SipDispatcher.ServiceRef();
    d.serviceRef.name = name;
    d.serviceRef.namespace = ns;
    d.serviceRef.port = port;
    d.serviceRef.transport = transport;
    d.weight = 5;
    d.priority = 2;
    return d;
  }

  static SipDispatcher.Destination uri(String uri) {
    SipDispatcher.Destination d = new SipDispatcher.Destination();
    d.uri = uri;
    return d;
  }

  static List<String> uris(ServiceEndpoints.Expansion x) {
    return x.destinations().stream().map(d -> d.uri).toList();
  }

  @Test
  void readyAddressesOfEverySliceOnTheEndpointPort() {
    service("ns", "pbx");
    slice("ns", "pbx", "pbx-b", "IPv4", "10.0.0.3", true, "10.0.0.4", null);
    slice("ns", "pbx", "pbx-a", "IPv4", "10.0.0.1", true, "10.0.0.2", false, "10.0.0.3", true);
    slice("ns", "other", "other-a", "IPv4", "10.9.9.9", true);
    ServiceEndpoints.Expansion x =
        ServiceEndpoints.expand(
            "ns",
            List.of(uri("sip:10.0.0.1:5080"), ref("pbx", null, IntOrName.of(5060), "UDP")),
            dir);
    // the static URI stays first; an endpoint listed already is not repeated
    assertEquals(List.of("sip:10.0.0.1:5080", "sip:10.0.0.3:5080", "sip:10.0.0.4:5080"), uris(x));
    assertEquals(5, x.destinations().get(1).weight);
    assertEquals(2, x.destinations().get(1).priority);
    assertNull(x.destinations().get(1).serviceRef);
    assertEquals(1, x.staticCount());
    assertTrue(x.problems().isEmpty());
  }

  @Test
  void tcpByPortNameAndIpv6InAnotherNamespace() {
    service("voice", "pbx");
    slice("voice", "pbx", "pbx-v6", "IPv6", "2001:db8::7", true);
    slice("voice", "pbx", "pbx-fqdn", "FQDN", "pbx.example.com", true);
    ServiceEndpoints.Expansion x =
        ServiceEndpoints.expand(
            "ns", List.of(ref("pbx", "voice", IntOrName.of("sip-tcp"), "TCP")), dir);
    assertEquals(List.of("sip:[2001:db8::7]:5081;transport=tcp"), uris(x));
  }

  @Test
  void missingServicePortAndNoReadyEndpointsAreNamed() {
    service("ns", "pbx");
    slice("ns", "pbx", "pbx-a", "IPv4", "10.0.0.1", false);
    ServiceEndpoints.Expansion x =
        ServiceEndpoints.expand(
            "ns",
            List.of(
                ref("gone", null, IntOrName.of(5060), "UDP"),
                ref("pbx", null, IntOrName.of(5070), "UDP"),
                ref("pbx", null, IntOrName.of("sip"), "TCP"),
                ref("pbx", null, IntOrName.of("sip"), "UDP")),
            dir);
    assertEquals(List.of(), x.destinations());
    List<ServiceEndpoints.Outcome> p = x.problems();
    assertEquals("BackendNotFound", p.get(0).reason());
    assertEquals("Service ns/gone not found", p.get(0).message());
    assertEquals(
        "Service ns/pbx has no UDP port 5070 (it has sip 5060/UDP, sip-tcp 5060/TCP)",
        p.get(1).message());
    assertEquals("BackendNotFound", p.get(2).reason());
    assertEquals("NoReadyEndpoints", p.get(3).reason());
    assertEquals("Service ns/pbx has no ready endpoints (port sip/UDP)", p.get(3).message());
  }
}
