package io.sbc.runtime.registrar;

import io.sbc.api.syntax.IpLiteral;
import io.sbc.runtime.sip.locate.Hop;
import io.sbc.runtime.sip.locate.LiteralResolver;
import io.sbc.runtime.sip.locate.UriTarget;
import io.sbc.runtime.sip.message.NameAddr;
import io.sbc.runtime.sip.message.SipMessage;
import io.sbc.runtime.sip.message.SipParseException;
import io.sbc.runtime.sip.message.SipUri;
import io.sbc.runtime.sip.proxy.AccessPolicy;
import io.sbc.runtime.sip.proxy.NatDetection;
import io.sbc.runtime.sip.proxy.Outcome;
import io.sbc.runtime.sip.proxy.ProxyRequest;
import io.sbc.runtime.sip.proxy.RequestStage;
import io.sbc.runtime.sip.proxy.Target;
import io.sbc.runtime.sip.transport.Protocol;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * Location service (RFC 3261 section 16.5): a request that a rule gives to the registrar goes to
 * the contacts registered for its Request-URI (or the address-of-record an alias stands for),
 * highest q first, forked in parallel or one after the other as configured; 480 when none is
 * registered. A contact is reached through its Path (RFC 3327), else through the flow it registered
 * from when it is behind NAT or registered over a connection (RFC 5626), else at its URI.
 */
public final class LookupStage implements RequestStage {
  static final long STORE_TIMEOUT_MILLIS = 5_000;

  private volatile RegistrarSettings settings;
  private final LocationStore store;

  final LongAdder found = new LongAdder();
  final LongAdder notFound = new LongAdder();

  public LookupStage(RegistrarSettings settings, LocationStore store) {
    this.settings = settings;
    this.store = store;
  }

  /** Takes a new configuration's settings. */
  public void settings(RegistrarSettings s) {
    this.settings = s;
  }

  @Override
  public String name() {
    return "lookup";
  }

  @Override
  public Outcome process(ProxyRequest r) {
    if (r.action().access().registrar() != AccessPolicy.Registrar.LOOKUP) {
      return Outcome.CONTINUE;
    }
    RegistrarSettings s = settings;
    SipMessage m = r.message();
    SipUri u = m.requestUri();
    String rewritten = r.action().rewrite() == null ? null : r.action().rewrite().requestUri();
    if (rewritten != null) {
      byte[] b = rewritten.getBytes(StandardCharsets.UTF_8);
      try {
        u = SipUri.parse(b, 0, b.length);
      } catch (SipParseException e) {
        r.answer(500, "Server Internal Error (rewritten Request-URI)", null);
        return Outcome.STOP;
      }
    }
    if (!u.isSip() || u.user() == null || !s.serves(u.host())) {
      notFound.increment();
      r.answer(404, "Not Found (not a user of a domain this registrar serves)", null);
      return Outcome.STOP;
    }
    String alias = s.aliases().get(u.user());
    String aor = alias != null ? alias : RegistrarStage.aor(u);
    final boolean[] paused = {false};
    final Outcome[] sync = {null};
    final boolean parallel = s.parallel();
    store.lookup(
        aor,
        r.loop(),
        (bindings, failure) -> {
          int status = 0;
          String reason = null;
          if (failure != null || bindings == null) {
            status = 500;
            reason = "Server Internal Error (location store unavailable)";
          } else {
            List<Target> targets = targets(bindings);
            if (targets.isEmpty()) {
              notFound.increment();
              status = 480;
              reason = "Temporarily Unavailable";
            } else {
              found.increment();
              r.retarget(targets, parallel);
            }
          }
          if (paused[0]) {
            if (status == 0) {
              r.resume();
            } else {
              r.conclude(status, reason, null);
            }
          } else if (status == 0) {
            sync[0] = Outcome.CONTINUE;
          } else {
            r.answer(status, reason, null);
            sync[0] = Outcome.STOP;
          }
        });
    if (sync[0] != null) {
      return sync[0];
    }
    paused[0] = true;
    r.pause(STORE_TIMEOUT_MILLIS);
    return Outcome.PAUSE;
  }

  @Override
  public void timedOut(ProxyRequest r) {
    r.answer(500, "Server Internal Error (location store timed out)", null);
  }

  /** The targets for the bindings: highest q first, then the most recently registered. */
  static List<Target> targets(List<Binding> bindings) {
    List<Binding> sorted = new ArrayList<>(bindings);
    sorted.sort(
        Comparator.comparingInt(Binding::q)
            .reversed()
            .thenComparing(Comparator.comparingLong(Binding::registeredAt).reversed()));
    List<Target> out = new ArrayList<>(sorted.size());
    for (Binding b : sorted) {
      Target t = target(b);
      if (t != null) {
        out.add(t);
      }
    }
    return out;
  }

  /** Where requests to one binding go; null when its contact cannot be used. */
  static Target target(Binding b) {
    byte[] cb = b.contact().getBytes(StandardCharsets.UTF_8);
    SipUri contact;
    try {
      contact = SipUri.parse(cb, 0, cb.length);
    } catch (SipParseException e) {
      return null;
    }
    String[] problem = new String[1];
    if (!b.path().isEmpty()) {
      // RFC 3327 section 5.3: through the Path, its first value is the next hop.
      String first = b.path().get(0);
      byte[] pb = first.getBytes(StandardCharsets.UTF_8);
      try {
        NameAddr na = NameAddr.parse(pb, 0, pb.length, "Path");
        UriTarget where = na.uri() == null ? null : UriTarget.of(na.uri(), problem);
        if (where == null) {
          return null;
        }
        return Target.contact(b.contact(), where, LiteralResolver.literalHop(where), b.path());
      } catch (SipParseException e) {
        return null;
      }
    }
    if (viaFlow(b, contact)) {
      Protocol p = Protocol.fromUriParam(b.transport());
      if (p == null) {
        return null;
      }
      UriTarget where =
          new UriTarget(IpLiteral.uriHost(b.receivedAddress()), b.receivedPort(), p, false);
      Hop hop = LiteralResolver.literalHop(where);
      return Target.contact(b.contact(), where, hop, List.of());
    }
    UriTarget where = UriTarget.of(contact, problem);
    if (where == null) {
      return null;
    }
    return Target.contact(b.contact(), where, LiteralResolver.literalHop(where), List.of());
  }

  /**
   * Whether the binding is reached through the flow it registered from rather than at its URI: a
   * connection (only the client can open it, RFC 5626 section 5.3), an outbound flow (reg-id), or a
   * private contact address other than the source (behind NAT).
   */
  static boolean viaFlow(Binding b, SipUri contact) {
    if (!"udp".equals(b.transport()) || b.regId() > 0) {
      return true;
    }
    String host = contact.host();
    if (host == null || !IpLiteral.isIpLiteral(host)) {
      return false;
    }
    byte[] a =
        IpLiteral.toBytes(host.startsWith("[") ? host.substring(1, host.length() - 1) : host);
    return a != null
        && NatDetection.isPrivate(a)
        && !IpLiteral.canonical(a).equals(b.receivedAddress());
  }

  /** Counters for metrics: lookups that found contacts, and those that found none. */
  public long[] counters() {
    return new long[] {found.sum(), notFound.sum()};
  }
}
