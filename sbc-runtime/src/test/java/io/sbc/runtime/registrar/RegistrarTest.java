package io.sbc.runtime.registrar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sbc.runtime.auth.AuthenticationStage;
import io.sbc.runtime.seal.SealKeys;
import io.sbc.runtime.sip.message.HeaderName;
import io.sbc.runtime.sip.message.SipLimits;
import io.sbc.runtime.sip.message.SipMessage;
import io.sbc.runtime.sip.message.SipMessageDecoder;
import io.sbc.runtime.sip.proxy.AccessPolicy;
import io.sbc.runtime.sip.proxy.EdgePolicy;
import io.sbc.runtime.sip.proxy.FailoverPolicy;
import io.sbc.runtime.sip.proxy.MediaPolicy;
import io.sbc.runtime.sip.proxy.Proxy;
import io.sbc.runtime.sip.proxy.ProxySettings;
import io.sbc.runtime.sip.proxy.RouteAction;
import io.sbc.runtime.sip.proxy.Router;
import io.sbc.runtime.sip.timer.ManualClock;
import io.sbc.runtime.sip.transaction.MessageSender;
import io.sbc.runtime.sip.transaction.TimerSettings;
import io.sbc.runtime.sip.transaction.TransactionLayer;
import io.sbc.runtime.sip.transport.Flow;
import io.sbc.runtime.sip.transport.Listener;
import io.sbc.runtime.sip.transport.Loop;
import io.sbc.runtime.sip.transport.Myself;
import io.sbc.runtime.sip.transport.Protocol;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The registrar, digest authentication and lookups fed with bytes through a proxy, with a fake
 * clock: what a phone registering and a caller calling it would see.
 */
class RegistrarTest {
  static final SipMessageDecoder DECODER = new SipMessageDecoder(SipLimits.DEFAULT);
  static final String DOMAIN = "example.com";
  static final String PASSWORD = "s3cret";

  final ManualClock clock = new ManualClock(1_700_000_000_000L);
  final Loop loop = new Loop(0, null, null, clock);
  final List<Sent> sent = new ArrayList<>();

  record Sent(InetSocketAddress to, Protocol protocol, SipMessage message) {}

  final MessageSender sender =
      (l, flow, data, onFailure) ->
          sent.add(
              new Sent(flow.remote(), flow.protocol(), DECODER.decode(data, data.length, false)));
  final TransactionLayer tl =
      new TransactionLayer(sender, new TimerSettings(500, 4000, 5000, 180000));
  final Listener udp =
      new Listener("udp", Protocol.UDP, new InetSocketAddress("127.0.0.1", 5060), null);
  final Listener tcp =
      new Listener("tcp", Protocol.TCP, new InetSocketAddress("127.0.0.1", 5060), null);

  RegistrarSettings settings =
      new RegistrarSettings(
          List.of(DOMAIN),
          60,
          3600,
          3600,
          2,
          true,
          1000,
          true,
          300,
          3,
          60,
          Map.of("+4930123", "sip:alice@example.com"),
          List.of("SHA-256", "MD5"));
  final InMemoryLocationStore store = new InMemoryLocationStore(clock, loop, 1000);
  final Subscriber alice =
      new Subscriber(
          "alice",
          DOMAIN,
          AuthenticationStage.ha1("alice", DOMAIN, PASSWORD, false),
          AuthenticationStage.ha1("alice", DOMAIN, PASSWORD, true));
  final AuthenticationStage auth =
      new AuthenticationStage(
          settings,
          new InMemoryCredentialStore(List.of(alice)),
          SealKeys.of(
              List.of("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII))),
          clock);

  final AccessPolicy registerPolicy =
      new AccessPolicy(AccessPolicy.Registrar.REGISTER, true, true, a -> false, true);
  final AccessPolicy lookupPolicy =
      new AccessPolicy(AccessPolicy.Registrar.LOOKUP, false, false, a -> false, false);
  final Router router =
      (m, f) ->
          new RouteAction(
              List.of(),
              true,
              true,
              0,
              null,
              null,
              null,
              FailoverPolicy.DEFAULT,
              "test",
              EdgePolicy.NONE,
              null,
              MediaPolicy.NONE,
              m.method().equals("REGISTER") ? registerPolicy : lookupPolicy);
  final Proxy proxy =
      Proxy.builder()
          .decoder(DECODER)
          .transactions(tl)
          .settings(new ProxySettings(false, 70))
          .myself(new Myself(List.of(udp, tcp), Set.of(), Set.of(DOMAIN)))
          .router(router)
          .clock(clock)
          .routed(auth)
          .routed(new RegistrarStage(settings, store, clock, null))
          .routed(new LookupStage(settings, store))
          .build();

  final InetSocketAddress phone = new InetSocketAddress("127.0.0.4", 5070);
  int cseq = 1;
  int branch = 1;

  String register(String callId, String contact, String extra) {
    return "REGISTER sip:example.com SIP/2.0\r\n"
        + "Via: SIP/2.0/UDP 127.0.0.4:5070;branch=z9hG4bK-r"
        + (branch++)
        + ";rport\r\n"
        + "Max-Forwards: 70\r\n"
        + "From: <sip:alice@example.com>;tag=r1\r\n"
        + "To: <sip:alice@example.com>\r\n"
        + "Call-ID: "
        + callId
        + "\r\n"
        + "CSeq: "
        + (cseq++)
        + " REGISTER\r\n"
        + (contact == null ? "" : "Contact: " + contact + "\r\n")
        + extra
        + "Content-Length: 0\r\n\r\n";
  }

  SipMessage send(InetSocketAddress from, Listener on, String text) {
    int before = sent.size();
    proxy.receive(loop, new Flow(on, from, null), text.getBytes(StandardCharsets.ISO_8859_1));
    for (int i = before; i < sent.size(); i++) {
      SipMessage m = sent.get(i).message();
      if (m.isResponse() && m.status() >= 200) {
        return m;
      }
    }
    return null;
  }

  /** The Authorization value answering {@code challenge} (a 401) with this password. */
  static String authorization(SipMessage challenge, boolean sha, String password, int nc) {
    String www = null;
    for (int h = challenge.findHeader(HeaderName.WWW_AUTHENTICATE);
        h >= 0;
        h = challenge.findHeader(HeaderName.WWW_AUTHENTICATE, h + 1)) {
      String v = challenge.text(challenge.headerValueStart(h), challenge.headerValueEnd(h));
      if (v.contains(sha ? "SHA-256" : "MD5")) {
        www = v;
      }
    }
    assertNotNull(www, "a challenge for " + (sha ? "SHA-256" : "MD5"));
    String nonce = param(www, "nonce");
    String uri = "sip:example.com";
    String ncs = String.format("%08x", nc);
    String ha1 = hex(sha, "alice:" + DOMAIN + ":" + password);
    String ha2 = hex(sha, "REGISTER:" + uri);
    String response = hex(sha, ha1 + ":" + nonce + ":" + ncs + ":c0ffee:auth:" + ha2);
    return "Authorization: Digest username=\"alice\", realm=\"example.com\", nonce=\""
        + nonce
        + "\", uri=\""
        + uri
        + "\", response=\""
        + response
        + "\", algorithm="
        + (sha ? "SHA-256" : "MD5")
        + ", qop=auth, nc="
        + ncs
        + ", cnonce=\"c0ffee\"\r\n";
  }

  static String param(String v, String name) {
    int i = v.indexOf(name + "=\"");
    return v.substring(i + name.length() + 2, v.indexOf('"', i + name.length() + 2));
  }

  static String hex(boolean sha, String s) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance(sha ? "SHA-256" : "MD5")
                  .digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static List<String> contacts(SipMessage m) {
    List<String> out = new ArrayList<>();
    for (int h = m.findHeader(HeaderName.CONTACT);
        h >= 0;
        h = m.findHeader(HeaderName.CONTACT, h + 1)) {
      out.add(m.text(m.headerValueStart(h), m.headerValueEnd(h)));
    }
    return out;
  }

  /** Registers alice's contact with digest (challenge, then credentials); returns the 200. */
  SipMessage registerWithAuth(String callId, String contact, String extra, boolean sha) {
    SipMessage challenge = send(phone, udp, register(callId, contact, extra));
    assertEquals(401, challenge.status());
    return send(
        phone, udp, register(callId, contact, extra + authorization(challenge, sha, PASSWORD, 1)));
  }

  @Test
  void challengeOffersSha256ThenMd5AndBothAuthenticate() {
    SipMessage c = send(phone, udp, register("c1", "<sip:alice@127.0.0.4:5070>", ""));
    assertEquals(401, c.status());
    List<String> www = new ArrayList<>();
    for (int h = c.findHeader(HeaderName.WWW_AUTHENTICATE);
        h >= 0;
        h = c.findHeader(HeaderName.WWW_AUTHENTICATE, h + 1)) {
      www.add(c.text(c.headerValueStart(h), c.headerValueEnd(h)));
    }
    assertEquals(2, www.size());
    assertTrue(
        www.get(0).contains("algorithm=SHA-256") && www.get(0).contains("qop=\"auth\""),
        www.get(0));
    assertTrue(
        www.get(1).contains("algorithm=MD5") && www.get(1).contains("realm=\"example.com\""),
        www.get(1));
    SipMessage ok =
        send(
            phone,
            udp,
            register("c1", "<sip:alice@127.0.0.4:5070>", authorization(c, true, PASSWORD, 1)));
    assertEquals(200, ok.status());
    assertEquals(List.of("<sip:alice@127.0.0.4:5070>;expires=3600"), contacts(ok));
    SipMessage md5 = registerWithAuth("c2", "<sip:alice@127.0.0.4:5072>", "", false);
    assertEquals(200, md5.status());
    assertEquals(2, contacts(md5).size(), contacts(md5).toString());
  }

  @Test
  void wrongPasswordIsChallengedAgainAndRepeatedFailuresBlockTheSource() {
    SipMessage c = send(phone, udp, register("w1", "<sip:alice@127.0.0.4:5070>", ""));
    for (int i = 0; i < 3; i++) {
      SipMessage again =
          send(
              phone,
              udp,
              register("w1", "<sip:alice@127.0.0.4:5070>", authorization(c, false, "wrong", 1)));
      assertEquals(401, again.status());
      c = again;
    }
    // The fourth failure within a minute passes maxAuthFailures (3): the source is blocked.
    SipMessage blocked =
        send(
            phone,
            udp,
            register("w1", "<sip:alice@127.0.0.4:5070>", authorization(c, false, "wrong", 1)));
    assertEquals(401, blocked.status());
    SipMessage refused = send(phone, udp, register("w1", "<sip:alice@127.0.0.4:5070>", ""));
    assertEquals(403, refused.status());
    assertTrue(refused.reason().contains("too many failed"), refused.reason());
    // Another source is not affected; the block ends.
    assertEquals(
        401,
        send(new InetSocketAddress("127.0.0.5", 5070), udp, register("w2", null, "")).status());
    clock.advance(61_000);
    assertEquals(401, send(phone, udp, register("w3", null, "")).status());
    assertNull(store.size() == 0 ? null : "nothing was registered");
  }

  @Test
  void replayedNonceCountIsRefusedAndStaleNonceSaysStale() {
    SipMessage c = send(phone, udp, register("p1", "<sip:alice@127.0.0.4:5070>", ""));
    String creds = authorization(c, false, PASSWORD, 1);
    assertEquals(
        200, send(phone, udp, register("p1", "<sip:alice@127.0.0.4:5070>", creds)).status());
    // The same credentials again (same nonce, same nc): a replay.
    SipMessage replay = send(phone, udp, register("p1", "<sip:alice@127.0.0.4:5070>", creds));
    assertEquals(401, replay.status());
    // A higher nc with the same nonce is fine.
    assertEquals(
        200,
        send(
                phone,
                udp,
                register("p1", "<sip:alice@127.0.0.4:5070>", authorization(c, false, PASSWORD, 2)))
            .status());
    // After the nonce lifetime: stale=true, and the retry with the new nonce is accepted.
    clock.advance(301_000);
    SipMessage stale =
        send(
            phone,
            udp,
            register("p1", "<sip:alice@127.0.0.4:5070>", authorization(c, false, PASSWORD, 3)));
    assertEquals(401, stale.status());
    String www = stale.headerValue(HeaderName.WWW_AUTHENTICATE);
    assertTrue(www.contains("stale=true"), www);
    assertEquals(
        200,
        send(
                phone,
                udp,
                register(
                    "p1", "<sip:alice@127.0.0.4:5070>", authorization(stale, false, PASSWORD, 1)))
            .status());
  }

  @Test
  void bindingsRefreshExpireAndAreRemovedByStar() {
    assertEquals(
        200, registerWithAuth("e1", "<sip:alice@127.0.0.4:5070>;expires=120", "", false).status());
    assertEquals(1, store.size());
    clock.advance(60_000);
    SipMessage query = registerWithAuth("e1", null, "", false);
    assertEquals(List.of("<sip:alice@127.0.0.4:5070>;expires=60"), contacts(query));
    // Refreshed to 300 s: the old expiry passes, the binding stays.
    registerWithAuth("e1", "<sip:alice@127.0.0.4:5070>", "Expires: 300\r\n", false);
    clock.advance(120_000);
    loop.tick();
    assertEquals(1, store.size());
    clock.advance(181_000);
    loop.tick();
    assertEquals(0, store.size(), "expired binding removed by its timer");
    registerWithAuth("e2", "<sip:alice@127.0.0.4:5070>", "", false);
    assertEquals(
        423, registerWithAuth("e2", "<sip:alice@127.0.0.4:5071>;expires=10", "", false).status());
    SipMessage bad = registerWithAuth("e2", "*", "", false);
    assertEquals(400, bad.status());
    SipMessage gone = registerWithAuth("e2", "*", "Expires: 0\r\n", false);
    assertEquals(200, gone.status());
    assertEquals(List.of(), contacts(gone));
    assertEquals(0, store.size());
  }

  @Test
  void tooBriefGetsMinExpiresAndFullAorLosesItsOldest() {
    SipMessage brief = registerWithAuth("m1", "<sip:alice@127.0.0.4:5070>;expires=30", "", false);
    assertEquals(423, brief.status());
    assertEquals("60", brief.headerValue("Min-Expires"));
    registerWithAuth("m1", "<sip:alice@127.0.0.4:5071>", "", false);
    clock.advance(1000);
    registerWithAuth("m2", "<sip:alice@127.0.0.4:5072>", "", false);
    clock.advance(1000);
    SipMessage third = registerWithAuth("m3", "<sip:alice@127.0.0.4:5073>", "", false);
    assertEquals(200, third.status());
    List<String> cs = contacts(third);
    assertEquals(2, cs.size(), cs.toString());
    assertTrue(cs.stream().noneMatch(c -> c.contains(":5071")), "the oldest was replaced: " + cs);
  }

  @Test
  void outOfOrderRegisterIsRefused() {
    registerWithAuth("o1", "<sip:alice@127.0.0.4:5070>", "", false);
    cseq = 1;
    SipMessage old = registerWithAuth("o1", "<sip:alice@127.0.0.4:5070>", "", false);
    assertEquals(500, old.status());
  }

  @Test
  void callsReachTheContactsByQAndNatedContactsThroughTheirSource() {
    registerWithAuth("l1", "<sip:alice@192.168.1.20:5060>;q=0.5", "", false);
    registerWithAuth("l2", "<sip:alice@127.0.0.9:5099>;q=0.9", "", false);
    String invite =
        "INVITE sip:alice@example.com SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 127.0.0.7:5080;branch=z9hG4bK-i1\r\n"
            + "Max-Forwards: 70\r\n"
            + "From: <sip:bob@example.com>;tag=b1\r\n"
            + "To: <sip:alice@example.com>\r\n"
            + "Call-ID: call-1\r\n"
            + "CSeq: 1 INVITE\r\n"
            + "Contact: <sip:bob@127.0.0.7:5080>\r\n"
            + "Content-Length: 0\r\n\r\n";
    int before = sent.size();
    proxy.receive(
        loop,
        new Flow(udp, new InetSocketAddress("127.0.0.7", 5080), null),
        invite.getBytes(StandardCharsets.ISO_8859_1));
    List<Sent> invites = new ArrayList<>();
    for (int i = before; i < sent.size(); i++) {
      if (sent.get(i).message().isRequest()) {
        invites.add(sent.get(i));
      }
    }
    assertEquals(2, invites.size(), "forked to both contacts");
    assertEquals(new InetSocketAddress("127.0.0.9", 5099), invites.get(0).to());
    assertEquals("sip:alice@127.0.0.9:5099", text(invites.get(0).message()));
    // The NATed contact (private address, registered from 127.0.0.4:5070) is reached at its source.
    assertEquals(new InetSocketAddress("127.0.0.4", 5070), invites.get(1).to());
    assertEquals("sip:alice@192.168.1.20:5060", text(invites.get(1).message()));
    // Through an alias (a DID) too; and nobody registered: 480.
    SipMessage none =
        send(
            new InetSocketAddress("127.0.0.7", 5080),
            udp,
            invite
                .replace("sip:alice@example.com SIP", "sip:carol@example.com SIP")
                .replace("call-1", "call-2")
                .replace("-i1", "-i2"));
    assertEquals(480, none.status());
  }

  @Test
  void pathIsStoredEchoedAndUsed() {
    SipMessage ok =
        registerWithAuth(
            "pa1",
            "<sip:alice@10.1.1.1:5060>",
            "Path: <sip:127.0.0.8:5090;lr>\r\nSupported: path\r\n",
            false);
    assertEquals(200, ok.status());
    assertEquals("<sip:127.0.0.8:5090;lr>", ok.headerValue("Path"));
    String invite =
        "INVITE sip:+4930123@example.com SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 127.0.0.7:5080;branch=z9hG4bK-i3\r\n"
            + "Max-Forwards: 70\r\n"
            + "From: <sip:bob@example.com>;tag=b1\r\n"
            + "To: <sip:+4930123@example.com>\r\n"
            + "Call-ID: call-3\r\n"
            + "CSeq: 1 INVITE\r\n"
            + "Content-Length: 0\r\n\r\n";
    int before = sent.size();
    proxy.receive(
        loop,
        new Flow(udp, new InetSocketAddress("127.0.0.7", 5080), null),
        invite.getBytes(StandardCharsets.ISO_8859_1));
    Sent out =
        sent.get(
            before + 1 < sent.size() && sent.get(before).message().isResponse()
                ? before + 1
                : before);
    assertEquals(new InetSocketAddress("127.0.0.8", 5090), out.to());
    assertEquals("sip:alice@10.1.1.1:5060", text(out.message()));
    assertEquals("<sip:127.0.0.8:5090;lr>", out.message().headerValue(HeaderName.ROUTE));
  }

  static String text(SipMessage m) {
    return m.text(m.requestUri().start(), m.requestUri().end());
  }
}
