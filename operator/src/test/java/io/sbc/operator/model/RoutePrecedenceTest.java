package io.sbc.operator.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.sbc.api.ConfigReader;
import io.sbc.operator.crd.SipGatewayResource;
import io.sbc.operator.crd.SipRouteResource;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Between rules of equal precedence the runtime takes the earlier document; the operator writes the
 * routes oldest first (then by name), so a route created later cannot take over what an older one
 * serves, whatever its name.
 */
class RoutePrecedenceTest {

  static <T> T load(Class<T> type, String resource) {
    return Serialization.unmarshal(RoutePrecedenceTest.class.getResourceAsStream(resource), type);
  }

  static SipRouteResource route(String name, String created) {
    SipRouteResource r = load(SipRouteResource.class, "/cr/to-pbx-pool.yaml");
    r.getMetadata().setName(name);
    r.getMetadata().setNamespace("ns");
    r.getMetadata().setCreationTimestamp(created);
    var b = r.getSpec().rules.get(0).backendRefs.get(0);
    b.kind = null;
    b.name = null;
    b.uri = "sip:10.0.0.5:5060";
    return r;
  }

  @Test
  void theOlderRouteComesFirstWhateverItsName() throws Exception {
    SipGatewayResource gw = load(SipGatewayResource.class, "/cr/edge.yaml");
    gw.getMetadata().setNamespace("ns");
    GatewayResolution res =
        GatewayResolution.resolve(
            gw,
            List.of(
                route("a-newcomer", "2026-12-02T10:00:00Z"),
                route("z-incumbent", "2026-11-01T10:00:00Z"),
                route("m-same-age", "2026-12-02T10:00:00Z")),
            List.of());
    assertEquals(
        List.of("z-incumbent", "a-newcomer", "m-same-age"),
        ConfigReader.read("config.yaml", res.configYaml()).routes().stream()
            .map(r -> r.metadata.name)
            .toList());
  }
}
