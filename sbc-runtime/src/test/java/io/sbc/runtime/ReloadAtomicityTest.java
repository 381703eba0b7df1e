package io.sbc.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sbc.api.ConfigException;
import io.sbc.runtime.config.GatewayConfig;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A reload is all or nothing: when one part of a new configuration (here a dispatcher) does not
 * compile, none of it takes effect (not its routes, not its other dispatchers), and the running
 * configuration keeps serving; a valid one then applies at once.
 */
class ReloadAtomicityTest {
  Vertx vertx;
  SbcStack stack;
  DatagramSocket backendA;
  DatagramSocket backendB;
  DatagramSocket caller;
  int port;

  String config(int backend, String dispatcherUri) {
    return """
        apiVersion: sbc.io/v1alpha1
        kind: SipGateway
        metadata:
          name: gw
        spec:
          listeners:
            - name: udp
              protocol: SIP-UDP
              address: 127.0.0.1
              port: %d
        ---
        apiVersion: sbc.io/v1alpha1
        kind: SipRoute
        metadata:
          name: r
        spec:
          parentRefs: [{name: gw}]
          rules:
            - matches: [{requestUri: {user: {type: Exact, value: "pooled"}}}]
              allowRelay: true
              backendRefs: [{kind: SipDispatcher, name: pool}]
            - allowRelay: true
              backendRefs: [{uri: "sip:127.0.0.1:%d"}]
        ---
        apiVersion: sbc.io/v1alpha1
        kind: SipDispatcher
        metadata:
          name: pool
        spec:
          destinations: [{uri: "%s"}]
          probe: {enabled: false}
        """
        .formatted(port, backend, dispatcherUri);
  }

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true).setEventLoopPoolSize(2));
    backendA = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
    backendB = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
    caller = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
    for (DatagramSocket s : List.of(backendA, backendB, caller)) {
      s.setSoTimeout(1500);
    }
    try (DatagramSocket probe = new DatagramSocket(0)) {
      port = probe.getLocalPort();
    }
    stack =
        SbcStack.start(
            GatewayConfig.load(
                "gw.yaml", config(backendA.getLocalPort(), "sip:127.0.0.1:15999"), null),
            vertx);
  }

  @AfterEach
  void stop() throws Exception {
    stack.close();
    for (DatagramSocket s : List.of(backendA, backendB, caller)) {
      s.close();
    }
    vertx.close().toCompletionStage().toCompletableFuture().get();
  }

  int n;

  /** Sends an INVITE for {@code user}; returns true when {@code backend} receives it. */
  boolean reaches(String user, DatagramSocket backend) throws Exception {
    String inv =
        "INVITE sip:"
            + user
            + "@example.com SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 127.0.0.1:"
            + caller.getLocalPort()
            + ";branch=z9hG4bKreload"
            + (++n)
            + ";rport\r\nMax-Forwards: 70\r\nFrom: <sip:a@example.com>;tag=a\r\n"
            + "To: <sip:"
            + user
            + "@example.com>\r\nCall-ID: reload-"
            + n
            + "\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
    byte[] b = inv.getBytes(StandardCharsets.ISO_8859_1);
    caller.send(new DatagramPacket(b, b.length, InetAddress.getByName("127.0.0.1"), port));
    byte[] buf = new byte[65535];
    DatagramPacket p = new DatagramPacket(buf, buf.length);
    try {
      backend.receive(p);
      return new String(buf, 0, p.getLength(), StandardCharsets.ISO_8859_1)
          .contains("Call-ID: reload-" + n);
    } catch (SocketTimeoutException e) {
      return false;
    }
  }

  @Test
  void aConfigurationWithOneBadPartChangesNothing() throws Exception {
    assertTrue(reaches("bob", backendA));
    GatewayConfig bad =
        GatewayConfig.load("gw.yaml", config(backendB.getLocalPort(), "sip:127.0.0.1:15998"), null);
    // A dispatcher that the validator would not let through but the runtime refuses anyway:
    // the runtime is the last line (a configuration reaching it by another path).
    bad.dispatchers().get(0).spec.destinations.get(0).uri = "sip:127.0.0.1:15998;transport=sctp";
    ConfigException e = assertThrows(ConfigException.class, () -> stack.reload(bad));
    assertTrue(e.errors().toString().contains("SipDispatcher/pool"), e.errors().toString());
    assertTrue(reaches("bob", backendA), "the routes of the refused configuration never applied");
    assertEquals(
        "sip:127.0.0.1:15999",
        stack.dispatcherStatus().get("pool").get(0).uri(),
        "nor its dispatcher");
    stack.reload(
        GatewayConfig.load(
            "gw.yaml", config(backendB.getLocalPort(), "sip:127.0.0.1:15998"), null));
    assertTrue(reaches("bob", backendB), "a valid configuration applies at once");
    assertEquals("sip:127.0.0.1:15998", stack.dispatcherStatus().get("pool").get(0).uri());
  }
}
