package io.sbc.runtime.sip.locate;

import io.sbc.api.syntax.HostName;
import io.sbc.api.syntax.IpLiteral;
import io.sbc.runtime.sip.timer.Clock;
import io.sbc.runtime.sip.transport.Listener;
import io.sbc.runtime.sip.transport.Loop;
import io.sbc.runtime.sip.transport.Protocol;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * The next-hop resolver of RFC 3263: a host name becomes hops through NAPTR, SRV and A/AAAA records
 * (section 4 for URIs, section 5 for a Via sent-by), read from a cache that keeps answers for their
 * TTL; what the cache lacks is asked on the caller's loop, and the answer comes there later.
 */
public final class DnsResolver implements NextHopResolver {
  /**
   * At most this many hops are tried for one target (RFC 3263 section 4.3, within a transaction).
   */
  static final int MAX_HOPS = 16;

  /**
   * Rounds of questions for one target: NAPTR, SRV, A/AAAA, and the SRV names of the transports
   * when a domain's NAPTR records lead nowhere.
   */
  private static final int MAX_ROUNDS = 5;

  /** Distinct questions a loop has in flight; past it a lookup fails at once (names from peers). */
  static final int MAX_QUESTIONS_IN_FLIGHT = 256;

  /** Answers kept at once (configured names, and names that peers' Contacts and Vias bring). */
  static final int MAX_CACHE_ENTRIES = 10_000;

  private static final int SIP_PORT = UriTarget.defaultPort(false);

  private static final InetAddress LOOPBACK_V4 = IpLiteral.toInetAddress("127.0.0.1");
  private static final InetAddress LOOPBACK_V6 = IpLiteral.toInetAddress("::1");

  private final DnsClient client;
  private final RecordCache cache;
  private final List<Protocol> transports;
  private final boolean ipv4;
  private final boolean ipv6;
  private final Supplier<RandomGenerator> random;
  private final ConcurrentHashMap<Loop, InFlight> inFlight = new ConcurrentHashMap<>();
  private final LongAdder questions = new LongAdder();
  private final LongAdder refused = new LongAdder();

  /**
   * @param listeners the gateway's listeners: only their transports and address families are
   *     resolved to (a hop no listener can reach is no hop)
   * @param random the randomness of SRV weights (a seeded generator replays an order)
   */
  public DnsResolver(
      DnsClient client,
      DnsSettings settings,
      List<Listener> listeners,
      Clock clock,
      Supplier<RandomGenerator> random) {
    this.client = client;
    this.cache = new RecordCache(clock, MAX_CACHE_ENTRIES, settings.negativeCacheSeconds() * 1000L);
    List<Protocol> ts = new ArrayList<>(2);
    boolean v4 = false;
    boolean v6 = false;
    for (Protocol p : Protocol.values()) { // the enum's order is the preference: UDP, then TCP
      for (Listener l : listeners) {
        // WebSocket peers are reached through their own connections only (RFC 7118): no lookup.
        if (l.protocol() == p && !p.websocket() && !ts.contains(p)) {
          ts.add(p);
        }
      }
    }
    for (Listener l : listeners) {
      v4 |= !l.isIpv6();
      v6 |= l.isIpv6();
    }
    this.transports = List.copyOf(ts);
    this.ipv4 = v4;
    this.ipv6 = v6;
    this.random = random;
  }

  @Override
  public void resolve(UriTarget t, Loop loop, Answer answer) {
    if (t.secure() && !transports.contains(Protocol.TLS)) {
      answer.resolved(
          List.of(), "sips: " + t.host() + " needs TLS, and no SIP-TLS listener exists");
      return;
    }
    Hop literal = LiteralResolver.literalHop(t);
    if (literal != null) {
      answer.resolved(List.of(literal), null);
      return;
    }
    String host = t.host();
    if (host.startsWith("[") || IpLiteral.isIpLiteral(host) || !isHostName(host)) {
      answer.resolved(List.of(), "host " + host + " is neither an IP address nor a host name");
      return;
    }
    if (t.protocol() != null && !transports.contains(t.protocol())) {
      answer.resolved(List.of(), "no " + t.protocol() + " listener reaches " + host);
      return;
    }
    String name = host.toLowerCase(Locale.ROOT);
    if (name.equals("localhost") || name.endsWith(".localhost")) {
      // RFC 6761 section 6.3: localhost names are the loopback address, never asked of DNS.
      InetAddress lo = ipv4 ? LOOPBACK_V4 : LOOPBACK_V6;
      Protocol p = t.protocol() != null ? t.protocol() : t.secure() ? Protocol.TLS : Protocol.UDP;
      int port = t.port() > 0 ? t.port() : UriTarget.defaultPort(p == Protocol.TLS);
      answer.resolved(List.of(new Hop(new InetSocketAddress(lo, port), p, name)), null);
      return;
    }
    new Lookup(t, name, loop, answer).run();
  }

  /**
   * A host name as the codec accepts one from a peer: '_' tolerated inside labels (deployed names
   * carry it); configured destinations are checked strictly when they are loaded.
   */
  private static boolean isHostName(String host) {
    if (HostName.isValid(host)) {
      return true;
    }
    byte[] b = host.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    return HostName.isValid(b, 0, b.length, true);
  }

  /** RFC 3263 section 5: a sent-by name is resolved as a URI host with the Via's transport. */
  @Override
  public void resolveSentBy(String host, int port, Protocol protocol, Loop loop, Answer answer) {
    resolve(new UriTarget(host, port, protocol, false), loop, answer);
  }

  /** Answers kept now. */
  public int cachedAnswers() {
    return cache.size();
  }

  /** Questions sent to the name servers: what the cache lacked (and no lookup was asking). */
  public long questions() {
    return questions.sum();
  }

  /** Questions not asked because their loop had too many in flight. */
  public long refusedQuestions() {
    return refused.sum();
  }

  // --- one lookup --------------------------------------------------------------------------

  /**
   * The resolution of one target on one loop: the procedure of section 4 is walked over what is
   * known; the questions it lacks are asked together, and when all are answered it is walked again,
   * one level further each round (NAPTR, SRV, A/AAAA). Answers it waited for are kept here too, so
   * that an answer the cache cannot keep (TTL 0, a full cache) still serves this lookup.
   */
  private final class Lookup {
    final UriTarget target;
    final String host;
    final Loop loop;
    final Answer answer;
    Map<RecordCache.Key, RecordCache.Entry> fetched;
    List<RecordCache.Key> missing;
    String problem;
    int pending;
    int rounds;

    Lookup(UriTarget target, String host, Loop loop, Answer answer) {
      this.target = target;
      this.host = host;
      this.loop = loop;
      this.answer = answer;
    }

    void run() {
      missing = null;
      problem = null;
      List<Hop> hops = walk();
      if (missing == null) {
        if (hops.isEmpty()) {
          answer.resolved(
              List.of(), "host " + host + ": " + (problem != null ? problem : "no usable records"));
        } else {
          answer.resolved(hops, null);
        }
        return;
      }
      if (rounds++ >= MAX_ROUNDS) {
        answer.resolved(List.of(), "host " + host + ": too many lookups");
        return;
      }
      List<RecordCache.Key> asking = missing;
      pending = asking.size() + 1; // one for this method, so answers given at once do not finish
      for (RecordCache.Key k : asking) {
        ask(k, loop, e -> arrived(k, e));
      }
      arrived(null, null);
    }

    private void arrived(RecordCache.Key k, RecordCache.Entry e) {
      if (k != null) {
        if (fetched == null) {
          fetched = new HashMap<>(8);
        }
        fetched.put(k, e);
      }
      if (--pending == 0) {
        run();
      }
    }

    /** RFC 3263 section 4.1 and 4.2: what the URI says first, then NAPTR, SRV, A/AAAA. */
    private List<Hop> walk() {
      List<Hop> out = new ArrayList<>(4);
      UriTarget t = target;
      if (t.port() > 0) {
        // 4.2: "If the TARGET was not a numeric IP address, but a port is present in the URI,
        // the client performs an A or AAAA record lookup of the domain name."
        addresses(
            host,
            t.port(),
            t.protocol() != null ? t.protocol() : t.secure() ? Protocol.TLS : Protocol.UDP,
            out);
        return out;
      }
      if (t.protocol() != null) {
        // 4.2: a transport but no port: the SRV records of that transport, else A/AAAA.
        RecordCache.Entry srv = get(srvName(t.protocol(), host), RecordType.SRV);
        if (srv == null) {
          return out;
        }
        if (!srv.records.isEmpty()) {
          fromSrv(srv, t.protocol(), out);
          return out;
        }
        addresses(host, UriTarget.defaultPort(t.protocol() == Protocol.TLS), t.protocol(), out);
        return out;
      }
      // 4.1: neither: the domain's NAPTR records choose the transports and their SRV names.
      RecordCache.Entry naptr = get(host, RecordType.NAPTR);
      if (naptr == null) {
        return out;
      }
      boolean usable = false;
      for (Object o : naptr.records) {
        NaptrRecord n = (NaptrRecord) o;
        Protocol p = transportOf(n);
        if (p == null || (t.secure() && p != Protocol.TLS)) {
          continue; // RFC 3263 4.1: a SIPS URI only takes the SIPS+D2T records
        }
        usable = true;
        RecordCache.Entry srv = get(n.replacement(), RecordType.SRV);
        if (srv != null) {
          fromSrv(srv, p, out);
        }
      }
      if (usable && (missing != null || !out.isEmpty())) {
        return out;
      }
      // "If no NAPTR records are found, the client constructs SRV queries for those transport
      // protocols it supports, and does a query for each."
      boolean anySrv = false;
      for (Protocol p : transports) {
        // "_sip" for SIP URIs, "_sips" (TLS) for SIPS URIs.
        if ((p == Protocol.TLS) != t.secure()) {
          continue;
        }
        RecordCache.Entry srv = get(srvName(p, host), RecordType.SRV);
        if (srv != null && !srv.records.isEmpty()) {
          anySrv = true;
          fromSrv(srv, p, out);
        }
      }
      if (missing != null || anySrv) {
        return out;
      }
      // "If no SRV records were found, the client SHOULD use TCP for a SIPS URI, and UDP for a SIP
      // URI", at the default port, with the domain's A/AAAA records.
      if (t.secure()) {
        addresses(host, UriTarget.defaultPort(true), Protocol.TLS, out);
        return out;
      }
      Protocol p =
          transports.contains(Protocol.UDP) || transports.isEmpty()
              ? Protocol.UDP
              : transports.contains(Protocol.TCP) ? Protocol.TCP : transports.get(0);
      addresses(host, SIP_PORT, p, out);
      return out;
    }

    /** The targets of an SRV set in RFC 2782 order, each with its addresses. */
    private void fromSrv(RecordCache.Entry srv, Protocol p, List<Hop> out) {
      @SuppressWarnings("unchecked")
      List<SrvRecord> byPriority = (List<SrvRecord>) (List<?>) srv.records;
      for (SrvRecord r : SrvOrder.order(byPriority, random.get())) {
        String name = r.target();
        if (name.equals(".") || !HostName.isValid(name)) {
          continue; // "." : "the service is decidedly not available at this domain"
        }
        addresses(name, r.port(), p, out);
      }
    }

    /** The A (then AAAA) records of a name as hops, for the address families the gateway has. */
    private void addresses(String name, int port, Protocol p, List<Hop> out) {
      if (ipv4) {
        RecordCache.Entry a = get(name, RecordType.A);
        if (a != null) {
          add(a, port, p, out);
        }
      }
      if (ipv6) {
        RecordCache.Entry aaaa = get(name, RecordType.AAAA);
        if (aaaa != null) {
          add(aaaa, port, p, out);
        }
      }
    }

    private void add(RecordCache.Entry e, int port, Protocol p, List<Hop> out) {
      for (Object o : e.records) {
        InetAddress a = (InetAddress) o;
        if (out.size() >= MAX_HOPS || (a instanceof Inet4Address ? !ipv4 : !ipv6)) {
          continue;
        }
        Hop h = new Hop(new InetSocketAddress(a, port), p, host);
        if (!out.contains(h)) {
          out.add(h);
        }
      }
    }

    /** The answer to a question, from this lookup or the cache; null (noted as missing) if none. */
    private RecordCache.Entry get(String name, RecordType type) {
      RecordCache.Key k = new RecordCache.Key(name, type);
      RecordCache.Entry e = fetched != null ? fetched.get(k) : null;
      if (e == null) {
        e = cache.get(k);
      }
      if (e == null) {
        if (missing == null) {
          missing = new ArrayList<>(4);
        }
        if (!missing.contains(k)) {
          missing.add(k);
        }
        return null;
      }
      if (e.problem != null) {
        problem = e.problem;
      }
      return e;
    }
  }

  /** The transport a NAPTR record offers, when it is one this gateway serves (RFC 3263 4.1). */
  private Protocol transportOf(NaptrRecord n) {
    if (!n.flags().equalsIgnoreCase("s") || !isDomain(n.replacement())) {
      return null;
    }
    Protocol p;
    if (n.service().equalsIgnoreCase("SIP+D2U")) {
      p = Protocol.UDP;
    } else if (n.service().equalsIgnoreCase("SIP+D2T")) {
      p = Protocol.TCP;
    } else if (n.service().equalsIgnoreCase("SIPS+D2T")) {
      p = Protocol.TLS;
    } else {
      return null; // SIP+D2S (SCTP): not served
    }
    return transports.contains(p) ? p : null;
  }

  /** RFC 2782: "_Service._Proto.Name", the SRV name of SIP over a transport at a domain. */
  static String srvName(Protocol p, String domain) {
    return switch (p) {
          case TCP -> "_sip._tcp.";
          case TLS -> "_sips._tcp.";
          default -> "_sip._udp.";
        }
        + domain;
  }

  /** A domain name as a NAPTR replacement may give it: labels of letters, digits, '-' and '_'. */
  private static boolean isDomain(String s) {
    if (s.isEmpty() || s.length() > 254 || s.equals(".")) {
      return false;
    }
    int label = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '.') {
        if (label == 0 && i != s.length() - 1) {
          return false;
        }
        label = 0;
      } else if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '_') {
        if (++label > 63) {
          return false;
        }
      } else {
        return false;
      }
    }
    return true;
  }

  // --- questions in flight, per loop ------------------------------------------------------

  /** The questions one loop has asked and not yet had answered, with who waits for each. */
  private static final class InFlight {
    final HashMap<RecordCache.Key, List<Consumer<RecordCache.Entry>>> waiting = new HashMap<>();
  }

  /** Asks a question on the loop, or joins the same question asked there already. */
  private void ask(RecordCache.Key k, Loop loop, Consumer<RecordCache.Entry> done) {
    InFlight f = inFlight.computeIfAbsent(loop, l -> new InFlight());
    List<Consumer<RecordCache.Entry>> waiting = f.waiting.get(k);
    if (waiting != null) {
      waiting.add(done);
      return;
    }
    if (f.waiting.size() >= MAX_QUESTIONS_IN_FLIGHT) {
      refused.increment();
      done.accept(
          new RecordCache.Entry(
              List.of(), k.type() + " " + k.name() + ": too many DNS questions in flight", 0));
      return;
    }
    waiting = new ArrayList<>(2);
    waiting.add(done);
    f.waiting.put(k, waiting);
    questions.increment();
    client.ask(
        k.name(),
        k.type(),
        loop,
        a -> {
          RecordCache.Entry e = cache.put(k, a);
          List<Consumer<RecordCache.Entry>> ws = f.waiting.remove(k);
          if (ws != null) {
            for (Consumer<RecordCache.Entry> w : ws) {
              w.accept(e);
            }
          }
        });
  }
}
