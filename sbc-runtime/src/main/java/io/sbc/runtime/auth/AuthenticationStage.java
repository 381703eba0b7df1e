package io.sbc.runtime.auth;

import io.sbc.runtime.registrar.CredentialStore;
import io.sbc.runtime.registrar.RegistrarSettings;
import io.sbc.runtime.registrar.Subscriber;
import io.sbc.runtime.seal.SealKeys;
import io.sbc.runtime.sip.message.HeaderName;
import io.sbc.runtime.sip.message.NameAddr;
import io.sbc.runtime.sip.message.SipMessage;
import io.sbc.runtime.sip.message.SipMethod;
import io.sbc.runtime.sip.proxy.AccessPolicy;
import io.sbc.runtime.sip.proxy.Outcome;
import io.sbc.runtime.sip.proxy.ProxyRequest;
import io.sbc.runtime.sip.proxy.RequestStage;
import io.sbc.runtime.sip.timer.Clock;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.atomic.LongAdder;
import org.jboss.logging.Logger;

/**
 * Who may use the rule routing chose (RFC 3261 section 22): a trusted source goes on, others are
 * challenged for digest credentials (401 with WWW-Authenticate for REGISTER, 407 with
 * Proxy-Authenticate otherwise, section 22.3), checked against the subscriber's HA1, and the From
 * user must be the authenticated one when the rule says so (no spoofed callers).
 */
public final class AuthenticationStage implements RequestStage {
  private static final Logger LOG = Logger.getLogger(AuthenticationStage.class);

  /** How long a request waits for the credential store before 500. */
  static final long STORE_TIMEOUT_MILLIS = 5_000;

  private final RegistrarSettings settings;
  private final CredentialStore credentials;
  private final Nonces nonces;
  private final NonceCounts counts;
  private final AuthFailures failures;
  private final Clock wallClock;

  final LongAdder challenged = new LongAdder();
  final LongAdder accepted = new LongAdder();
  final LongAdder refused = new LongAdder();
  final LongAdder stale = new LongAdder();
  final LongAdder replayed = new LongAdder();

  public AuthenticationStage(
      RegistrarSettings settings, CredentialStore credentials, SealKeys keys, Clock wallClock) {
    this.settings = settings;
    this.credentials = credentials;
    this.wallClock = wallClock;
    this.nonces = new Nonces(keys, wallClock, settings.nonceLifetimeSeconds() * 1000L);
    this.counts = new NonceCounts(1 << 18);
    this.failures =
        new AuthFailures(
            1 << 14, settings.maxAuthFailures(), settings.authFailureBlockSeconds() * 1000L);
  }

  /** Takes the sealing keys of a new configuration. */
  public void keys(SealKeys keys) {
    nonces.keys(keys);
  }

  @Override
  public String name() {
    return "authentication";
  }

  @Override
  public Outcome process(ProxyRequest r) {
    AccessPolicy a = r.action().access();
    if (!a.authenticate()) {
      return Outcome.CONTINUE;
    }
    SipMessage m = r.message();
    String method = m.method();
    if (method == SipMethod.ACK || method == SipMethod.CANCEL) {
      return Outcome.CONTINUE; // section 22.1: neither can be challenged
    }
    InetAddress src = r.sourceAddress().getAddress();
    if (a.isTrusted(src)) {
      return Outcome.CONTINUE;
    }
    if (!a.digest()) {
      refused.increment();
      r.answer(403, "Forbidden (source not trusted)", null);
      return Outcome.STOP;
    }
    long now = wallClock.millis();
    if (failures.blocked(src, now)) {
      refused.increment();
      r.answer(403, "Forbidden (too many failed authentications)", null);
      return Outcome.STOP;
    }
    boolean register = method == SipMethod.REGISTER;
    String realm = realmOf(m, register);
    byte code = register ? HeaderName.AUTHORIZATION : HeaderName.PROXY_AUTHORIZATION;
    DigestCredentials c = null;
    int line = -1;
    for (int h = m.findHeader(code); h >= 0; h = m.findHeader(code, h + 1)) {
      DigestCredentials x =
          DigestCredentials.parse(m.text(m.headerValueStart(h), m.headerValueEnd(h)));
      if (x != null && x.realm().equalsIgnoreCase(realm)) {
        c = x;
        line = h;
        break;
      }
    }
    if (c == null) {
      challenge(r, realm, false, register);
      return Outcome.STOP;
    }
    Nonces.State state = nonces.check(c.nonce(), realm);
    if (state == Nonces.State.STALE) {
      stale.increment();
      challenge(r, realm, true, register);
      return Outcome.STOP;
    }
    String algorithm = c.algorithm() == null ? "MD5" : c.algorithm();
    boolean sha = algorithm.equalsIgnoreCase("SHA-256");
    if (state == Nonces.State.INVALID
        || !offered(sha ? "SHA-256" : algorithm.equalsIgnoreCase("MD5") ? "MD5" : null)
        || !"auth".equalsIgnoreCase(c.qop())
        || c.cnonce() == null
        || c.nonceCount() < 1) {
      // A nonce we did not issue, an algorithm or qop we did not offer: a new challenge.
      failed(src, now);
      challenge(r, realm, false, register);
      return Outcome.STOP;
    }
    final DigestCredentials creds = c;
    final int credLine = line;
    final boolean[] paused = {false};
    final Outcome[] sync = {null};
    credentials.find(
        creds.username(),
        realm,
        r.loop(),
        (subscriber, failure) -> {
          Outcome o =
              decide(r, paused[0], creds, credLine, realm, sha, register, subscriber, failure);
          if (!paused[0]) {
            sync[0] = o;
          } else if (o == Outcome.CONTINUE) {
            r.resume();
          }
        });
    if (sync[0] != null) {
      return sync[0];
    }
    paused[0] = true;
    r.pause(STORE_TIMEOUT_MILLIS);
    return Outcome.PAUSE;
  }

  /**
   * The credentials against the subscriber: CONTINUE when they hold; otherwise the request is
   * answered here (ending the pause when the stage paused).
   */
  private Outcome decide(
      ProxyRequest r,
      boolean paused,
      DigestCredentials c,
      int line,
      String realm,
      boolean sha,
      boolean register,
      Subscriber s,
      Throwable failure) {
    SipMessage m = r.message();
    if (failure != null) {
      LOG.warnf("credential store failed: %s", failure.toString());
      answer(r, paused, 500, "Server Internal Error (credentials unavailable)", null);
      return Outcome.STOP;
    }
    long now = wallClock.millis();
    InetAddress src = r.sourceAddress().getAddress();
    String ha1 = s == null ? null : sha ? s.ha1Sha256() : s.ha1Md5();
    if (ha1 == null
        || !MessageDigest.isEqual(
            c.response().getBytes(StandardCharsets.US_ASCII),
            expected(c, ha1, m.method(), sha).getBytes(StandardCharsets.US_ASCII))) {
      failed(src, now);
      challenged.increment();
      answer(
          r, paused, register ? 401 : 407, "Unauthorized", challengeLines(realm, false, register));
      return Outcome.STOP;
    }
    if (!counts.accept(Nonces.id(c.nonce()), nonces.expiresAt(c.nonce()), c.nonceCount(), now)) {
      // RFC 7616 section 3.4: a nonce count used before is a replay; the client retries with a
      // new nonce (stale=true: its credentials were right).
      replayed.increment();
      answer(
          r, paused, register ? 401 : 407, "Unauthorized", challengeLines(realm, true, register));
      return Outcome.STOP;
    }
    AccessPolicy a = r.action().access();
    if (a.checkFrom() && !fromMatches(m, c.username())) {
      refused.increment();
      answer(r, paused, 403, "Forbidden (From is not the authenticated user)", null);
      return Outcome.STOP;
    }
    accepted.increment();
    r.authenticated(c.username());
    if (!register) {
      // Section 22.3 and Kamailio's consume_credentials: ours are not passed downstream.
      r.edits().delete(m.headerLineStart(line), m.headerLineEnd(line));
    }
    return Outcome.CONTINUE;
  }

  private static void answer(
      ProxyRequest r, boolean paused, int status, String reason, String extra) {
    if (paused) {
      r.conclude(status, reason, extra);
    } else {
      r.answer(status, reason, extra);
    }
  }

  private void failed(InetAddress src, long now) {
    refused.increment();
    if (failures.failed(src, now)) {
      LOG.warnf(
          "source %s blocked for %d s after %d failed authentications within a minute",
          src.getHostAddress(), settings.authFailureBlockSeconds(), settings.maxAuthFailures());
    }
  }

  private void challenge(ProxyRequest r, String realm, boolean isStale, boolean register) {
    challenged.increment();
    r.answer(register ? 401 : 407, "Unauthorized", challengeLines(realm, isStale, register));
  }

  private boolean offered(String algorithm) {
    return algorithm != null && settings.digestAlgorithms().contains(algorithm);
  }

  /**
   * One challenge per algorithm offered, the preferred first (RFC 7616 section 3.7, RFC 8760
   * section 2.4: a client takes the first it supports), all with the same nonce.
   */
  String challengeLines(String realm, boolean isStale, boolean register) {
    String name = register ? "WWW-Authenticate: " : "Proxy-Authenticate: ";
    String nonce = nonces.issue(realm);
    String common = "Digest realm=\"" + realm + "\", nonce=\"" + nonce + "\", qop=\"auth\"";
    String tail = (isStale ? ", stale=true" : "") + "\r\n";
    StringBuilder sb = new StringBuilder(256);
    for (String alg : settings.digestAlgorithms()) {
      sb.append(name).append(common).append(", algorithm=").append(alg).append(tail);
    }
    return sb.toString();
  }

  private String realmOf(SipMessage m, boolean register) {
    if (register) {
      return settings.realmFor(m.requestUri().host());
    }
    NameAddr from = m.from();
    return settings.realmFor(from == null || from.uri() == null ? null : from.uri().host());
  }

  private boolean fromMatches(SipMessage m, String username) {
    NameAddr from = m.from();
    if (from == null || from.uri() == null) {
      return false;
    }
    return username.equals(from.uri().user()) && settings.serves(from.uri().host());
  }

  /** RFC 7616 section 3.4.1 with qop=auth: H(HA1:nonce:nc:cnonce:qop:H(method:uri)). */
  static String expected(DigestCredentials c, String ha1, String method, boolean sha) {
    String ha2 = hex(sha, method + ":" + c.uri());
    return hex(
        sha,
        ha1.toLowerCase(java.util.Locale.ROOT)
            + ":"
            + c.nonce()
            + ":"
            + c.nc()
            + ":"
            + c.cnonce()
            + ":"
            + c.qop()
            + ":"
            + ha2);
  }

  /** HA1 of a password (RFC 7616 section 3.4.2), for subscribers configured with one. */
  public static String ha1(String username, String realm, String password, boolean sha) {
    return hex(sha, username + ":" + realm + ":" + password);
  }

  static String hex(boolean sha, String text) {
    try {
      MessageDigest d = MessageDigest.getInstance(sha ? "SHA-256" : "MD5");
      return HexFormat.of().formatHex(d.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 and SHA-256 are part of every JDK", e);
    }
  }

  /** Counters for metrics: challenged, accepted, refused, stale, replayed. */
  public long[] counters() {
    return new long[] {
      challenged.sum(),
      accepted.sum(),
      refused.sum(),
      stale.sum(),
      replayed.sum(),
      failures.blocks()
    };
  }
}
