package io.sbc.api;

import static io.sbc.api.ConfigReaderTest.errorAt;
import static io.sbc.api.ConfigReaderTest.errors;
import static io.sbc.api.ConfigReaderTest.read;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * spec.antiFlood, spec.scanners and the listeners' allow and deny networks: defaults and errors.
 */
class SourceAdmissionModelTest {
  static String gateway(String listenerExtra, String specExtra) {
    return """
        apiVersion: sbc.io/v1alpha1
        kind: SipGateway
        metadata:
          name: edge
        spec:
          listeners:
            - name: udp
              protocol: SIP-UDP
              port: 15060
        %s
        %s
        """
        .formatted(listenerExtra.indent(6).stripTrailing(), specExtra.indent(2).stripTrailing());
  }

  @Test
  void defaultsAreNoLimitAndScannersBlocked() {
    SipGateway g = read(gateway("", "")).gateways().get(0);
    assertNull(g.spec.antiFlood, "no rate limit unless antiFlood is set");
    assertEquals(Boolean.TRUE, g.spec.scanners.block);
    assertEquals(List.of(), g.spec.scanners.userAgents);
    assertEquals(List.of(), g.spec.listeners.get(0).allow);
    assertEquals(List.of(), g.spec.listeners.get(0).deny);
    assertEquals(List.of("friendly-scanner", "sipvicious", "sipcli"), Defaults.SCANNER_USER_AGENTS);
  }

  @Test
  void anEmptyAntiFloodTakesTheDefaults() {
    SipGateway g = read(gateway("", "antiFlood: {}")).gateways().get(0);
    assertEquals(Defaults.ANTI_FLOOD_REQUESTS_PER_SECOND, g.spec.antiFlood.requestsPerSecond);
    assertEquals(Defaults.ANTI_FLOOD_BURST, g.spec.antiFlood.burst);
    assertEquals(Defaults.ANTI_FLOOD_BAN_SECONDS, g.spec.antiFlood.banSeconds);
    assertEquals(List.of(), g.spec.antiFlood.exempt);
  }

  @Test
  void everyFieldIsReadAsWritten() {
    SipGateway g =
        read(gateway(
                """
                allow: [10.0.0.0/8, "2001:db8::/32"]
                deny: [10.1.2.3]
                """,
                """
                antiFlood: {requestsPerSecond: 1000, burst: 2000, banSeconds: 0, exempt: [192.0.2.0/24]}
                scanners: {block: false, userAgents: [evil-scan]}
                """))
            .gateways()
            .get(0);
    assertEquals(List.of("10.0.0.0/8", "2001:db8::/32"), g.spec.listeners.get(0).allow);
    assertEquals(List.of("10.1.2.3"), g.spec.listeners.get(0).deny);
    assertEquals(1000, g.spec.antiFlood.requestsPerSecond);
    assertEquals(2000, g.spec.antiFlood.burst);
    assertEquals(0, g.spec.antiFlood.banSeconds);
    assertEquals(List.of("192.0.2.0/24"), g.spec.antiFlood.exempt);
    assertEquals(Boolean.FALSE, g.spec.scanners.block);
    assertEquals(List.of("evil-scan"), g.spec.scanners.userAgents);
  }

  @Test
  void errorsNameTheField() {
    List<String> errors =
        errors(
            gateway(
                """
                allow: [10.0.0.0/33]
                deny: ["[2001:db8::]/32", somehost]
                """,
                """
                antiFlood: {requestsPerSecond: 0, burst: 0, banSeconds: -1, exempt: [300.1.1.1]}
                scanners: {userAgents: ["", "bad\\u0001agent"]}
                """));
    assertTrue(
        errorAt(errors, "spec.listeners[0].allow[0]").contains("prefix length"), errors.toString());
    assertTrue(
        errorAt(errors, "spec.listeners[0].deny[0]").contains("without brackets"),
        errors.toString());
    assertTrue(
        errorAt(errors, "spec.listeners[0].deny[1]").contains("not an IPv4 or IPv6"),
        errors.toString());
    assertTrue(
        errorAt(errors, "spec.antiFlood.requestsPerSecond").contains("1..1000000"),
        errors.toString());
    assertTrue(errorAt(errors, "spec.antiFlood.burst").contains("1..1000000"), errors.toString());
    assertTrue(
        errorAt(errors, "spec.antiFlood.banSeconds").contains("0..86400"), errors.toString());
    assertTrue(
        errorAt(errors, "spec.antiFlood.exempt[0]").contains("not an IPv4 or IPv6"),
        errors.toString());
    assertTrue(errorAt(errors, "spec.scanners.userAgents[0]").contains("empty"), errors.toString());
    assertTrue(
        errorAt(errors, "spec.scanners.userAgents[1]").contains("printable"), errors.toString());
  }

  @Test
  void unknownFieldsAreNamed() {
    List<String> errors = errors(gateway("", "antiFlood: {requestsPerSec: 10}"));
    assertTrue(
        errors.stream().anyMatch(e -> e.contains("spec.antiFlood.requestsPerSec")),
        errors.toString());
  }
}
