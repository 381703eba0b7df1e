package io.sbc.operator.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

  static SipRouteResource route(String name, String created, String... methods) {
    SipRouteResource r = load(SipRouteResource.class, "/cr/to-pbx-pool.yaml");
    if (methods.length > 0) {
      r.getSpec().rules.get(0).matches.get(0).methods = new java.util.ArrayList<>(List.of(methods));
    }
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
                // overlapping (INVITE in each), not the same: every one is served
                route("a-newcomer", "2026-12-02T10:00:00Z", "INVITE"),
                route("z-incumbent", "2026-11-01T10:00:00Z", "INVITE", "OPTIONS"),
                route("m-same-age", "2026-12-02T10:00:00Z", "INVITE", "MESSAGE")),
            List.of());
    assertEquals(
        List.of("z-incumbent", "a-newcomer", "m-same-age"),
        ConfigReader.read("config.yaml", res.configYaml()).routes().stream()
            .map(r -> r.metadata.name)
            .toList());
  }

  /**
   * The same match in two routes: the older keeps it (Gateway API's conflict rule), whatever the
   * names; the newer route is not served when nothing else is left of it (Accepted=False,
   * Conflicted, naming the older route), and is served with PartiallyInvalid when it has other
   * matches. Lists are sets: the order of methods does not make another match.
   */
  @Test
  void theSameMatchInANewerRouteIsReportedAsConflicted() throws Exception {
    SipGatewayResource gw = load(SipGatewayResource.class, "/cr/edge.yaml");
    gw.getMetadata().setNamespace("ns");
    SipRouteResource older = route("z-older", "2026-11-01T10:00:00Z", "INVITE", "OPTIONS");
    SipRouteResource newer = route("a-newer", "2026-12-02T10:00:00Z", "OPTIONS", "INVITE");
    SipRouteResource partly = route("b-partly", "2026-12-03T10:00:00Z", "INVITE", "OPTIONS");
    var extra = new io.sbc.api.SipRoute.Match();
    extra.methods.add("MESSAGE");
    partly.getSpec().rules.get(0).matches.add(extra);
    List<SipRouteResource> routes = List.of(newer, partly, older);
    GatewayResolution res = GatewayResolution.resolve(gw, routes, List.of());
    assertEquals(
        List.of("z-older", "b-partly"),
        ConfigReader.read("config.yaml", res.configYaml()).routes().stream()
            .map(r -> r.metadata.name)
            .toList());
    assertEquals(2, res.servedRoutes().size());

    var accepted =
        io.sbc.operator.model.StatusModel.route(newer, List.of(gw), routes, List.of(), null, "now")
            .parents
            .get(0)
            .conditions
            .get(0);
    assertEquals("Accepted", accepted.type);
    assertEquals("False", accepted.status);
    assertEquals("Conflicted", accepted.reason);
    assertEquals(
        "spec.rules[0].matches[0] is the same match as one of SipRoute z-older, which is older"
            + " (creationTimestamp, then name) and takes its requests",
        accepted.message);
    var partial =
        io.sbc.operator.model.StatusModel.route(partly, List.of(gw), routes, List.of(), null, "now")
            .parents
            .get(0)
            .conditions;
    assertEquals("True", partial.get(0).status, "Accepted: its MESSAGE match is served");
    var pi =
        partial.stream().filter(c -> "PartiallyInvalid".equals(c.type)).findFirst().orElseThrow();
    assertEquals("Conflicted", pi.reason);
    assertTrue(pi.message.contains("SipRoute z-older"), pi.message);
    var oldest =
        io.sbc.operator.model.StatusModel.route(older, List.of(gw), routes, List.of(), null, "now")
            .parents
            .get(0)
            .conditions;
    assertTrue(oldest.stream().noneMatch(c -> "PartiallyInvalid".equals(c.type)));
    assertEquals("True", oldest.get(0).status);
  }
}
