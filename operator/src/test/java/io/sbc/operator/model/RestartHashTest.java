package io.sbc.operator.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.sbc.api.SipGateway;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The pods roll for what the runtime applies only at start, not for what it reloads: a listener's
 * allow and deny networks and the anti-flood settings reload; its port and the limits do not.
 */
class RestartHashTest {
  static SipGateway.Spec spec() {
    SipGateway.Spec s = new SipGateway.Spec();
    SipGateway.Listener l = new SipGateway.Listener();
    l.name = "udp";
    l.protocol = "SIP-UDP";
    l.port = 5060;
    s.listeners.add(l);
    return s;
  }

  @Test
  void reloadableSourceSettingsDoNotRollThePods() {
    String before = WorkloadModel.restartHash(spec());
    SipGateway.Spec s = spec();
    s.listeners.get(0).allow = List.of("10.0.0.0/8");
    s.listeners.get(0).deny = List.of("10.1.0.0/16");
    s.antiFlood = new SipGateway.AntiFlood();
    s.scanners.userAgents = List.of("iWar");
    assertEquals(before, WorkloadModel.restartHash(s));
  }

  @Test
  void startOnlySettingsRollThePods() {
    String before = WorkloadModel.restartHash(spec());
    SipGateway.Spec port = spec();
    port.listeners.get(0).port = 5070;
    assertNotEquals(before, WorkloadModel.restartHash(port));
    SipGateway.Spec limits = spec();
    limits.limits.maxCallSeconds = 3600;
    assertNotEquals(before, WorkloadModel.restartHash(limits));
  }
}
