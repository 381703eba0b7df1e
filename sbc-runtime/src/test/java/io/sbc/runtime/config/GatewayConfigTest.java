package io.sbc.runtime.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sbc.api.ConfigException;
import io.sbc.runtime.sip.transaction.TimerSettings;
import io.sbc.runtime.sip.transport.Protocol;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewayConfigTest {
  @TempDir Path dir;

  static final String GATEWAY =
      """
      apiVersion: sbc.io/v1alpha1
      kind: SipGateway
      metadata:
        name: %s
      spec:
        listeners:
          - name: udp
            protocol: SIP-UDP
            address: 127.0.0.1
            port: %d
      ---
      """;

  static final String ROUTE =
      """
      apiVersion: sbc.io/v1alpha1
      kind: SipRoute
      metadata:
        name: r-%1$s
      spec:
        parentRefs: [{name: %1$s}]
        rules:
          - backendRefs:
              - uri: sip:127.0.0.1:%2$d;transport=tcp
      """;

  Path write(String text) throws IOException {
    Path f = dir.resolve("sbc.yaml");
    Files.writeString(f, text);
    return f;
  }

  @Test
  void loadsAndCompiles() throws Exception {
    GatewayConfig c =
        GatewayConfig.load(
            write(GATEWAY.formatted("a", 15060) + ROUTE.formatted("a", 15090)), null);
    assertEquals("a", c.name());
    assertEquals(1, c.listeners().size());
    assertEquals(15060, c.listeners().get(0).bindAddress().getPort());
    assertEquals(Protocol.UDP, c.listeners().get(0).protocol());
  }

  @Test
  void timersReachTheTransactionLayer() throws Exception {
    String gateway =
        GATEWAY
            .formatted("a", 15060)
            .replace("---\n", "  timers: {t1: 250, timerC: 181000, timerD: 40000}\n---\n");
    GatewayConfig c = GatewayConfig.load(write(gateway + ROUTE.formatted("a", 15090)), null);
    assertEquals(new TimerSettings(250, 4000, 5000, 181_000, 40_000), c.timers());
    GatewayConfig d =
        GatewayConfig.load(
            write(GATEWAY.formatted("a", 15060) + ROUTE.formatted("a", 15090)), null);
    assertEquals(TimerSettings.DEFAULT, d.timers());
  }

  @Test
  void missingFileIsNamed() {
    Path f = dir.resolve("nope.yaml");
    ConfigException e = assertThrows(ConfigException.class, () -> GatewayConfig.load(f, null));
    assertEquals(f + ": cannot read: no such file", e.getMessage());
  }

  @Test
  void errorsNameTheFile() throws IOException {
    Path f = write(GATEWAY.formatted("a", 70000) + ROUTE.formatted("a", 15090));
    ConfigException e = assertThrows(ConfigException.class, () -> GatewayConfig.load(f, null));
    assertTrue(
        e.getMessage().startsWith(f + ": document 1 (SipGateway/a): spec.listeners[0].port: "),
        e.getMessage());
  }

  @Test
  void severalGatewaysNeedAName() throws Exception {
    Path f =
        write(
            GATEWAY.formatted("a", 15060)
                + GATEWAY.formatted("b", 15061)
                + ROUTE.formatted("a", 15090)
                + "---\n"
                + ROUTE.formatted("b", 15091));
    ConfigException e = assertThrows(ConfigException.class, () -> GatewayConfig.load(f, null));
    assertTrue(e.getMessage().contains("choose one with --gateway"), e.getMessage());
    assertEquals(15061, GatewayConfig.load(f, "b").listeners().get(0).bindAddress().getPort());
    e = assertThrows(ConfigException.class, () -> GatewayConfig.load(f, "c"));
    assertTrue(e.getMessage().contains("no SipGateway named 'c' (there is a, b)"), e.getMessage());
  }

  @Test
  void serviceRefNeedsTheOperator() throws Exception {
    String text =
        GATEWAY.formatted("a", 15060)
            + """
            apiVersion: sbc.io/v1alpha1
            kind: SipDispatcher
            metadata:
              name: pool
            spec:
              destinations:
                - uri: sip:127.0.0.1:15090
                - serviceRef: {name: pbx, port: 5060}
            """;
    ConfigException e =
        assertThrows(ConfigException.class, () -> GatewayConfig.load(write(text), null));
    assertEquals(1, e.errors().size(), e.getMessage());
    assertTrue(
        e.errors()
            .get(0)
            .endsWith(
                "sbc.yaml: SipDispatcher/pool: spec.destinations[1].serviceRef: serviceRef needs"
                    + " the operator: it is resolved to endpoint addresses in a cluster"),
        e.getMessage());
  }

  static final String WILDCARD =
      """
      apiVersion: sbc.io/v1alpha1
      kind: SipGateway
      metadata:
        name: w
      spec:
        listeners:
          - name: any
            protocol: SIP-UDP
            address: 0.0.0.0
            port: 5060
          - name: fixed
            protocol: SIP-TCP
            address: 0.0.0.0
            port: 5060
            advertisedAddress: sip.example.com
          - name: lo
            protocol: SIP-UDP
            address: 127.0.0.1
            port: 5070
      """;

  @Test
  void theEnvironmentGivesWildcardListenersTheirAddress() throws Exception {
    GatewayConfig c =
        GatewayConfig.compile(
            "w.yaml",
            io.sbc.api.ConfigReader.read("w.yaml", WILDCARD),
            null,
            java.util.Map.of(io.sbc.api.Defaults.ADVERTISED_ADDRESS_ENV, "10.1.2.3"));
    assertEquals("10.1.2.3", c.listeners().get(0).host(), "the pod's address");
    assertEquals("sip.example.com", c.listeners().get(1).host(), "advertisedAddress wins");
    assertEquals("127.0.0.1", c.listeners().get(2).host(), "a specific bind is itself");
    assertTrue(c.myself().isMine("10.1.2.3", 5060));
    assertTrue(c.myself().isMine("sip.example.com", 5060));
    GatewayConfig none =
        GatewayConfig.compile(
            "w.yaml", io.sbc.api.ConfigReader.read("w.yaml", WILDCARD), null, java.util.Map.of());
    assertEquals(null, none.listeners().get(0).host(), "the interface a message leaves from");
  }

  /**
   * Behind a NodePort Service peers reach a listener at the node's address and the node port: the
   * operator gives both through the environment; Via and Record-Route carry them, and a URI naming
   * the node port is ours, as one naming the bind port still is.
   */
  @Test
  void theEnvironmentGivesListenersTheNodePortToAdvertise() throws Exception {
    GatewayConfig c =
        GatewayConfig.compile(
            "w.yaml",
            io.sbc.api.ConfigReader.read("w.yaml", WILDCARD),
            null,
            java.util.Map.of(
                io.sbc.api.Defaults.ADVERTISED_ADDRESS_ENV, "192.0.2.7",
                io.sbc.api.Defaults.ADVERTISED_PORTS_ENV, "any=30506, fixed=30507"));
    var any = c.listeners().get(0);
    assertEquals(5060, any.port(), "still bound to its own port");
    assertEquals(30506, any.advertisedPort());
    assertEquals(
        "Via: SIP/2.0/UDP 192.0.2.7:30506;rport;branch=",
        new String(any.viaPrefix(), java.nio.charset.StandardCharsets.ISO_8859_1));
    assertEquals(
        "<sip:192.0.2.7:30506;lr",
        new String(
            any.names(null).recordRouteStart(), java.nio.charset.StandardCharsets.ISO_8859_1));
    assertEquals(30507, c.listeners().get(1).advertisedPort());
    assertEquals(5070, c.listeners().get(2).advertisedPort(), "not named: its own port");
    assertTrue(c.myself().isMine("192.0.2.7", 30506));
    assertTrue(c.myself().isMine("192.0.2.7", 5060));
    assertTrue(!c.myself().isMine("192.0.2.7", 30999));
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                GatewayConfig.compile(
                    "w.yaml",
                    io.sbc.api.ConfigReader.read("w.yaml", WILDCARD),
                    null,
                    java.util.Map.of(
                        io.sbc.api.Defaults.ADVERTISED_PORTS_ENV, "any=30506,nosuch=1,lo=x")));
    assertEquals(2, e.errors().size(), e.errors().toString());
    assertTrue(
        e.errors().get(0).contains("SBC_ADVERTISED_PORTS: 'nosuch=1'"), e.errors().toString());
  }

  @Test
  void aBadAdvertisedAddressInTheEnvironmentIsRefusedByName() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                GatewayConfig.compile(
                    "w.yaml",
                    io.sbc.api.ConfigReader.read("w.yaml", WILDCARD),
                    null,
                    java.util.Map.of(
                        io.sbc.api.Defaults.ADVERTISED_ADDRESS_ENV, "10.0.0.1\r\nX-Evil: 1")));
    assertTrue(
        e.errors().get(0).contains(io.sbc.api.Defaults.ADVERTISED_ADDRESS_ENV),
        e.errors().toString());
  }

  @Test
  void sealingSecretsComeFromFilesAndAreCheckedByField() throws Exception {
    Path current = dir.resolve("current");
    Files.writeString(current, "0123456789abcdef0123456789abcdef\n");
    Path old = dir.resolve("previous");
    Files.writeString(old, "an older secret of enough bytes");
    String sealing =
        """
          sealing:
            secretFile: %s
            previousSecretFiles: [%s]
        """
            .formatted(current, old);
    GatewayConfig c =
        GatewayConfig.load(write(GATEWAY.formatted("s", 15060).replace("---\n", sealing)), null);
    assertEquals(2, c.sealKeys().keys().size());
    assertTrue(!c.sealKeys().isGenerated());
    // A secret file that is missing, or too short, is refused naming the field.
    Files.writeString(old, "short");
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                GatewayConfig.load(
                    write(GATEWAY.formatted("s", 15060).replace("---\n", sealing)), null));
    assertTrue(
        e.errors().toString().contains("spec.sealing.previousSecretFiles[0]"),
        e.errors().toString());
    Files.delete(current);
    e =
        assertThrows(
            ConfigException.class,
            () ->
                GatewayConfig.load(
                    write(GATEWAY.formatted("s", 15060).replace("---\n", sealing)), null));
    assertTrue(e.errors().toString().contains("spec.sealing.secretFile"), e.errors().toString());
    assertTrue(e.errors().toString().contains("no such file"), e.errors().toString());
  }
}
