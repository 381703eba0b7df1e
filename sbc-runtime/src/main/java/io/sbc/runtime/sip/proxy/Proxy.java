package io.sbc.runtime.sip.proxy;

import io.sbc.runtime.sip.message.HeaderName;
import io.sbc.runtime.sip.message.MessageEditor;
import io.sbc.runtime.sip.message.NameAddr;
import io.sbc.runtime.sip.message.SipMessage;
import io.sbc.runtime.sip.message.SipMessageDecoder;
import io.sbc.runtime.sip.message.SipMethod;
import io.sbc.runtime.sip.message.SipParseException;
import io.sbc.runtime.sip.message.SipUri;
import io.sbc.runtime.sip.message.Via;
import io.sbc.runtime.sip.transaction.ClientTransaction;
import io.sbc.runtime.sip.transaction.ServerTransaction;
import io.sbc.runtime.sip.transaction.TransactionLayer;
import io.sbc.runtime.sip.transport.Flow;
import io.sbc.runtime.sip.transport.Listener;
import io.sbc.runtime.sip.transport.Loop;
import io.sbc.runtime.sip.transport.Protocol;
import io.sbc.runtime.sip.transport.SipReceiver;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.jboss.logging.Logger;

/**
 * The proxy core of RFC 3261 section 16: validates a request (16.3), pre-processes its Route
 * (16.4), asks the {@link Router} for targets, forwards (16.6) through client transactions, and
 * sends the best response back (16.7); in-dialog requests follow their Route set.
 */
public final class Proxy implements SipReceiver {
  private static final Logger LOG = Logger.getLogger(Proxy.class);

  private final SipMessageDecoder decoder;
  private final TransactionLayer transactions;
  private final ProxySettings settings;
  private volatile Router router;

  /** Branches this process generates start with this (RFC 3261 8.1.1.7 magic cookie first). */
  private final String branchPrefix;

  private final byte[] branchPrefixBytes;
  private final String toTagPrefix;
  private final AtomicLong counter = new AtomicLong();
  final Stats stats = new Stats();

  /** Counters a management view and tests read. */
  public static final class Stats {
    public final LongAdder requests = new LongAdder();
    public final LongAdder responses = new LongAdder();
    public final LongAdder malformed = new LongAdder();
    public final LongAdder dropped = new LongAdder();
    public final LongAdder localReplies = new LongAdder();
  }

  public Proxy(
      SipMessageDecoder decoder,
      TransactionLayer transactions,
      ProxySettings settings,
      Router router) {
    this.decoder = decoder;
    this.transactions = transactions;
    this.settings = settings;
    this.router = router;
    SecureRandom random = new SecureRandom();
    String id = Long.toString(random.nextLong() & 0xFFFF_FFFFL, 36);
    this.branchPrefix = Via.MAGIC_COOKIE + "-sbc" + id + "-";
    this.branchPrefixBytes = branchPrefix.getBytes(StandardCharsets.ISO_8859_1);
    this.toTagPrefix = "sbc" + id;
  }

  public Stats stats() {
    return stats;
  }

  public TransactionLayer transactions() {
    return transactions;
  }

  private volatile java.util.function.Consumer<String> callObserver;

  /** Told the Call-ID of every BYE that passes (calls ending), on the receiving loop. */
  public void setCallObserver(java.util.function.Consumer<String> observer) {
    this.callObserver = observer;
  }

  /** Swaps the routing table; requests already routed keep their targets. */
  public void setRouter(Router router) {
    this.router = router;
  }

  @Override
  public void receive(Loop loop, Flow flow, byte[] data) {
    SipMessage m = decoder.decode(data, data.length, flow.reliable());
    if (m == null) {
      return; // keep-alive CRLFs on a datagram
    }
    try {
      if (m.error() != null) {
        malformed(loop, flow, m);
      } else if (m.isRequest()) {
        stats.requests.increment();
        onRequest(loop, flow, m);
      } else {
        stats.responses.increment();
        onResponse(loop, m);
      }
    } catch (RuntimeException e) {
      // A bug must cost one message, not the loop.
      LOG.errorf(e, "failed to process a message from %s", flow.remote());
    }
  }

  private void malformed(Loop loop, Flow flow, SipMessage m) {
    stats.malformed.increment();
    SipParseException e = m.error();
    if (!m.isRequest() || SipMethod.ACK.equals(m.method())) {
      stats.dropped.increment(); // a malformed response is dropped; an ACK gets no answer
      return;
    }
    String reason = e.status() == 400 ? "Bad Request (" + e.getMessage() + ")" : e.getMessage();
    LOG.debugf("%d %s from %s", e.status(), reason, flow.remote());
    reply(loop, flow, m, e.status(), reason, null);
  }

  // --- requests -------------------------------------------------------------------------------

  private void onRequest(Loop loop, Flow flow, SipMessage m) {
    String method = m.method();
    if (method == SipMethod.ACK) {
      onAck(loop, flow, m);
      return;
    }
    // Section 16.11: a stateless proxy has no response context; it forwards a CANCEL like any
    // other request (its stateless branch then equals the INVITE's, so the next hop matches it).
    if (method == SipMethod.CANCEL && !settings.stateless()) {
      onCancel(loop, flow, m);
      return;
    }
    String key = null;
    if (!settings.stateless()) {
      key = TransactionLayer.serverKey(m);
      ServerTransaction tx = transactions.findServer(key);
      if (tx != null) {
        tx.loop().execute(tx::onRetransmission);
        return;
      }
    }
    // Section 16.3 step 3: Max-Forwards; an OPTIONS for this proxy itself may still be answered.
    boolean forMe = isForMe(m);
    if (method == SipMethod.OPTIONS && forMe && m.requestUri().user() == null) {
      reply(loop, flow, m, 200, "OK", "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS\r\n");
      return;
    }
    if (m.maxForwards() == 0) {
      reply(loop, flow, m, 483, "Too Many Hops", null);
      return;
    }
    // Section 16.3 step 5: this proxy supports no extension a Proxy-Require may name.
    int pr = m.findHeader(HeaderName.PROXY_REQUIRE);
    if (pr >= 0) {
      StringBuilder tags = new StringBuilder();
      for (; pr >= 0; pr = m.findHeader(HeaderName.PROXY_REQUIRE, pr + 1)) {
        if (tags.length() > 0) {
          tags.append(", ");
        }
        tags.append(m.text(m.headerValueStart(pr), m.headerValueEnd(pr)));
      }
      reply(loop, flow, m, 420, "Bad Extension", "Unsupported: " + tags + "\r\n");
      return;
    }
    int loopHash = loopHash(m);
    if (isLooping(m, loopHash)) {
      reply(loop, flow, m, 482, "Loop Detected", null);
      return;
    }
    Forward fwd = new Forward(m, flow);
    try {
      preprocessRoute(fwd);
      commonEdits(fwd);
    } catch (SipParseException e) {
      reply(loop, flow, m, 400, "Bad Request (" + e.getMessage() + ")", null);
      return;
    }
    boolean inDialog = m.toTag() != null;
    if (method == SipMethod.BYE && callObserver != null) {
      callObserver.accept(m.callId()); // a call ends: dispatchers count active calls
    }
    RouteAction action;
    if (followsRouteSet(fwd, inDialog)) {
      // Loose routing (16.4, 16.6 step 6): the Route set, else the Request-URI, decides.
      Target t;
      try {
        t = nextHopOf(fwd);
      } catch (SipParseException e) {
        reply(loop, flow, m, 400, "Bad Request (" + e.getMessage() + ")", null);
        return;
      }
      if (t == null) {
        reply(loop, flow, m, 404, "Not Found", null);
        return;
      }
      action = RouteAction.forward(java.util.List.of(t), false, false);
    } else {
      action = router.route(m, flow);
      if (action == null) {
        action = RouteAction.reject(404, "Not Found");
      }
    }
    if (action.isReject()) {
      reply(loop, flow, m, action.status(), action.reason(), action.extraHeaders());
      return;
    }
    if (action.targets().isEmpty()) {
      // Every destination of the route is down (dispatcher probing): nothing to try.
      reply(loop, flow, m, 503, "Service Unavailable (no destination available)", null);
      return;
    }
    if (action.rewrite() != null && fwd.newRequestUri == null) {
      applyRewrite(fwd, action.rewrite());
    }
    fwd.recordRoute = action.recordRoute() && !inDialog && isDialogCreating(method);
    fwd.loopHash = loopHash;
    if (settings.stateless()) {
      Target t = action.targets().get(0);
      sendRequest(loop, fwd, t, statelessBranch(m), null);
      return;
    }
    ServerTransaction stx = transactions.createServer(loop, key, m, responseFlow(flow, m));
    if (stx.loop() != loop || stx.attachment() != null) {
      stx.loop().execute(stx::onRetransmission); // lost a race with a retransmission
      return;
    }
    if (method == SipMethod.INVITE) {
      // Section 16.2: a stateful proxy answers INVITE with 100 at once, ending retransmissions.
      stx.sendResponse(100, Responses.build(m, 100, "Trying", null, null));
    }
    ResponseContext ctx = new ResponseContext(this, stx, fwd, action);
    stx.attach(ctx);
    ctx.start();
  }

  private void onAck(Loop loop, Flow flow, SipMessage m) {
    if (!settings.stateless()) {
      ServerTransaction tx = transactions.findServer(TransactionLayer.serverKey(m));
      if (tx != null && tx.isInvite()) {
        // The ACK of a non-2xx final is hop-by-hop: it ends here (section 17.2.1). One that
        // matches a transaction in Accepted is for the 2xx (RFC 6026 section 7.1: passed to the
        // TU), as when an RFC 2543 peer or one reusing the INVITE branch ACKs a 2xx: forwarded.
        tx.loop()
            .execute(
                () -> {
                  if (!tx.onAck()) {
                    forwardAck(tx.loop(), flow, m);
                  }
                });
        return;
      }
    }
    forwardAck(loop, flow, m);
  }

  /** An ACK for a 2xx is its own transaction: forwarded statelessly along the Route set. */
  private void forwardAck(Loop loop, Flow flow, SipMessage m) {
    if (m.maxForwards() == 0) {
      return;
    }
    Forward fwd = new Forward(m, flow);
    try {
      preprocessRoute(fwd);
      commonEdits(fwd);
      Target t;
      if (followsRouteSet(fwd, true)) {
        t = nextHopOf(fwd);
      } else {
        RouteAction a = router.route(m, flow);
        t = a == null || a.isReject() || a.targets().isEmpty() ? null : a.targets().get(0);
      }
      if (t == null) {
        stats.dropped.increment();
        return;
      }
      sendRequest(loop, fwd, t, statelessBranch(m), null);
    } catch (SipParseException e) {
      stats.dropped.increment();
    }
  }

  private void onCancel(Loop loop, Flow flow, SipMessage m) {
    ServerTransaction tx = transactions.findServer(TransactionLayer.serverKey(m));
    if (tx == null || !tx.isInvite()) {
      reply(loop, flow, m, 481, "Call/Transaction Does Not Exist", null);
      return;
    }
    // Section 16.10: answer the CANCEL, then cancel every pending branch.
    reply(loop, flow, m, 200, "OK", null);
    tx.loop()
        .execute(
            () -> {
              Object ctx = tx.attachment();
              if (ctx instanceof ResponseContext rc) {
                rc.cancel();
              }
            });
  }

  // --- routing helpers ----------------------------------------------------------------------

  /** A request on its way out, with the edits decided so far. */
  static final class Forward {
    final SipMessage request;
    final Flow source;
    final MessageEditor edits;

    /** The first Route value left after removing this proxy's own, or null. */
    NameAddr nextRoute;

    int nextRouteHeader = -1;

    /** The listener named by the last Route value of ours that was removed (double RR). */
    Listener routedListener;

    boolean recordRoute;
    int loopHash;

    /** Whether the request came through a Route value of ours (or a strict router's rewrite). */
    boolean routedHere;

    /** A strict-routing rewrite of the Request-URI (section 16.4), or null. */
    String newRequestUri;

    Forward(SipMessage request, Flow source) {
      this.request = request;
      this.source = source;
      this.edits = new MessageEditor(request);
    }
  }

  /**
   * Section 16.4: removes this proxy's own Route values from the top of the Route set, and undoes a
   * strict router's rewrite; section 16.6 step 6 when the next hop is itself a strict router.
   */
  private void preprocessRoute(Forward fwd) throws SipParseException {
    SipMessage m = fwd.request;
    byte[] b = m.bytes();
    int first = m.findHeader(HeaderName.ROUTE);
    if (first < 0) {
      return;
    }
    // Every Route value in order: header index, start, end.
    int[] vals = new int[12];
    int count = 0;
    for (int h = first; h >= 0; h = m.findHeader(HeaderName.ROUTE, h + 1)) {
      int[] r = values(m, h);
      for (int k = 0; k < r.length; k += 2) {
        if (3 * count + 3 > vals.length) {
          vals = java.util.Arrays.copyOf(vals, vals.length * 2);
        }
        vals[3 * count] = h;
        vals[3 * count + 1] = r[k];
        vals[3 * count + 2] = r[k + 1];
        count++;
      }
    }
    // What goes is marked first and deleted in one pass: removing the values in separate calls
    // made overlapping edits when they shared a header line (a strict router's rewrite through a
    // double Record-Route, or a strict next hop listed after our own Route value).
    boolean[] drop = new boolean[count];
    int usable = count;
    SipUri ruri = m.requestUri();
    if (ruri.lr() && ruri.user() == null && isMine(ruri.host(), ruri.port())) {
      // A strict router put our Record-Route URI into the Request-URI: the last Route value is
      // the real Request-URI; it moves there and leaves the Route set.
      usable--;
      NameAddr last = NameAddr.parse(b, vals[3 * usable + 1], vals[3 * usable + 2], "Route");
      fwd.newRequestUri = m.text(last.uriStart(), last.uriEnd());
      fwd.edits.replace(m.uriStart(), m.uriEnd(), fwd.newRequestUri);
      drop[usable] = true;
    }
    int k = 0;
    while (k < usable) {
      NameAddr route = NameAddr.parse(b, vals[3 * k + 1], vals[3 * k + 2], "Route");
      SipUri u = route.uri();
      Listener mine = u == null ? null : listenerFor(u);
      if (mine == null) {
        fwd.nextRoute = route;
        fwd.nextRouteHeader = vals[3 * k];
        break;
      }
      fwd.routedListener = mine;
      drop[k] = true;
      k++;
    }
    fwd.routedHere = fwd.routedListener != null || fwd.newRequestUri != null;
    SipUri next = fwd.nextRoute == null ? null : fwd.nextRoute.uri();
    if (fwd.routedHere && next != null && !next.lr() && fwd.newRequestUri == null) {
      // Section 16.6 step 6: a strict router next: it gets the Route URI as Request-URI, and the
      // Request-URI goes to the end of the Route set.
      String oldUri = m.text(m.uriStart(), m.uriEnd());
      fwd.newRequestUri = m.text(fwd.nextRoute.uriStart(), fwd.nextRoute.uriEnd());
      fwd.edits.replace(m.uriStart(), m.uriEnd(), fwd.newRequestUri);
      drop[k] = true;
      fwd.edits.insert(m.headersEnd(), "Route: <" + oldUri + ">\r\n");
    }
    removeValues(fwd, vals, count, drop);
  }

  /**
   * Deletes the Route values marked in {@code drop}, whole header lines where every value of the
   * line goes, else each run of values with its separating comma.
   */
  private static void removeValues(Forward fwd, int[] vals, int count, boolean[] drop) {
    SipMessage m = fwd.request;
    int i = 0;
    while (i < count) {
      if (!drop[i]) {
        i++;
        continue;
      }
      int h = vals[3 * i];
      int lineFirst = i;
      while (lineFirst > 0 && vals[3 * (lineFirst - 1)] == h) {
        lineFirst--;
      }
      int lineEnd = i;
      while (lineEnd + 1 < count && vals[3 * (lineEnd + 1)] == h) {
        lineEnd++;
      }
      int j = i;
      while (j + 1 < count && drop[j + 1] && vals[3 * (j + 1)] == h) {
        j++;
      }
      if (i == lineFirst && j == lineEnd) {
        fwd.edits.delete(m.headerLineStart(h), m.headerLineEnd(h));
      } else if (j < lineEnd) {
        fwd.edits.delete(vals[3 * i + 1], vals[3 * (j + 1) + 1]);
      } else {
        fwd.edits.delete(vals[3 * (i - 1) + 2], vals[3 * j + 2]);
      }
      i = j + 1;
    }
  }

  private static int[] values(SipMessage m, int header) throws SipParseException {
    int[] r = new int[8];
    int n =
        NameAddr.splitValues(m.bytes(), m.headerValueStart(header), m.headerValueEnd(header), r);
    if (2 * n > r.length) {
      r = new int[2 * n];
      NameAddr.splitValues(m.bytes(), m.headerValueStart(header), m.headerValueEnd(header), r);
    }
    return java.util.Arrays.copyOf(r, 2 * n);
  }

  /**
   * Whether a request goes where its Route set or Request-URI says, rather than where routing
   * decides. Only when it came through a Route value of ours (a dialog this SBC record-routed, or
   * this SBC named as outbound proxy) and has somewhere to go from there: an in-dialog request, or
   * one with more Route values. Anything else is routing's decision, so that nobody can use the SBC
   * to relay to a host of their choosing by writing it into a Request-URI or a foreign Route (no
   * open relay; Kamailio scripts close the same hole with loose_route() checks).
   */
  private static boolean followsRouteSet(Forward fwd, boolean inDialog) {
    return fwd.routedHere && (fwd.nextRoute != null || inDialog);
  }

  /** The next hop of a request that follows its Route set or its Request-URI (16.6 step 6-7). */
  private Target nextHopOf(Forward fwd) throws SipParseException {
    SipUri uri;
    if (fwd.nextRoute != null) {
      uri = fwd.nextRoute.uri();
      if (uri == null) {
        throw new SipParseException("Route URI is not a SIP URI");
      }
    } else if (fwd.newRequestUri != null) {
      byte[] b = fwd.newRequestUri.getBytes(StandardCharsets.ISO_8859_1);
      uri = SipUri.parse(b, 0, b.length);
    } else {
      uri = fwd.request.requestUri();
      if (isMine(uri.host(), uri.port())) {
        return null; // for this proxy, with nothing left to route by
      }
    }
    return targetOf(uri);
  }

  /** Where a SIP URI points (maddr, host, port, transport), without DNS: IP literals only. */
  Target targetOf(SipUri uri) throws SipParseException {
    if (uri.scheme() != SipUri.Scheme.SIP && uri.scheme() != SipUri.Scheme.SIPS) {
      throw new SipParseException(416, "Unsupported URI Scheme");
    }
    Protocol p = Protocol.fromUriParam(uri.transport());
    if (p == null || uri.scheme() == SipUri.Scheme.SIPS) {
      return null;
    }
    String host = uri.maddr() != null ? uri.maddr() : uri.host();
    InetAddress addr = Addresses.literal(host);
    if (addr == null) {
      LOG.debugf("next hop %s is not an IP address (DNS not supported yet)", host);
      return null;
    }
    int port = uri.port() > 0 ? uri.port() : 5060;
    return new Target(uri.toString(), new InetSocketAddress(addr, port), p);
  }

  private boolean isForMe(SipMessage m) {
    SipUri u = m.requestUri();
    return (u.scheme() == SipUri.Scheme.SIP || u.scheme() == SipUri.Scheme.SIPS)
        && isMine(u.host(), u.port())
        && m.findHeader(HeaderName.ROUTE) < 0;
  }

  /** RFC 3261 16.4 "myself": one of our listeners' hosts (or an alias) and port. */
  boolean isMine(String host, int port) {
    return listenerFor(host, port, null) != null
        || (settings.aliases().contains(host.toLowerCase()) && (port < 0 || hasPort(port)));
  }

  private boolean hasPort(int port) {
    for (Listener l : settings.listeners()) {
      if (l.port() == port) {
        return true;
      }
    }
    return false;
  }

  private Listener listenerFor(SipUri u) {
    if (u.scheme() != SipUri.Scheme.SIP && u.scheme() != SipUri.Scheme.SIPS) {
      return null;
    }
    Listener l = listenerFor(u.host(), u.port(), Protocol.fromUriParam(u.transport()));
    if (l == null
        && settings.aliases().contains(u.host().toLowerCase())
        && (u.port() < 0 || hasPort(u.port()))) {
      l = settings.listeners().get(0);
    }
    return l;
  }

  private Listener listenerFor(String host, int port, Protocol protocol) {
    int p = port < 0 ? 5060 : port;
    Listener any = null;
    for (Listener l : settings.listeners()) {
      if (l.port() == p && l.host().equalsIgnoreCase(host)) {
        if (protocol == null || l.protocol() == protocol) {
          return l;
        }
        any = l;
      }
    }
    // Same host and port on another transport: still this SBC (a Route without a transport
    // parameter that names our TCP listener, say).
    return any;
  }

  /** The listener a request to this target leaves from: same transport, same address family. */
  Listener outboundListener(Target t, Listener preferred) {
    boolean v6 = t.address().getAddress() instanceof java.net.Inet6Address;
    if (preferred != null && preferred.protocol() == t.protocol() && preferred.isIpv6() == v6) {
      return preferred;
    }
    for (Listener l : settings.listeners()) {
      if (l.protocol() == t.protocol() && l.isIpv6() == v6) {
        return l;
      }
    }
    return null;
  }

  private static boolean isDialogCreating(String method) {
    return method == SipMethod.INVITE || method == SipMethod.SUBSCRIBE || method == SipMethod.REFER;
  }

  // --- loop detection (16.3 step 4, 16.6 step 8) ------------------------------------------

  /** A hash of what identifies this request at this hop; a Via of ours carrying it is a loop. */
  private static int loopHash(SipMessage m) {
    int h = m.hash(m.uriStart(), m.uriEnd());
    h = 31 * h + m.hash(m.headerValueStart(m.callIdHeader()), m.headerValueEnd(m.callIdHeader()));
    h = 31 * h + Long.hashCode(m.cseq());
    String ft = m.fromTag();
    h = 31 * h + (ft == null ? 0 : ft.hashCode());
    String tt = m.toTag();
    h = 31 * h + (tt == null ? 0 : tt.hashCode());
    int pr = m.findHeader(HeaderName.PROXY_REQUIRE);
    if (pr >= 0) {
      h = 31 * h + m.hash(m.headerValueStart(pr), m.headerValueEnd(pr));
    }
    // Not the top Via: it is the previous hop's, so a request that loops back carries another top
    // Via than when it first came, and a hash over it would never match (16.3 step 4 compares
    // against the branch this proxy would compute for the request as it arrives now).
    return h;
  }

  private boolean isLooping(SipMessage m, int loopHash) {
    byte[] b = m.bytes();
    for (Via v : m.vias()) {
      int bs = v.branchValueStart();
      if (bs < 0 || v.branchValueEnd() - bs < branchPrefixBytes.length + 9) {
        continue;
      }
      if (!regionMatches(b, bs, branchPrefixBytes)) {
        continue;
      }
      // Our branch: prefix, then 8 hex digits of the loop hash.
      int p = bs + branchPrefixBytes.length;
      int h = 0;
      for (int i = 0; i < 8; i++) {
        int d = Character.digit(b[p + i], 16);
        if (d < 0) {
          h = ~loopHash;
          break;
        }
        h = (h << 4) | d;
      }
      if (h == loopHash) {
        return true; // same request back again: a loop, not a spiral (16.3 step 4)
      }
    }
    return false;
  }

  private static boolean regionMatches(byte[] b, int at, byte[] what) {
    for (int i = 0; i < what.length; i++) {
      if (b[at + i] != what[i]) {
        return false;
      }
    }
    return true;
  }

  /**
   * A branch for a request this SBC originates itself (dispatcher probes): ours, so responses reach
   * their client transaction, and never taken for a loop ('p' is not a hex digit of a loop hash).
   */
  public String newProbeBranch() {
    return branchPrefix + "p" + Long.toHexString(counter.incrementAndGet());
  }

  String newBranch(int loopHash) {
    return branchPrefix + hex8(loopHash) + Long.toHexString(counter.incrementAndGet());
  }

  /** Stateless forwarding (16.11): the same incoming request always gets the same branch. */
  private String statelessBranch(SipMessage m) {
    Via v = m.topVia();
    int h = m.hash(v.start(), v.end());
    return branchPrefix + hex8(loopHash(m)) + "s" + Integer.toHexString(h);
  }

  private static String hex8(int v) {
    String s = Integer.toHexString(v);
    return "00000000".substring(s.length()) + s;
  }

  // --- sending --------------------------------------------------------------------------------

  /**
   * Applies the forwarding edits of section 16.6 for one target and sends the request: a Via of
   * ours, received/rport on the previous top Via, Max-Forwards, Record-Route; the rest of the bytes
   * are left as received.
   *
   * @return the client transaction, or null when sent statelessly or not at all
   */
  ClientTransaction sendRequest(
      Loop loop, Forward fwd, Target t, String branch, ClientTransaction.Owner owner) {
    SipMessage m = fwd.request;
    Listener out = outboundListener(t, fwd.source.listener());
    if (out == null) {
      LOG.debugf("no listener for %s to %s", t.protocol(), t.address());
      return null;
    }
    MessageEditor e = fwd.edits;
    int mark = e.mark();
    int firstVia = m.headerLineStart(m.viaHeaderIndex(0));
    byte[] viaPrefix = out.viaPrefix();
    byte[] br = branch.getBytes(StandardCharsets.ISO_8859_1);
    byte[] via = new byte[viaPrefix.length + br.length + 2];
    System.arraycopy(viaPrefix, 0, via, 0, viaPrefix.length);
    System.arraycopy(br, 0, via, viaPrefix.length, br.length);
    via[via.length - 2] = '\r';
    via[via.length - 1] = '\n';
    if (fwd.recordRoute) {
      // Record-Route goes before the Via lines (inserted first at a shared offset), so that our
      // Via stays next to the Via it precedes.
      Listener in = fwd.routedListener != null ? fwd.routedListener : fwd.source.listener();
      if (in == out) {
        e.insert(m.startLineEnd(), recordRouteLine(out));
      } else {
        // Section 16.6 step 4 and RFC 5658: changing listener or transport takes two entries.
        e.insert(m.startLineEnd(), recordRouteLine(out));
        e.insert(m.startLineEnd(), recordRouteLine(in));
      }
    }
    e.insert(firstVia, via);
    byte[] bytes = e.apply();
    e.reset(mark);
    Flow flow = new Flow(out, t.address(), null);
    if (owner == null) {
      transactions.sender().send(loop, flow, bytes, null);
      return null;
    }
    return transactions.startClient(
        loop, branch, m.method() == SipMethod.INVITE, flow, bytes, owner);
  }

  private static byte[] recordRouteLine(Listener l) {
    byte[] rr = l.recordRoute();
    byte[] line = new byte[14 + rr.length + 2];
    System.arraycopy("Record-Route: ".getBytes(StandardCharsets.ISO_8859_1), 0, line, 0, 14);
    System.arraycopy(rr, 0, line, 14, rr.length);
    line[line.length - 2] = '\r';
    line[line.length - 1] = '\n';
    return line;
  }

  /**
   * The edits every forwarded copy shares: received and rport on the top Via (RFC 3581, as
   * Kamailio's force_rport: responses then find a NATed sender) and Max-Forwards (16.6 step 3).
   */
  void commonEdits(Forward fwd) {
    SipMessage m = fwd.request;
    MessageEditor e = fwd.edits;
    Via top = m.topVia();
    InetSocketAddress src = fwd.source.remote();
    String ip = src.getAddress().getHostAddress();
    int zone = ip.indexOf('%');
    if (zone >= 0) {
      ip = ip.substring(0, zone);
    }
    String recv = ";received=" + ip;
    String rport = ";rport=" + src.getPort();
    if (top.receivedStart() >= 0) {
      e.replace(top.receivedStart(), top.receivedEnd(), recv);
      recv = "";
    }
    if (top.rportStart() >= 0) {
      e.replace(top.rportStart(), top.rportEnd(), rport + recv);
    } else {
      e.insert(top.end(), recv + rport);
    }
    int mf = m.maxForwardsHeader();
    if (mf >= 0) {
      e.replace(
          m.headerValueStart(mf), m.headerValueEnd(mf), Integer.toString(m.maxForwards() - 1));
    } else {
      e.insert(m.headersEnd(), "Max-Forwards: " + settings.maxForwards() + "\r\n");
    }
  }

  /** Routing's changes to the request (filters): Request-URI, headers removed and added. */
  private static void applyRewrite(Forward fwd, RequestRewrite rw) {
    SipMessage m = fwd.request;
    MessageEditor e = fwd.edits;
    if (rw.requestUri() != null) {
      e.replace(m.uriStart(), m.uriEnd(), rw.requestUri());
    }
    for (String name : rw.removeHeaders()) {
      byte[] nb = name.getBytes(StandardCharsets.ISO_8859_1);
      byte code = HeaderName.lookup(nb, 0, nb.length);
      for (int i = 0; i < m.headerCount(); i++) {
        boolean same =
            code != HeaderName.OTHER
                ? m.headerCode(i) == code
                : m.headerCode(i) == HeaderName.OTHER && isNamed(m, i, name);
        if (same) {
          e.delete(m.headerLineStart(i), m.headerLineEnd(i));
        }
      }
    }
    for (String line : rw.addHeaders()) {
      e.insert(m.headersEnd(), line);
    }
  }

  private static boolean isNamed(SipMessage m, int i, String name) {
    int s = m.headerLineStart(i);
    if (s + name.length() >= m.length() || !HeaderName.equalsIgnoreCase(m.bytes(), s, name)) {
      return false;
    }
    byte c = m.bytes()[s + name.length()];
    return c == ':' || c == ' ' || c == '\t';
  }

  // --- responses ------------------------------------------------------------------------------

  private void onResponse(Loop loop, SipMessage m) {
    Via top = m.topVia();
    int bs = top.branchValueStart();
    if (bs < 0
        || top.branchValueEnd() - bs < branchPrefixBytes.length
        || !regionMatches(m.bytes(), bs, branchPrefixBytes)) {
      // Section 18.1.2: a response whose top Via is not ours is discarded.
      stats.dropped.increment();
      return;
    }
    ClientTransaction tx = transactions.findClient(top.branch());
    if (tx != null) {
      if (m.cseqMethod() == SipMethod.CANCEL) {
        // The CANCEL transaction is only known on the INVITE's loop: read it there, after the
        // task that sent the CANCEL (the answer can arrive on another loop before it ends).
        tx.loop()
            .execute(
                () -> {
                  ClientTransaction c = tx.cancelTransaction();
                  if (c != null) {
                    c.onResponse(m);
                  }
                });
        return;
      }
      tx.loop().execute(() -> tx.onResponse(m));
      return;
    }
    if (m.cseqMethod() == SipMethod.CANCEL) {
      return;
    }
    // No transaction (stateless mode, or late): forward along the Via (16.11, 18.2.2).
    forwardResponseStatelessly(loop, m);
  }

  /** Removes this proxy's Via from a response (16.7 step 3); null when none remains. */
  static byte[] stripTopVia(SipMessage m) {
    if (m.vias().size() < 2) {
      return null;
    }
    MessageEditor e = new MessageEditor(m);
    int h0 = m.viaHeaderIndex(0);
    if (m.viaHeaderIndex(1) == h0) {
      e.delete(m.vias().get(0).start(), m.vias().get(1).start());
    } else {
      e.delete(m.headerLineStart(h0), m.headerLineEnd(h0));
    }
    return e.apply();
  }

  private void forwardResponseStatelessly(Loop loop, SipMessage m) {
    byte[] out = stripTopVia(m);
    if (out == null) {
      stats.dropped.increment();
      return;
    }
    Via next = m.vias().get(1);
    Flow flow = responseFlow(next);
    if (flow == null) {
      stats.dropped.increment();
      return;
    }
    transactions.sender().send(loop, flow, out, null);
  }

  /**
   * Where a server transaction's responses go. UDP: the request's source (symmetric, RFC 3581). A
   * stream: over the request's connection while it is open; should it close first, section 18.2.2
   * says to open one to the received address and the Via sent-by port (5060 when absent), not to
   * the peer's ephemeral source port.
   */
  private static Flow responseFlow(Flow flow, SipMessage m) {
    if (!flow.reliable()) {
      return flow;
    }
    int port = m.topVia().port() > 0 ? m.topVia().port() : 5060;
    return new Flow(
        flow.listener(),
        new InetSocketAddress(flow.remote().getAddress(), port),
        flow.connection());
  }

  /** Section 18.2.2 with RFC 3581: received and rport, else sent-by. */
  private Flow responseFlow(Via via) {
    String host = via.received() != null ? via.received() : via.host();
    InetAddress addr = Addresses.literal(host);
    if (addr == null || addr.isMulticastAddress() || isBroadcast(addr)) {
      return null;
    }
    int port = via.rport() > 0 ? via.rport() : via.port() > 0 ? via.port() : 5060;
    Protocol p = "TCP".equals(via.transport()) ? Protocol.TCP : Protocol.UDP;
    Target t = new Target(host, new InetSocketAddress(addr, port), p);
    Listener l = outboundListener(t, null);
    return l == null ? null : new Flow(l, t.address(), null);
  }

  private static boolean isBroadcast(InetAddress a) {
    byte[] b = a.getAddress();
    return b.length == 4 && (b[3] & 0xFF) == 255;
  }

  /** Answers a request statelessly, to the address it came from (symmetric, as force_rport). */
  void reply(Loop loop, Flow flow, SipMessage req, int status, String reason, String extra) {
    stats.localReplies.increment();
    byte[] bytes = Responses.build(req, status, reason, toTag(req), extra);
    transactions.sender().send(loop, flow, bytes, null);
  }

  String toTag(SipMessage req) {
    return toTagPrefix
        + Integer.toHexString(
            req.callIdHeader() < 0
                ? 0
                : req.hash(
                    req.headerValueStart(req.callIdHeader()),
                    req.headerValueEnd(req.callIdHeader())));
  }
}
