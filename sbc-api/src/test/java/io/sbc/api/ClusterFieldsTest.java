package io.sbc.api;

import static io.sbc.api.ConfigReaderTest.GATEWAY;
import static io.sbc.api.ConfigReaderTest.errorAt;
import static io.sbc.api.ConfigReaderTest.errors;
import static io.sbc.api.ConfigReaderTest.read;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Fields only the operator acts on: a dispatcher's serviceRef destinations, a gateway's media. */
class ClusterFieldsTest {

  static String dispatcher(String destinations) {
    return GATEWAY
        + """
        ---
        apiVersion: sbc.io/v1alpha1
        kind: SipDispatcher
        metadata:
          name: pool
        spec:
          destinations:
        """
        + destinations.indent(4);
  }

  @Test
  void serviceRefByNumberAndByName() {
    Configuration c =
        read(
            dispatcher(
                """
                - serviceRef: {name: pbx, port: 5060}
                  weight: 3
                  priority: 1
                - serviceRef: {name: pbx, namespace: voice, port: sip-tcp, transport: TCP}
                - uri: sip:10.0.0.1:5060
                """));
    List<SipDispatcher.Destination> ds = c.dispatchers().get(0).spec.destinations;
    assertEquals("pbx", ds.get(0).serviceRef.name);
    assertNull(ds.get(0).serviceRef.namespace);
    assertEquals(IntOrName.of(5060), ds.get(0).serviceRef.port);
    assertEquals("UDP", ds.get(0).serviceRef.transport);
    assertNull(ds.get(0).uri);
    assertEquals(3, ds.get(0).weight);
    assertEquals(IntOrName.of("sip-tcp"), ds.get(1).serviceRef.port);
    assertEquals("voice", ds.get(1).serviceRef.namespace);
    assertEquals("TCP", ds.get(1).serviceRef.transport);
  }

  @Test
  void exactlyOneOfUriAndServiceRef() {
    List<String> errors =
        errors(
            dispatcher(
                """
                - uri: sip:10.0.0.1:5060
                  serviceRef: {name: pbx, port: 5060}
                - weight: 2
                """));
    assertTrue(
        errorAt(errors, "spec.destinations[0]")
            .endsWith(
                "give either uri or serviceRef, not both (uri sip:10.0.0.1:5060, serviceRef pbx)"),
        errors.toString());
    assertTrue(
        errorAt(errors, "spec.destinations[1].uri")
            .endsWith("required (or serviceRef: a Kubernetes Service, in a cluster)"),
        errors.toString());
  }

  @Test
  void serviceRefFieldsAreChecked() {
    List<String> errors =
        errors(
            dispatcher(
                """
                - serviceRef: {name: PBX_1, namespace: "-x", port: 70000, transport: TLS}
                - serviceRef: {name: pbx, port: "not_a_name"}
                - serviceRef: {port: 5060}
                - serviceRef: {name: pbx, port: 1.5}
                - serviceRef: {name: pbx}
                - serviceRef: {name: a, port: 5060}
                - serviceRef: {name: a, port: 5060, transport: UDP}
                """));
    assertTrue(
        errorAt(errors, "spec.destinations[0].serviceRef.name").contains("must be a Service name"),
        errors.toString());
    assertTrue(
        errorAt(errors, "spec.destinations[0].serviceRef.namespace").contains("namespace name"),
        errors.toString());
    assertTrue(
        errorAt(errors, "spec.destinations[0].serviceRef.port")
            .endsWith("must be 1..65535 (was 70000)"),
        errors.toString());
    assertTrue(
        errorAt(errors, "spec.destinations[0].serviceRef.transport")
            .endsWith("'TLS' is not one of [UDP, TCP]"),
        errors.toString());
    assertTrue(
        errorAt(errors, "spec.destinations[1].serviceRef.port").contains("port name"),
        errors.toString());
    assertTrue(
        errorAt(errors, "spec.destinations[2].serviceRef.name").contains("required"),
        errors.toString());
    assertTrue(
        errorAt(errors, "spec.destinations[3].serviceRef.port")
            .contains("expected a number or a name"),
        errors.toString());
    assertTrue(
        errorAt(errors, "spec.destinations[4].serviceRef.port").contains("required"),
        errors.toString());
    assertTrue(
        errorAt(errors, "spec.destinations[6].serviceRef")
            .endsWith("duplicate destination Service a:5060/UDP"),
        errors.toString());
    assertEquals(9, errors.size(), String.join("\n", errors));
  }

  @Test
  void unknownServiceRefFieldsAreNamed() {
    List<String> errors =
        errors(dispatcher("- serviceRef: {name: pbx, port: 5060, kind: Service}\n"));
    assertTrue(
        errorAt(errors, "spec.destinations[0].serviceRef.kind")
            .contains("unknown field (known: name, namespace, port, transport)"),
        errors.toString());
  }

  static String gatewayWithMedia(String media) {
    return GATEWAY + "  media:\n" + media.indent(4);
  }

  @Test
  void mediaDefaultsAndSidecar() {
    assertNull(read(GATEWAY).gateways().get(0).spec.media);
    SipGateway.Media m = read(gatewayWithMedia("mode: Sidecar\n")).gateways().get(0).spec.media;
    assertEquals("Sidecar", m.mode);
    assertNull(m.image);
    assertEquals(30000, m.rtpPortMin);
    assertEquals(30999, m.rtpPortMax);
    m =
        read(gatewayWithMedia(
                """
                    mode: Sidecar
                    image: registry.example/rtpengine:12
                    rtpPortMin: 40000
                    rtpPortMax: 40099
                    advertisedAddress: 203.0.113.5
                    """))
            .gateways()
            .get(0)
            .spec
            .media;
    assertEquals("registry.example/rtpengine:12", m.image);
    assertEquals(40099, m.rtpPortMax);
    assertEquals("203.0.113.5", m.advertisedAddress);
    assertEquals("None", read(gatewayWithMedia("{}")).gateways().get(0).spec.media.mode);
  }

  /** RTPengine writes media.advertisedAddress into SDP's c= line: an IP address, nothing else. */
  @Test
  void mediaAdvertisedAddressIsAnIpAddress() {
    for (String ok : List.of("203.0.113.5", "\"2001:db8::7\"")) {
      assertEquals(
          ok.replace("\"", ""),
          read(gatewayWithMedia("advertisedAddress: " + ok + "\n"))
              .gateways()
              .get(0)
              .spec
              .media
              .advertisedAddress);
    }
    for (String bad :
        List.of(
            "media.example.com",
            "\"[2001:db8::7]\"",
            "\"203.0.113.5\\r\\na=inactive\"",
            "\"203.0.113.05\"",
            "\"203.0.113\"")) {
      List<String> errors = errors(gatewayWithMedia("advertisedAddress: " + bad + "\n"));
      String e = errorAt(errors, "spec.media.advertisedAddress");
      assertTrue(e.contains("must be an IPv4 or IPv6 address, IPv6 without brackets"), e);
      assertFalse(e.contains("\r") || e.contains("\n"), e);
    }
  }

  @Test
  void mediaFieldsAreChecked() {
    List<String> errors =
        errors(
            gatewayWithMedia(
                """
                mode: Relay
                image: "a b"
                rtpPortMin: 40000
                rtpPortMax: 39000
                advertisedAddress: media.example.com
                """));
    assertTrue(
        errorAt(errors, "spec.media.mode")
            .endsWith("'Relay' is not one of [None, Sidecar, External]"),
        errors.toString());
    assertTrue(errorAt(errors, "spec.media.image").contains("without spaces"), errors.toString());
    assertTrue(
        errorAt(errors, "spec.media.rtpPortMax")
            .endsWith("must not be below rtpPortMin (39000 < 40000)"),
        errors.toString());
    assertTrue(
        errorAt(errors, "spec.media.advertisedAddress").contains("IPv4 or IPv6"),
        errors.toString());
    errors = errors(gatewayWithMedia("rtpPortMin: 80\n"));
    assertTrue(
        errorAt(errors, "spec.media.rtpPortMin").endsWith("must be 1024..65535 (was 80)"),
        errors.toString());
  }

  @Test
  void externalInstancesAndAnchoring() {
    SipGateway.Media m =
        read(gatewayWithMedia(
                """
                mode: External
                instances:
                  - {address: "127.0.0.1:2223", weight: 3}
                  - {address: "[2001:db8::1]:2223"}
                anchoring: {ice: Remove, transportProtocol: RTP/SAVP, flags: [strict-source]}
                """))
            .gateways()
            .get(0)
            .spec
            .media;
    assertEquals(3, m.instances.get(0).weight);
    assertEquals(1, m.instances.get(1).weight);
    assertEquals("Remove", m.anchoring.ice);
    assertEquals(true, m.anchoring.enabled);
    assertEquals(true, m.anchoring.replaceOrigin);
    assertEquals("Reject", m.anchoring.onFailure);
    assertEquals(500, m.timeoutMillis);
    assertEquals(2, m.retries);
  }

  @Test
  void mediaInstancesAndFlagsAreChecked() {
    List<String> errors = errors(gatewayWithMedia("mode: External\n"));
    assertTrue(
        errorAt(errors, "spec.media.instances").contains("at least one RTPengine instance"),
        errors.toString());
    errors =
        errors(
            gatewayWithMedia(
                """
                mode: External
                instances:
                  - {address: "rtpengine.example.com:2223"}
                  - {address: "127.0.0.1"}
                  - {address: "127.0.0.1:99999"}
                  - {address: "2001:db8::1:2223"}
                  - {address: "127.0.0.1:2223", weight: -1}
                  - {address: "127.0.0.1:2223"}
                timeoutMillis: 5
                anchoring:
                  ice: Sometimes
                  transportProtocol: RTP/XYZ
                  onFailure: Shrug
                  flags: ["ok-flag", "bad flag", "x\\r\\ny"]
                  direction: [internal, "ex ternal", third]
                """));
    for (int i = 0; i < 4; i++) {
      assertTrue(
          errorAt(errors, "spec.media.instances[" + i + "].address").contains("must be IP:port"),
          errors.toString());
    }
    assertTrue(
        errorAt(errors, "spec.media.instances[4].weight").contains("0..1000"), errors.toString());
    assertTrue(
        errorAt(errors, "spec.media.instances[5].address").contains("listed twice"),
        errors.toString());
    assertTrue(
        errorAt(errors, "spec.media.timeoutMillis").contains("50..10000"), errors.toString());
    assertTrue(errorAt(errors, "spec.media.anchoring.ice").contains("Remove"), errors.toString());
    assertTrue(
        errorAt(errors, "spec.media.anchoring.transportProtocol").contains("RTP/SAVPF"),
        errors.toString());
    assertTrue(
        errorAt(errors, "spec.media.anchoring.onFailure").contains("Reject"), errors.toString());
    assertTrue(
        errorAt(errors, "spec.media.anchoring.flags[1]").contains("a word"), errors.toString());
    assertTrue(
        errorAt(errors, "spec.media.anchoring.flags[2]").contains("a word"), errors.toString());
    assertFalse(errors.toString().contains("flags[0]"), errors.toString());
    assertTrue(
        errorAt(errors, "spec.media.anchoring.direction").contains("two RTPengine interfaces"),
        errors.toString());
    assertTrue(
        errorAt(errors, "spec.media.anchoring.direction[1]").contains("interface name"),
        errors.toString());
    assertFalse(errors.toString().contains("direction[0]"), errors.toString());
    errors =
        errors(gatewayWithMedia("mode: Sidecar\ninstances: [{address: \"127.0.0.1:2223\"}]\n"));
    assertTrue(
        errorAt(errors, "spec.media.instances").contains("only used with mode External"),
        errors.toString());
  }

  @Test
  void sidecarArgumentsMayNotTakeOverWhatTheOperatorSets() {
    List<String> errors =
        errors(
            gatewayWithMedia(
                "mode: Sidecar\nargs: [\"--log-level=5\", \"--listen-ng=0.0.0.0:2223\","
                    + " \"two words\", \"-i\"]\nresources: {limits: {cpu: lots}}\n"));
    assertFalse(errors.toString().contains("args[0]"), errors.toString());
    assertTrue(
        errorAt(errors, "spec.media.args[1]").contains("set by the operator"), errors.toString());
    assertTrue(errorAt(errors, "spec.media.args[2]").contains("without spaces"), errors.toString());
    assertTrue(
        errorAt(errors, "spec.media.args[3]").contains("set by the operator"), errors.toString());
    assertTrue(errors.toString().contains("spec.media.resources.limits"), errors.toString());
    errors =
        errors(
            gatewayWithMedia(
                "mode: External\ninstances: [{address: \"127.0.0.1:2223\"}]\n"
                    + "args: [\"--log-level=5\"]\n"));
    assertTrue(
        errorAt(errors, "spec.media.args").contains("only used with mode Sidecar"),
        errors.toString());
  }
}
