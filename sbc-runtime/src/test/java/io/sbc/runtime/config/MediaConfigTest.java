package io.sbc.runtime.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sbc.api.ConfigException;
import io.sbc.api.ConfigReader;
import io.sbc.runtime.media.MediaSettings;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * spec.media as the runtime reads it: no media by default; a sidecar at the address the operator
 * gives (SBC_RTPENGINE_NG) or on the pod's loopback; listed instances with their weights; the
 * gateway's anchoring compiled into each rule that has none of its own, and a rule's own used
 * instead.
 */
class MediaConfigTest {
  static String gateway(String media) {
    return """
        apiVersion: sbc.io/v1alpha1
        kind: SipGateway
        metadata:
          name: gw
        spec:
          listeners:
            - {name: udp, protocol: SIP-UDP, address: 127.0.0.1, port: 15099}
        %s
        ---
        apiVersion: sbc.io/v1alpha1
        kind: SipRoute
        metadata:
          name: r
        spec:
          parentRefs: [{name: gw}]
          rules:
            - name: srtp
              matches: [{requestUri: {user: {type: Exact, value: "secure"}}}]
              backendRefs: [{uri: "sip:127.0.0.1:15098"}]
              media: {transportProtocol: RTP/SAVP, onFailure: Continue}
            - name: plain
              backendRefs: [{uri: "sip:127.0.0.1:15098"}]
        """
        .formatted(media.indent(2));
  }

  static GatewayConfig compile(String media, Map<String, String> env) throws ConfigException {
    return GatewayConfig.compile("t.yaml", ConfigReader.read("t.yaml", gateway(media)), null, env);
  }

  @Test
  void noMediaByDefault() throws Exception {
    assertNull(compile("", Map.of()).media());
    assertNull(compile("media: {mode: None}", Map.of()).media());
  }

  @Test
  void aSidecarIsFoundWhereTheOperatorSays() throws Exception {
    MediaSettings s = compile("media: {mode: Sidecar}", Map.of()).media();
    assertEquals(Map.of("127.0.0.1:2223", 1), s.instances());
    s = compile("media: {mode: Sidecar}", Map.of("SBC_RTPENGINE_NG", "127.0.0.1:3000")).media();
    assertEquals(Map.of("127.0.0.1:3000", 1), s.instances());
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> compile("media: {mode: Sidecar}", Map.of("SBC_RTPENGINE_NG", "localhost:3000")));
    assertTrue(e.errors().toString().contains("SBC_RTPENGINE_NG"), e.errors().toString());
  }

  @Test
  void externalInstancesKeepTheirWeightsAndOrder() throws Exception {
    MediaSettings s =
        compile(
                """
                media:
                  mode: External
                  instances: [{address: "127.0.0.1:2223", weight: 3}, {address: "127.0.0.2:2223"}]
                  timeoutMillis: 200
                  retries: 4
                  pingIntervalSeconds: 7
                """,
                Map.of())
            .media();
    assertEquals("[127.0.0.1:2223, 127.0.0.2:2223]", s.instances().keySet().toString());
    assertEquals(3, s.instances().get("127.0.0.1:2223"));
    assertEquals(1, s.instances().get("127.0.0.2:2223"));
    assertEquals(200, s.timeoutMillis());
    assertEquals(4, s.retries());
    assertEquals(7000, s.pingIntervalMillis());
    assertTrue(s.gatewayPolicy().anchor());
    assertTrue(s.gatewayPolicy().replaceOrigin());
  }
}
