package io.sbc.runtime.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.sbc.runtime.config.GatewayConfig;
import io.sbc.runtime.sip.message.SipLimits;
import io.sbc.runtime.sip.message.SipMessage;
import io.sbc.runtime.sip.message.SipMessageDecoder;
import io.sbc.runtime.sip.proxy.RouteAction;
import io.sbc.runtime.sip.proxy.Target;
import io.sbc.runtime.sip.transport.Flow;
import io.sbc.runtime.sip.transport.Listener;
import io.sbc.runtime.sip.transport.Protocol;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Routing corner cases found while writing the conformance suite: IPv6 hosts, route order. */
class RoutingEdgeCasesTest {
  static final SipMessageDecoder DECODER = new SipMessageDecoder(SipLimits.DEFAULT);

  @TempDir Path dir;

  RoutingTable table(String gatewaySpec, String rules) throws Exception {
    String yaml =
        "apiVersion: sbc.io/v1alpha1\n"
            + "kind: SipGateway\n"
            + "metadata:\n"
            + "  name: gw\n"
            + "spec:\n"
            + gatewaySpec
            + "---\n"
            + rules;
    Path f = dir.resolve("gw.yaml");
    Files.writeString(f, yaml);
    return GatewayConfig.load(f, null).router(n -> null, () -> new SplittableRandom(1));
  }

  static RouteAction route(RoutingTable t, String ruri, String listenerHost) {
    String r =
        "INVITE "
            + ruri
            + " SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1\r\n"
            + "Max-Forwards: 70\r\n"
            + "From: <sip:alice@client.example.com>;tag=1\r\n"
            + "To: <"
            + ruri
            + ">\r\n"
            + "Call-ID: edge@client.example.com\r\n"
            + "CSeq: 1 INVITE\r\n"
            + "Contact: <sip:alice@192.0.2.1:5060>\r\n"
            + "Content-Length: 0\r\n\r\n";
    byte[] b = r.getBytes(StandardCharsets.UTF_8);
    SipMessage m = DECODER.decode(b, b.length, false);
    assertNull(m.error(), () -> "does not decode: " + m.error());
    Listener l = new Listener("udp", Protocol.UDP, new InetSocketAddress(listenerHost, 5060), null);
    return t.route(m, new Flow(l, new InetSocketAddress("192.0.2.1", 5060), null));
  }

  static final String V4_LISTENER =
      "  listeners:\n"
          + "    - name: udp\n"
          + "      protocol: SIP-UDP\n"
          + "      address: 127.0.0.1\n"
          + "      port: 5060\n";

  static String route(String name, String body) {
    return "apiVersion: sbc.io/v1alpha1\n"
        + "kind: SipRoute\n"
        + "metadata:\n"
        + "  name: "
        + name
        + "\n"
        + "spec:\n"
        + "  parentRefs:\n"
        + "    - name: gw\n"
        + "  rules:\n"
        + body;
  }

  /** The validator takes an IPv6 host without brackets; the URI written must have them. */
  @Test
  void rewriteRequestUriToIpv6HostAddsBrackets() throws Exception {
    RoutingTable t =
        table(
            V4_LISTENER,
            route(
                "r",
                "    - filters:\n"
                    + "        - type: RewriteRequestUri\n"
                    + "          rewriteRequestUri:\n"
                    + "            host: 2001:db8::10\n"
                    + "            port: 5080\n"
                    + "      backendRefs:\n"
                    + "        - uri: sip:127.0.0.1:6001\n"));
    RouteAction a = route(t, "sip:bob@127.0.0.1;transport=udp", "127.0.0.1");
    assertEquals("sip:bob@[2001:db8::10]:5080;transport=udp", a.rewrite().requestUri());
    a = route(t, "sip:bob@127.0.0.1:5060", "127.0.0.1");
    assertEquals("sip:bob@[2001:db8::10]:5080", a.rewrite().requestUri());
  }

  /** An IPv6 domain is written without brackets; Request-URIs carry them, in any text form. */
  @Test
  void ipv6DomainIsServed() throws Exception {
    RoutingTable t =
        table(
            V4_LISTENER + "  domains:\n    - 2001:DB8::1\n",
            route("r", "    - backendRefs:\n        - uri: sip:127.0.0.1:6001\n"));
    assertEquals(0, route(t, "sip:bob@[2001:db8::1]", "127.0.0.1").status());
    assertEquals(0, route(t, "sip:bob@[2001:DB8:0:0::1]:5060", "127.0.0.1").status());
    assertEquals(403, route(t, "sip:bob@[2001:db8::2]", "127.0.0.1").status());
  }

  /** An IPv6 listener's address is served in whatever text form the peer wrote it. */
  @Test
  void ipv6ListenerAddressIsServed() throws Exception {
    RoutingTable t =
        table(
            "  listeners:\n"
                + "    - name: udp\n"
                + "      protocol: SIP-UDP\n"
                + "      address: \"::1\"\n"
                + "      port: 5060\n",
            route("r", "    - backendRefs:\n        - uri: sip:127.0.0.1:6001\n"));
    assertEquals(0, route(t, "sip:bob@[::1]:5060", "::1").status());
    assertEquals(0, route(t, "sip:bob@[0:0:0:0:0:0:0:1]", "::1").status());
    assertEquals(403, route(t, "sip:bob@[::2]", "::1").status());
  }

  /** Same class, same number of conditions, in two routes: the route read first wins. */
  @Test
  void documentOrderAcrossRoutes() throws Exception {
    RoutingTable t =
        table(
            V4_LISTENER,
            route(
                    "first",
                    "    - matches:\n"
                        + "        - requestUri:\n"
                        + "            user: {type: Prefix, value: \"44\"}\n"
                        + "      backendRefs:\n"
                        + "        - uri: sip:127.0.0.1:6001\n")
                + "---\n"
                + route(
                    "second",
                    "    - matches:\n"
                        + "        - requestUri:\n"
                        + "            user: {type: Prefix, value: \"44\"}\n"
                        + "      backendRefs:\n"
                        + "        - uri: sip:127.0.0.1:6002\n"
                        + "    - matches:\n"
                        + "        - requestUri:\n"
                        + "            user: {type: Prefix, value: \"441\"}\n"
                        + "      backendRefs:\n"
                        + "        - uri: sip:127.0.0.1:6003\n"));
    assertEquals(
        "sip:127.0.0.1:6001",
        route(t, "sip:4420@127.0.0.1", "127.0.0.1").targets().stream()
            .map(Target::uri)
            .findFirst()
            .orElseThrow());
    assertEquals(
        "sip:127.0.0.1:6003", route(t, "sip:4412@127.0.0.1", "127.0.0.1").targets().get(0).uri());
  }
}
