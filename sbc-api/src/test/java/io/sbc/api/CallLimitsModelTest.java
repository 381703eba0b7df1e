package io.sbc.api;

import static io.sbc.api.ConfigReaderTest.errorAt;
import static io.sbc.api.ConfigReaderTest.errors;
import static io.sbc.api.ConfigReaderTest.read;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A rule's callLimits, a destination's maxCalls, limits.maxCallSeconds: defaults and errors. */
class CallLimitsModelTest {
  static final String GATEWAY = ConfigReaderTest.GATEWAY;

  static String route(String rule) {
    return """
        apiVersion: sbc.io/v1alpha1
        kind: SipRoute
        metadata:
          name: to-pbx
        spec:
          parentRefs: [{name: edge}]
          rules:
        %s
        """
        .formatted(rule.indent(4).stripTrailing());
  }

  @Test
  void defaults() {
    Configuration c =
        read(
            GATEWAY
                + "---\n"
                + route(
                    """
                    - callLimits: {maxCalls: 20}
                      backendRefs: [{uri: "sip:127.0.0.1:5090"}]
                    - backendRefs: [{uri: "sip:127.0.0.1:5091"}]
                    """));
    SipRoute.CallLimits l = c.routes().get(0).spec.rules.get(0).callLimits;
    assertEquals(20, l.maxCalls);
    assertNull(l.maxCallsPerSecond);
    assertEquals(Defaults.CALL_LIMIT_RETRY_AFTER_SECONDS, l.retryAfterSeconds);
    assertNull(c.routes().get(0).spec.rules.get(1).callLimits, "no limit unless set");
    assertEquals(Defaults.MAX_CALL_SECONDS, c.gateways().get(0).spec.limits.maxCallSeconds);
  }

  @Test
  void errorsNameTheField() {
    List<String> errors =
        errors(
            GATEWAY.replace(
                    "      port: 15060", "      port: 15060\n  limits: {maxCallSeconds: 10}")
                + "---\n"
                + route(
                    """
                    - callLimits: {retryAfterSeconds: -1}
                      backendRefs: [{uri: "sip:127.0.0.1:5090"}]
                    - callLimits: {maxCalls: 0, maxCallsPerSecond: 0}
                      backendRefs: [{uri: "sip:127.0.0.1:5090"}]
                    - callLimits: {maxCalls: 5}
                      reject: {statusCode: 403}
                    """)
                + """
                ---
                apiVersion: sbc.io/v1alpha1
                kind: SipDispatcher
                metadata:
                  name: pool
                spec:
                  destinations:
                    - uri: sip:127.0.0.1:5090
                      maxCalls: 0
                """);
    assertTrue(
        errorAt(errors, "spec.limits.maxCallSeconds").contains("60..604800"), errors.toString());
    assertTrue(
        errorAt(errors, "spec.rules[0].callLimits")
            .contains("give maxCalls, maxCallsPerSecond and/or maxCallsPerSource"),
        errors.toString());
    assertTrue(
        errorAt(errors, "spec.rules[0].callLimits.retryAfterSeconds").contains("0..86400"),
        errors.toString());
    assertTrue(
        errorAt(errors, "spec.rules[1].callLimits.maxCalls").contains("1..10000000"),
        errors.toString());
    assertTrue(
        errorAt(errors, "spec.rules[1].callLimits.maxCallsPerSecond").contains("1..1000000"),
        errors.toString());
    assertTrue(
        errorAt(errors, "spec.rules[2].callLimits").contains("only for a rule with backendRefs"),
        errors.toString());
    assertTrue(
        errorAt(errors, "spec.destinations[0].maxCalls").contains("1..10000000"),
        errors.toString());
  }
}
