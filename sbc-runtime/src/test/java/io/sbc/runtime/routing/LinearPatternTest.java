package io.sbc.runtime.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sbc.runtime.config.GatewayConfig;
import io.sbc.runtime.sip.message.SipMessage;
import io.sbc.runtime.sip.proxy.RouteAction;
import io.sbc.runtime.sip.transport.Flow;
import io.sbc.runtime.sip.transport.Listener;
import io.sbc.runtime.sip.transport.Protocol;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * User-written patterns run on RE2: a request whose user or header value is built to make a
 * backtracking engine explode ((a+)+$ against "aaaa...a!") is decided in linear time. With
 * java.util.regex each of these decisions would take longer than the universe has existed.
 */
class LinearPatternTest {
  static final String LONG = "a".repeat(10_000) + "!";

  static final String CONFIG =
      """
      apiVersion: sbc.io/v1alpha1
      kind: SipGateway
      metadata:
        name: gw
      spec:
        listeners:
          - name: udp
            protocol: SIP-UDP
            address: 127.0.0.1
            port: 5060
        domains: [sbc.example.com]
      ---
      apiVersion: sbc.io/v1alpha1
      kind: SipRoute
      metadata:
        name: patterns
      spec:
        parentRefs: [{name: gw}]
        rules:
          - name: user-pattern
            matches: [{requestUri: {user: {type: RegularExpression, value: '(a+)+$'}}}]
            backendRefs: [{uri: "sip:127.0.0.1:6001"}]
          - name: header-pattern
            matches: [{headers: [{name: X-Tag, type: RegularExpression, value: '(a|aa)+$'}]}]
            backendRefs: [{uri: "sip:127.0.0.1:6002"}]
          - name: host-pattern
            matches: [{from: {host: {type: RegularExpression, value: '(x+x+)+y'}}}]
            backendRefs: [{uri: "sip:127.0.0.1:6003"}]
          - name: rewrite
            matches: [{requestUri: {user: {type: Prefix, value: "b"}}}]
            filters: [{type: RewriteUser, rewriteUser: {replace: {pattern: '(b+)+c', substitution: 'x'}}}]
            backendRefs: [{uri: "sip:127.0.0.1:6004"}]
      """;

  static RoutingTable table;

  @BeforeAll
  static void compile() throws Exception {
    table =
        GatewayConfig.load("gw.yaml", CONFIG, null)
            .router(n -> null, () -> new SplittableRandom(1));
  }

  static RouteAction route(String user, String fromHost, String tag) {
    String r =
        "INVITE sip:"
            + user
            + "@sbc.example.com SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1\r\n"
            + "Max-Forwards: 70\r\n"
            + "From: <sip:alice@"
            + fromHost
            + ">;tag=1\r\n"
            + "To: <sip:bob@sbc.example.com>\r\n"
            + "Call-ID: linear@client.example.com\r\n"
            + "CSeq: 1 INVITE\r\n"
            + (tag == null ? "" : "X-Tag: " + tag + "\r\n")
            + "Content-Length: 0\r\n\r\n";
    byte[] b = r.getBytes(StandardCharsets.UTF_8);
    SipMessage m = RoutingEdgeCasesTest.DECODER.decode(b, b.length, false);
    assertNull(m.error(), () -> "does not decode: " + m.error());
    Listener l = new Listener("udp", Protocol.UDP, new InetSocketAddress("127.0.0.1", 5060), null);
    return assertTimeoutPreemptively(
        Duration.ofSeconds(10),
        () -> table.route(m, new Flow(l, new InetSocketAddress("192.0.2.1", 5060), null)));
  }

  @Test
  void userPattern() {
    assertEquals("user-pattern", route("a".repeat(10_000), "client.example.com", null).rule());
    // The catastrophic case: no rule applies, and the answer comes at once.
    assertEquals(404, route(LONG, "client.example.com", null).status());
  }

  @Test
  void headerPattern() {
    assertEquals("header-pattern", route("zz", "client.example.com", "a".repeat(10_000)).rule());
    assertEquals(404, route("zz", "client.example.com", LONG).status());
  }

  /** A host label is at most 63 characters (the decoder refuses more), plenty for (x+x+)+y. */
  @Test
  void hostPattern() {
    assertEquals("host-pattern", route("zz", "x".repeat(62) + "y", null).rule());
    assertEquals(404, route("zz", "x".repeat(63), null).status());
  }

  @Test
  void rewritePattern() {
    RouteAction a = route("b".repeat(10_000) + "c", "client.example.com", null);
    assertEquals("sip:x@sbc.example.com", a.rewrite().requestUri());
    a = route("b".repeat(10_000), "client.example.com", null);
    assertEquals("rewrite", a.rule());
    assertTrue(a.rewrite().requestUri().startsWith("sip:bbbb"));
  }
}
