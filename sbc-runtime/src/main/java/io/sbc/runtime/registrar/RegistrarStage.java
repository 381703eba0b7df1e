package io.sbc.runtime.registrar;

import io.sbc.api.syntax.IpLiteral;
import io.sbc.runtime.sip.message.HeaderName;
import io.sbc.runtime.sip.message.NameAddr;
import io.sbc.runtime.sip.message.SipMessage;
import io.sbc.runtime.sip.message.SipMethod;
import io.sbc.runtime.sip.message.SipParseException;
import io.sbc.runtime.sip.message.SipUri;
import io.sbc.runtime.sip.proxy.AccessPolicy;
import io.sbc.runtime.sip.proxy.Outcome;
import io.sbc.runtime.sip.proxy.ProxyRequest;
import io.sbc.runtime.sip.proxy.RequestStage;
import io.sbc.runtime.sip.timer.Clock;
import io.sbc.runtime.sip.transport.Flow;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;

/**
 * The registrar (RFC 3261 section 10.3): a REGISTER that a rule gives the registrar adds, refreshes
 * or removes the bindings of its To address-of-record, atomically in the {@link LocationStore}, and
 * is answered 200 with every current binding and its remaining expiry; with the flow it came from
 * (RFC 5626) and its Path (RFC 3327) stored for the requests that will reach the contacts.
 */
public final class RegistrarStage implements RequestStage {
  /** How long a REGISTER waits for the store before 500. */
  static final long STORE_TIMEOUT_MILLIS = 5_000;

  /** Option tags a REGISTER may require (section 10.3 step 2). */
  private static final List<String> SUPPORTED = List.of("path", "outbound");

  private static final DateTimeFormatter DATE =
      DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

  private volatile RegistrarSettings settings;
  private final LocationStore store;
  private final Clock wallClock;
  private final String node;

  final LongAdder registered = new LongAdder();
  final LongAdder refused = new LongAdder();

  /**
   * @param node this replica's name, stored with the bindings it takes (null: single process)
   */
  public RegistrarStage(
      RegistrarSettings settings, LocationStore store, Clock wallClock, String node) {
    this.settings = settings;
    this.store = store;
    this.wallClock = wallClock;
    this.node = node;
  }

  /** Takes a new configuration's settings (bindings stay). */
  public void settings(RegistrarSettings s) {
    this.settings = s;
  }

  @Override
  public String name() {
    return "registrar";
  }

  /** What one Contact of the REGISTER asks for. */
  private record Asked(String uri, String instance, int regId, int q, int expires) {}

  @Override
  public Outcome process(ProxyRequest r) {
    if (r.action().access().registrar() != AccessPolicy.Registrar.REGISTER) {
      return Outcome.CONTINUE;
    }
    SipMessage m = r.message();
    if (m.method() != SipMethod.REGISTER) {
      return refuse(r, 405, "Method Not Allowed", "Allow: REGISTER\r\n");
    }
    RegistrarSettings s = settings;
    // Step 1: the Request-URI names a domain this registrar serves.
    SipUri ru = m.requestUri();
    if (!ru.isSip() || !s.serves(ru.host())) {
      return refuse(r, 404, "Not Found (domain not served by this registrar)", null);
    }
    // Step 2: extensions the client requires must be ours.
    String unsupported = unsupportedRequire(m);
    if (unsupported != null) {
      return refuse(r, 420, "Bad Extension", "Unsupported: " + unsupported + "\r\n");
    }
    // Step 5: the address-of-record is the To URI's.
    NameAddr to = m.to();
    SipUri tu = to == null ? null : to.uri();
    if (tu == null || !tu.isSip() || tu.user() == null || !s.serves(tu.host())) {
      return refuse(r, 404, "Not Found (To is not an address-of-record of this registrar)", null);
    }
    // Step 3 was authentication; step 4: the authenticated user may only change its own bindings.
    String user = tu.user();
    if (r.authenticatedUser() != null && !r.authenticatedUser().equals(user)) {
      return refuse(r, 403, "Forbidden (not your address-of-record)", null);
    }
    String aor = aor(tu);
    // Step 6: the Contacts, their expiry.
    List<Asked> asked = new ArrayList<>();
    boolean star = false;
    int headerExpires = -1;
    int e = m.findHeader(HeaderName.EXPIRES);
    if (e >= 0) {
      headerExpires = parseDelta(m.text(m.headerValueStart(e), m.headerValueEnd(e)));
      if (headerExpires < 0) {
        return refuse(r, 400, "Bad Request (Expires is not a number of seconds)", null);
      }
    }
    List<NameAddr> contacts = new ArrayList<>();
    try {
      for (int h = m.findHeader(HeaderName.CONTACT);
          h >= 0;
          h = m.findHeader(HeaderName.CONTACT, h + 1)) {
        NameAddr.parseAll(
            m.bytes(), m.headerValueStart(h), m.headerValueEnd(h), contacts, "Contact");
      }
    } catch (SipParseException ex) {
      return refuse(r, 400, "Bad Request (" + ex.getMessage() + ")", null);
    }
    if (contacts.size() > s.maxContactsPerAor() + 16) {
      return refuse(r, 403, "Forbidden (too many Contacts)", null);
    }
    for (NameAddr c : contacts) {
      if (c.isStar()) {
        star = true;
        continue;
      }
      int expires = headerExpires >= 0 ? headerExpires : s.defaultExpires();
      String ep = c.param("expires");
      if (ep != null) {
        expires = parseDelta(ep);
        if (expires < 0) {
          return refuse(r, 400, "Bad Request (Contact expires is not a number of seconds)", null);
        }
      }
      if (expires > 0 && expires < s.minExpires()) {
        // Section 10.3 step 6: too brief, and the client is told the least it may ask for.
        return refuse(r, 423, "Interval Too Brief", "Min-Expires: " + s.minExpires() + "\r\n");
      }
      expires = Math.min(expires, s.maxExpires());
      int q = 1000;
      String qp = c.param("q");
      if (qp != null) {
        q = parseQ(qp);
        if (q < 0) {
          return refuse(r, 400, "Bad Request (Contact q is not a number from 0 to 1)", null);
        }
      }
      String instance = c.param("+sip.instance");
      if (instance != null) {
        instance = unquote(instance);
        if (instance.isEmpty() || instance.length() > 256) {
          return refuse(r, 400, "Bad Request (+sip.instance)", null);
        }
      }
      int regId = 0;
      String rp = c.param("reg-id");
      if (rp != null) {
        regId = parseDelta(rp);
        if (regId < 1) {
          return refuse(r, 400, "Bad Request (reg-id is not a positive number)", null);
        }
      }
      if (c.uri() == null || c.uri().scheme() == SipUri.Scheme.OTHER) {
        return refuse(r, 400, "Bad Request (Contact is not a SIP URI)", null);
      }
      String uri = m.text(c.uri().start(), c.uri().end());
      if (uri.length() > 512) {
        return refuse(r, 400, "Bad Request (Contact URI too long)", null);
      }
      asked.add(new Asked(uri, instance, regId, q, expires));
    }
    if (star && (contacts.size() != 1 || headerExpires != 0)) {
      // Section 10.2.2: "*" only alone and with Expires: 0.
      return refuse(r, 400, "Bad Request (Contact * needs Expires: 0 and no other Contact)", null);
    }
    String callId = m.callId();
    long cseq = m.cseq();
    List<String> path = pathValues(m);
    Flow f = r.source();
    String received = IpLiteral.canonical(f.remote().getAddress().getAddress());
    int port = f.remote().getPort();
    String transport = f.protocol().uriName();
    String local =
        IpLiteral.uriHost(f.listener().bindAddress().getAddress()) + ":" + f.listener().port();
    String connection = f.connection() == null ? null : f.connection().id().asShortText();
    String ua = m.headerValue("User-Agent");
    if (ua != null && ua.length() > 128) {
      ua = ua.substring(0, 128);
    }
    final String userAgent = ua;
    final boolean wildcard = star;
    final int max = s.maxContactsPerAor();
    final boolean replaceOldest = s.replaceOldest();
    BindingChange change =
        (current, now) -> {
          if (asked.isEmpty() && !wildcard) {
            return BindingChange.Result.applied(current); // a query (section 10.2.3)
          }
          List<Binding> next = new ArrayList<>(current);
          if (wildcard) {
            for (Binding b : current) {
              if (b.callId().equals(callId) && cseq <= b.cseq()) {
                return BindingChange.Result.refused(
                    current, 500, "Server Internal Error (out-of-order REGISTER)");
              }
            }
            return BindingChange.Result.applied(List.of());
          }
          List<Binding> mine = new ArrayList<>();
          for (Asked a : asked) {
            Binding nb =
                new Binding(
                    aor,
                    a.uri(),
                    a.instance(),
                    a.regId(),
                    a.q(),
                    now + a.expires() * 1000L,
                    callId,
                    cseq,
                    path,
                    received,
                    port,
                    transport,
                    local,
                    node,
                    connection,
                    userAgent,
                    now);
            int at = -1;
            for (int i = 0; i < next.size(); i++) {
              if (next.get(i).sameKey(nb)) {
                at = i;
                break;
              }
            }
            if (at >= 0) {
              Binding old = next.get(at);
              // Step 7: a REGISTER of the same Call-ID that is not newer is out of order.
              if (old.callId().equals(callId) && cseq <= old.cseq()) {
                return BindingChange.Result.refused(
                    current, 500, "Server Internal Error (out-of-order REGISTER)");
              }
              if (a.expires() == 0) {
                next.remove(at);
              } else {
                Binding kept = withRegisteredAt(nb, old.registeredAt());
                next.set(at, kept);
                mine.add(kept);
              }
            } else if (a.expires() > 0) {
              next.add(nb);
              mine.add(nb);
            }
          }
          if (next.size() > max) {
            if (!replaceOldest || mine.size() > max) {
              return BindingChange.Result.refused(
                  current, 403, "Forbidden (too many contacts for this address-of-record)");
            }
            // The oldest bindings that this REGISTER did not write make room.
            List<Binding> others = new ArrayList<>(next);
            others.removeAll(mine);
            others.sort(Comparator.comparingLong(Binding::registeredAt));
            for (int i = 0; next.size() > max && i < others.size(); i++) {
              next.remove(others.get(i));
            }
          }
          return BindingChange.Result.applied(next);
        };
    final boolean[] paused = {false};
    final Outcome[] sync = {null};
    store.update(
        aor,
        change,
        r.loop(),
        (result, failure) -> {
          int status;
          String reason;
          String extra;
          if (failure != null || result == null) {
            status = 500;
            reason = "Server Internal Error (location store unavailable)";
            extra = null;
          } else if (!result.isApplied()) {
            status = result.status();
            reason = result.reason();
            extra = null;
          } else {
            status = 200;
            reason = "OK";
            extra = okHeaders(result.bindings(), path, m);
          }
          if (status == 200) {
            registered.increment();
          } else {
            refused.increment();
          }
          if (paused[0]) {
            r.conclude(status, reason, extra);
          } else {
            r.answer(status, reason, extra);
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

  private Outcome refuse(ProxyRequest r, int status, String reason, String extra) {
    refused.increment();
    r.answer(status, reason, extra);
    return Outcome.STOP;
  }

  /**
   * Section 10.3 step 8: every current binding with its remaining expiry, the Path echoed (RFC 3327
   * section 5.3), and the Date.
   */
  private String okHeaders(List<Binding> bindings, List<String> path, SipMessage m) {
    long now = wallClock.millis();
    StringBuilder sb = new StringBuilder(64 + 96 * bindings.size());
    boolean outbound = false;
    for (Binding b : bindings) {
      sb.append("Contact: <")
          .append(b.contact())
          .append(">;expires=")
          .append(b.remainingSeconds(now));
      if (b.q() != 1000) {
        sb.append(";q=").append(formatQ(b.q()));
      }
      if (b.instance() != null) {
        sb.append(";+sip.instance=\"").append(b.instance()).append('"');
      }
      if (b.regId() > 0) {
        sb.append(";reg-id=").append(b.regId());
        outbound = true;
      }
      sb.append("\r\n");
    }
    if (!path.isEmpty()) {
      sb.append("Path: ").append(String.join(",", path)).append("\r\n");
    }
    if (outbound && supports(m, "outbound")) {
      sb.append("Require: outbound\r\n"); // RFC 5626 section 6
    }
    sb.append("Date: ").append(DATE.format(Instant.ofEpochMilli(now))).append("\r\n");
    return sb.toString();
  }

  /** The address-of-record of a URI: sip:user@domain, the domain in lower case. */
  public static String aor(SipUri u) {
    return "sip:" + u.user() + "@" + u.host().toLowerCase(Locale.ROOT);
  }

  private static Binding withRegisteredAt(Binding b, long at) {
    return new Binding(
        b.aor(),
        b.contact(),
        b.instance(),
        b.regId(),
        b.q(),
        b.expiresAt(),
        b.callId(),
        b.cseq(),
        b.path(),
        b.receivedAddress(),
        b.receivedPort(),
        b.transport(),
        b.localAddress(),
        b.node(),
        b.connectionId(),
        b.userAgent(),
        at);
  }

  /** The Path values of a REGISTER, top first, as written. */
  private static List<String> pathValues(SipMessage m) {
    List<String> out = null;
    for (int i = 0; i < m.headerCount(); i++) {
      if (m.headerCode(i) == HeaderName.OTHER && named(m, i, "Path")) {
        int vs = m.headerValueStart(i);
        int ve = m.headerValueEnd(i);
        int[] ranges = new int[16];
        try {
          int n = NameAddr.splitValues(m.bytes(), vs, ve, ranges);
          if (2 * n > ranges.length) {
            ranges = new int[2 * n];
            NameAddr.splitValues(m.bytes(), vs, ve, ranges);
          }
          if (out == null) {
            out = new ArrayList<>();
          }
          for (int k = 0; k < n && out.size() < 8; k++) {
            out.add(m.text(ranges[2 * k], ranges[2 * k + 1]));
          }
        } catch (SipParseException e) {
          // an unusable Path is ignored: the contact is then reached directly
        }
      }
    }
    return out == null ? List.of() : out;
  }

  private static boolean named(SipMessage m, int i, String name) {
    int s = m.headerLineStart(i);
    if (s + name.length() >= m.length() || !HeaderName.equalsIgnoreCase(m.bytes(), s, name)) {
      return false;
    }
    byte c = m.bytes()[s + name.length()];
    return c == ':' || c == ' ' || c == '\t';
  }

  private static String unsupportedRequire(SipMessage m) {
    for (int h = m.findHeader(HeaderName.REQUIRE);
        h >= 0;
        h = m.findHeader(HeaderName.REQUIRE, h + 1)) {
      for (String tag : m.text(m.headerValueStart(h), m.headerValueEnd(h)).split(",")) {
        String t = tag.trim().toLowerCase(Locale.ROOT);
        if (!t.isEmpty() && !SUPPORTED.contains(t)) {
          return t.length() > 64 ? t.substring(0, 64) : t;
        }
      }
    }
    return null;
  }

  private static boolean supports(SipMessage m, String tag) {
    for (int h = m.findHeader(HeaderName.SUPPORTED);
        h >= 0;
        h = m.findHeader(HeaderName.SUPPORTED, h + 1)) {
      for (String t : m.text(m.headerValueStart(h), m.headerValueEnd(h)).split(",")) {
        if (t.trim().equalsIgnoreCase(tag)) {
          return true;
        }
      }
    }
    return false;
  }

  /** A delta-seconds value (at most 2^31 - 1, longer ones capped); -1 when not digits. */
  static int parseDelta(String s) {
    String t = s.trim();
    if (t.isEmpty() || t.length() > 10) {
      return t.length() > 10 && t.chars().allMatch(Character::isDigit) ? Integer.MAX_VALUE : -1;
    }
    long v = 0;
    for (int i = 0; i < t.length(); i++) {
      char c = t.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return (int) Math.min(v, Integer.MAX_VALUE);
  }

  /** A q-value (section 20.10: 0 to 1, at most three decimals) in thousandths; -1 when invalid. */
  static int parseQ(String s) {
    String t = s.trim();
    if (t.isEmpty() || t.length() > 5) {
      return -1;
    }
    char c0 = t.charAt(0);
    if (c0 != '0' && c0 != '1') {
      return -1;
    }
    int v = (c0 - '0') * 1000;
    if (t.length() == 1) {
      return v;
    }
    if (t.charAt(1) != '.') {
      return -1;
    }
    int scale = 100;
    for (int i = 2; i < t.length(); i++) {
      char c = t.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v += (c - '0') * scale;
      scale /= 10;
    }
    return v > 1000 ? -1 : v;
  }

  static String formatQ(int q) {
    if (q >= 1000) {
      return "1";
    }
    if (q == 0) {
      return "0";
    }
    return "0." + stripZeros(String.format(Locale.ROOT, "%03d", q));
  }

  private static String stripZeros(String d) {
    int end = d.length();
    while (end > 1 && d.charAt(end - 1) == '0') {
      end--;
    }
    return d.substring(0, end);
  }

  private static String unquote(String v) {
    String t = v.trim();
    if (t.length() >= 2 && t.charAt(0) == '"' && t.charAt(t.length() - 1) == '"') {
      return t.substring(1, t.length() - 1);
    }
    return t;
  }

  /** Counters for metrics: registrations answered 200, refused. */
  public long[] counters() {
    return new long[] {registered.sum(), refused.sum()};
  }
}
