package io.sbc.runtime.sip.proxy;

import io.sbc.api.syntax.IpLiteral;
import io.sbc.runtime.seal.DialogSeal;
import io.sbc.runtime.seal.RouteSeal;
import io.sbc.runtime.seal.SealKeys;
import io.sbc.runtime.sip.locate.Hop;
import io.sbc.runtime.sip.locate.LiteralResolver;
import io.sbc.runtime.sip.locate.NextHopResolver;
import io.sbc.runtime.sip.message.MessageEditor;
import io.sbc.runtime.sip.message.SipMessage;
import io.sbc.runtime.sip.message.SipMessageDecoder;
import io.sbc.runtime.sip.message.SipMethod;
import io.sbc.runtime.sip.message.SipParseException;
import io.sbc.runtime.sip.message.Via;
import io.sbc.runtime.sip.timer.Clock;
import io.sbc.runtime.sip.transaction.ClientTransaction;
import io.sbc.runtime.sip.transaction.ServerTransaction;
import io.sbc.runtime.sip.transaction.TransactionLayer;
import io.sbc.runtime.sip.transport.Flow;
import io.sbc.runtime.sip.transport.FlowTable;
import io.sbc.runtime.sip.transport.Listener;
import io.sbc.runtime.sip.transport.Loop;
import io.sbc.runtime.sip.transport.Myself;
import io.sbc.runtime.sip.transport.Protocol;
import io.sbc.runtime.sip.transport.SipReceiver;
import io.sbc.runtime.sip.transport.SourceAddresses;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.jboss.logging.Logger;

/**
 * The proxy core of RFC 3261 section 16: it sequences the stages a request passes (validation 16.3,
 * Route preprocessing 16.4, the server transaction, routing, forwarding 16.6 with a response
 * context 16.7) and those a response passes, and routes responses without a transaction (18.2.2).
 * Each stage is a class of its own, named after its RFC step; a stage may pause and the pipeline
 * resumes on the request's loop.
 */
public final class Proxy implements SipReceiver {
  private static final Logger LOG = Logger.getLogger(Proxy.class);

  /** Why a message was dropped without an answer. */
  public enum Drop {
    /** A malformed response, or an ACK that failed to parse (neither gets an answer). */
    MALFORMED,
    /** A response whose top Via is not ours (section 18.1.2). */
    NOT_OUR_VIA,
    /** A response for a client transaction that did not come from where its request went. */
    WRONG_SOURCE,
    /** A response with no transaction and no Via to send it on to. */
    NO_UPSTREAM,
    /** An ACK that could not be routed (no verified route, nothing to send it to). */
    ACK_NOT_ROUTED,
    /** A request or response that could not be sent: no listener or hop reaches its target. */
    UNREACHABLE
  }

  /** Counters a management view and tests read. */
  public static final class Stats {
    public final LongAdder requests = new LongAdder();
    public final LongAdder responses = new LongAdder();
    public final LongAdder malformed = new LongAdder();
    public final LongAdder localReplies = new LongAdder();
    public final LongAdder refusedRoutes = new LongAdder();
    public final LongAdder stageFailures = new LongAdder();
    public final LongAdder unresolvable = new LongAdder();
    private final LongAdder[] dropped = new LongAdder[Drop.values().length];

    Stats() {
      for (int i = 0; i < dropped.length; i++) {
        dropped[i] = new LongAdder();
      }
    }

    void drop(Drop d) {
      dropped[d.ordinal()].increment();
    }

    public long dropped(Drop d) {
      return dropped[d.ordinal()].sum();
    }

    public long dropped() {
      long n = 0;
      for (LongAdder a : dropped) {
        n += a.sum();
      }
      return n;
    }
  }

  private final SipMessageDecoder decoder;
  private final TransactionLayer transactions;
  private final ProxySettings settings;
  private final Myself myself;
  private final NextHopResolver resolver;
  private final Branches branches;
  private final CallEvents events;
  private final ActiveCalls calls;
  private final NatKeepalive natKeepalive;
  private final CallAdmission admission;
  private final Clock clock;
  private final Forwarding forwarding;
  private final RequestStage[] stages;
  private final ResponseStage[] responseStages;
  private final Stats stats = new Stats();
  private final FlowTable flows;
  private volatile Router router;
  private volatile RouteSeal routeSeal;
  private volatile DialogSeal dialogSeal;

  /** Sources whose forged or stale Route token was logged recently (logged once a minute). */
  private final ConcurrentHashMap<InetAddress, Long> loggedSources = new ConcurrentHashMap<>();

  private Proxy(Builder b) {
    this.decoder = Objects.requireNonNull(b.decoder, "decoder");
    this.transactions = Objects.requireNonNull(b.transactions, "transactions");
    this.settings = Objects.requireNonNull(b.settings, "settings");
    this.myself = Objects.requireNonNull(b.myself, "myself");
    this.router = Objects.requireNonNull(b.router, "router");
    this.resolver = b.resolver != null ? b.resolver : new LiteralResolver();
    this.branches = b.branches != null ? b.branches : new Branches();
    this.clock = b.clock != null ? b.clock : Clock.SYSTEM;
    this.natKeepalive = new NatKeepalive(transactions, myself, branches, clock);
    this.admission = b.admission;
    List<CallEvents> subscribers = new ArrayList<>();
    if (b.events != null) {
      subscribers.add(b.events);
    }
    subscribers.add(natKeepalive);
    if (admission != null) {
      subscribers.add(admission); // last: its slot is given back once the others have counted
    }
    this.events = CallEvents.all(subscribers);
    this.routeSeal = b.routeSeal != null ? b.routeSeal : new RouteSeal(SealKeys.generated());
    this.dialogSeal = new DialogSeal(routeSeal.keys());
    this.calls = new ActiveCalls(clock, b.maxCallMillis, events);
    SourceAddresses sources = b.sources != null ? b.sources : new SourceAddresses();
    this.flows = b.flows != null ? b.flows : FlowTable.NONE;
    this.forwarding = new Forwarding(myself, transactions, sources, settings.maxForwards(), flows);
    List<RequestStage> s = new ArrayList<>();
    s.add(new RequestValidation(myself, branches));
    s.add(new RoutePreprocessing(myself, this));
    s.add(new TransactionStage(transactions, settings.stateless()));
    s.addAll(b.beforeRouting);
    s.add(new RoutingStage(this));
    s.addAll(b.routed);
    if (admission != null) {
      s.add(new CallAdmissionStage(admission));
    }
    s.add(new TopologyHiding(this));
    s.addAll(b.afterRouting);
    s.add(new ForwardStage(this));
    this.stages = s.toArray(new RequestStage[0]);
    List<ResponseStage> rs = new ArrayList<>();
    rs.add(new RecordRouteSealing(myself, this));
    rs.add(new ResponseHiding(this));
    rs.addAll(b.responseStages);
    this.responseStages = rs.toArray(new ResponseStage[0]);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** What a proxy is built from; the components it needs, in dependency order. */
  public static final class Builder {
    private SipMessageDecoder decoder;
    private TransactionLayer transactions;
    private ProxySettings settings;
    private Myself myself;
    private Router router;
    private NextHopResolver resolver;
    private Branches branches;
    private CallEvents events;
    private RouteSeal routeSeal;
    private SourceAddresses sources;
    private FlowTable flows;
    private Clock clock;
    private long maxCallMillis = ActiveCalls.DEFAULT_MAX_CALL_MILLIS;
    private CallAdmission admission;
    private final List<RequestStage> beforeRouting = new ArrayList<>();
    private final List<RequestStage> routed = new ArrayList<>();
    private final List<RequestStage> afterRouting = new ArrayList<>();
    private final List<ResponseStage> responseStages = new ArrayList<>();

    public Builder decoder(SipMessageDecoder d) {
      this.decoder = d;
      return this;
    }

    public Builder transactions(TransactionLayer t) {
      this.transactions = t;
      return this;
    }

    public Builder settings(ProxySettings s) {
      this.settings = s;
      return this;
    }

    public Builder myself(Myself m) {
      this.myself = m;
      return this;
    }

    public Builder router(Router r) {
      this.router = r;
      return this;
    }

    /** The next-hop resolver (default: IP literals only). */
    public Builder resolver(NextHopResolver r) {
      this.resolver = r;
      return this;
    }

    /** The branch generator (its prefix identifies this process; probes share it). */
    public Builder branches(Branches b) {
      this.branches = b;
      return this;
    }

    public Builder events(CallEvents e) {
      this.events = e;
      return this;
    }

    /** The Record-Route token sealer (default: a key of this process only). */
    public Builder routeSeal(RouteSeal s) {
      this.routeSeal = s;
      return this;
    }

    public Builder sources(SourceAddresses s) {
      this.sources = s;
      return this;
    }

    /** The connections peers opened, which flow tokens name (none by default). */
    public Builder flows(FlowTable f) {
      this.flows = f;
      return this;
    }

    public Builder clock(Clock c) {
      this.clock = c;
      return this;
    }

    /** How long an answered call is kept when no BYE ends it. */
    public Builder maxCallMillis(long ms) {
      this.maxCallMillis = ms;
      return this;
    }

    /**
     * Call admission control: the rules' call limits enforced after routing (503 with Retry-After),
     * the slots given back by this proxy's call events.
     */
    public Builder callAdmission(CallAdmission a) {
      this.admission = a;
      return this;
    }

    /** A stage run after the server transaction exists and before routing decides. */
    public Builder beforeRouting(RequestStage s) {
      beforeRouting.add(s);
      return this;
    }

    /**
     * A stage run right after routing decided, before call admission and topology hiding: who may
     * use the rule (authentication) and what the registrar does with the request.
     */
    public Builder routed(RequestStage s) {
      routed.add(s);
      return this;
    }

    /** A stage run after routing decided and before the request is forwarded. */
    public Builder afterRouting(RequestStage s) {
      afterRouting.add(s);
      return this;
    }

    /** A response stage run after Record-Route sealing, before a response goes upstream. */
    public Builder responseStage(ResponseStage s) {
      responseStages.add(s);
      return this;
    }

    public Proxy build() {
      return new Proxy(this);
    }
  }

  // --- what stages and tests use --------------------------------------------------------------

  public Stats stats() {
    return stats;
  }

  public TransactionLayer transactions() {
    return transactions;
  }

  public ActiveCalls calls() {
    return calls;
  }

  /** Call admission control, or null when the proxy was built without it. */
  public CallAdmission admission() {
    return admission;
  }

  /** The keepalives towards NATed ends of calls in progress (started by whoever runs the loops). */
  public NatKeepalive natKeepalive() {
    return natKeepalive;
  }

  public Branches branches() {
    return branches;
  }

  Router router() {
    return router;
  }

  FlowTable flows() {
    return flows;
  }

  RouteSeal routeSeal() {
    return routeSeal;
  }

  DialogSeal dialogSeal() {
    return dialogSeal;
  }

  Myself myself() {
    return myself;
  }

  NextHopResolver resolver() {
    return resolver;
  }

  CallEvents events() {
    return events;
  }

  Forwarding forwarding() {
    return forwarding;
  }

  ResponseStage[] responseStages() {
    return responseStages;
  }

  Clock clock() {
    return clock;
  }

  boolean stateless() {
    return settings.stateless();
  }

  /**
   * Swaps routing and the Route sealer of a new configuration; requests already routed keep their
   * targets, and tokens sealed before open as long as their key is still listed.
   */
  public void reload(Router router, RouteSeal routeSeal) {
    this.router = Objects.requireNonNull(router);
    if (this.routeSeal != routeSeal) {
      this.dialogSeal = new DialogSeal(routeSeal.keys());
    }
    this.routeSeal = Objects.requireNonNull(routeSeal);
  }

  // --- messages in ----------------------------------------------------------------------------

  @Override
  public void receive(Loop loop, Flow flow, byte[] data) {
    // A WebSocket message is framed by its frame, like a datagram: Content-Length may be absent
    // (RFC 7118 section 5).
    SipMessage m =
        decoder.decode(data, data.length, flow.reliable() && !flow.protocol().websocket());
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
        onResponse(loop, flow, m);
      }
    } catch (RuntimeException e) {
      // A bug must cost one message, not the loop.
      stats.stageFailures.increment();
      LOG.errorf(e, "failed to process a message from %s", flow.remote());
    }
  }

  private void malformed(Loop loop, Flow flow, SipMessage m) {
    stats.malformed.increment();
    SipParseException e = m.error();
    if (!m.isRequest() || SipMethod.ACK.equals(m.method())) {
      stats.drop(Drop.MALFORMED); // a malformed response is dropped; an ACK gets no answer
      return;
    }
    String reason = e.status() == 400 ? "Bad Request (" + e.getMessage() + ")" : e.getMessage();
    LOG.debugf("%d %s from %s", e.status(), reason, flow.remote());
    stats.localReplies.increment();
    byte[] bytes = Responses.build(m, e.status(), reason, branches.toTag(m), null);
    transactions.sender().send(loop, flow, bytes, null);
  }

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
    advance(new ProxyRequest(this, loop, flow, m, key));
  }

  private void onAck(Loop loop, Flow flow, SipMessage m) {
    if (!settings.stateless()) {
      ServerTransaction tx = transactions.findServer(TransactionLayer.serverKey(m));
      if (tx != null && tx.isInvite()) {
        // The ACK of a non-2xx final is hop-by-hop: it ends here (section 17.2.1). One that
        // matches a transaction in Accepted is for the 2xx (RFC 6026 section 7.1: passed to the
        // TU), as when an RFC 2543 peer or one reusing the INVITE branch ACKs a 2xx: forwarded.
        Loop owner = tx.loop();
        owner.execute(
            () -> {
              if (!tx.onAck()) {
                advance(new ProxyRequest(this, owner, flow, m, null));
              }
            });
        return;
      }
    }
    advance(new ProxyRequest(this, loop, flow, m, null));
  }

  private void onCancel(Loop loop, Flow flow, SipMessage m) {
    ServerTransaction tx = transactions.findServer(TransactionLayer.serverKey(m));
    if (tx == null || !tx.isInvite()) {
      stats.localReplies.increment();
      transactions
          .sender()
          .send(
              loop,
              flow,
              Responses.build(m, 481, "Call/Transaction Does Not Exist", branches.toTag(m), null),
              null);
      return;
    }
    // Section 16.10: answer the CANCEL, then cancel every pending branch.
    stats.localReplies.increment();
    transactions
        .sender()
        .send(loop, flow, Responses.build(m, 200, "OK", branches.toTag(m), null), null);
    tx.loop()
        .execute(
            () -> {
              Object a = tx.attachment();
              if (a instanceof ResponseContext rc) {
                rc.cancel();
              } else if (a instanceof ProxyRequest r && !r.isFinished()) {
                // Still in its stages (a paused lookup): it ends here, with 487.
                r.endPause();
                r.answer(487, "Request Terminated", null);
                r.finish();
              }
            });
  }

  // --- the request pipeline -------------------------------------------------------------------

  /** Runs the request through its stages from where it stands, until one stops or pauses it. */
  void advance(ProxyRequest r) {
    while (r.stage < stages.length) {
      RequestStage s = stages[r.stage];
      Outcome o;
      try {
        o = s.process(r);
      } catch (RuntimeException e) {
        stageFailed(s.name(), e);
        if (!r.isFinished()) {
          r.answer(500, "Server Internal Error", null);
        }
        o = Outcome.STOP;
      }
      if (o == Outcome.PAUSE) {
        return;
      }
      if (o == Outcome.STOP) {
        r.finish();
        return;
      }
      r.stage++;
    }
    r.finish();
  }

  void resumed(ProxyRequest r) {
    if (r.isFinished() || !r.endPause()) {
      return; // it timed out, was cancelled, or resumed twice
    }
    r.stage++;
    advance(r);
  }

  void pauseFailed(ProxyRequest r, int status, String reason, String extra) {
    if (r.isFinished() || !r.endPause()) {
      return;
    }
    r.answer(status, reason, extra);
    r.finish();
  }

  void pauseExpired(ProxyRequest r) {
    if (r.isFinished() || !r.pauseExpiredNow()) {
      return;
    }
    RequestStage s = stages[r.stage];
    LOG.debugf("stage %s timed out for Call-ID %s", s.name(), r.callId());
    try {
      s.timedOut(r);
    } catch (RuntimeException e) {
      stageFailed(s.name(), e);
    }
    r.finish();
  }

  /** Answers a request here: through its server transaction if it has one, else statelessly. */
  void answer(ProxyRequest r, int status, String reason, String extra) {
    if (r.isAck()) {
      stats.drop(Drop.ACK_NOT_ROUTED); // an ACK is never answered
      return;
    }
    stats.localReplies.increment();
    SipMessage m = r.request;
    byte[] bytes = Responses.build(m, status, reason, branches.toTag(m), extra);
    if (r.server != null) {
      r.server.sendResponse(status, bytes);
    } else {
      transactions.sender().send(r.loop, r.source, bytes, null);
    }
    if (status >= 300 && r.media != null) {
      r.media.transactionFailed(status);
    }
    if (m.method() == SipMethod.INVITE && status >= 300) {
      events.callEnded(r, null, CallEvents.EndReason.FAILED, status);
    }
  }

  void stageFailed(String stage, RuntimeException e) {
    stats.stageFailures.increment();
    LOG.errorf(e, "stage %s failed", stage);
  }

  /** An in-dialog request whose Route token did not open: counted, logged once per source. */
  void refusedToken(ProxyRequest r) {
    stats.refusedRoutes.increment();
    InetAddress src = r.source.remote().getAddress();
    long now = clock.millis();
    Long last = loggedSources.get(src);
    if (last == null || now - last >= 60_000) {
      if (loggedSources.size() > 10_000) {
        loggedSources.clear(); // many sources: keep memory bounded; they log again
      }
      loggedSources.put(src, now);
      LOG.warnf(
          "%s %s from %s: its Route token of this SBC does not verify (forged, tampered, or sealed"
              + " with a key no longer configured): refused with 403; further ones from this"
              + " source are not logged for a minute",
          r.request.method(),
          r.request.text(r.request.uriStart(), r.request.uriEnd()),
          r.source.remote());
    }
  }

  /** Targets whose failure to resolve was logged recently (logged once a minute per name). */
  private final ConcurrentHashMap<String, Long> loggedNames = new ConcurrentHashMap<>();

  /** A target with no hop: counted, and logged with its name (once a minute per name). */
  void unresolvable(Target t, String problem) {
    stats.unresolvable.increment();
    String name = t.toString();
    long now = clock.millis();
    Long last = loggedNames.get(name);
    if (last == null || now - last >= 60_000) {
      if (loggedNames.size() > 10_000) {
        loggedNames.clear(); // names from many peers: keep memory bounded; they log again
      }
      loggedNames.put(name, now);
      LOG.warnf(
          "next hop %s not resolved: %s; requests to it are answered 500 (not logged again for a"
              + " minute)",
          name, problem);
    }
  }

  /** Sends a request statelessly (ACK for a 2xx, stateless mode) to its first target. */
  void forwardStatelessly(ProxyRequest r) {
    Target t = r.action.targets().get(0);
    String branch = branches.stateless(r.request, r.loopHash);
    if (t.hop() != null) {
      sendStateless(r, t.hop(), branch);
      return;
    }
    resolver.resolve(
        t.where(),
        r.loop,
        (hops, problem) -> {
          if (hops.isEmpty()) {
            unresolvable(t, problem);
            if (!r.isAck()) {
              r.answer(500, Responses.NEXT_HOP_NOT_RESOLVED, null);
            }
            return;
          }
          sendStateless(r, hops.get(0), branch);
        });
  }

  private void sendStateless(ProxyRequest r, Hop hop, String branch) {
    if (forwarding.outboundListener(hop, r.source.listener()) == null) {
      stats.drop(Drop.UNREACHABLE);
      return;
    }
    forwarding.send(r, hop, branch, null, null);
  }

  // --- responses ------------------------------------------------------------------------------

  private void onResponse(Loop loop, Flow flow, SipMessage m) {
    Via top = m.topVia();
    if (!branches.isOurs(m.bytes(), top.branchValueStart(), top.branchValueEnd())) {
      // Section 18.1.2: a response whose top Via is not ours is discarded.
      stats.drop(Drop.NOT_OUR_VIA);
      return;
    }
    ClientTransaction tx = transactions.findClient(top.branch());
    if (tx != null) {
      if (!tx.isFrom(flow)) {
        // Only the element the request went to answers it (where the transport lets us tell):
        // a response from elsewhere is someone guessing a branch.
        stats.drop(Drop.WRONG_SOURCE);
        return;
      }
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

  private void forwardResponseStatelessly(Loop loop, SipMessage m) {
    String hidden = m.topVia().param("h");
    if (hidden != null) {
      forwardHiddenStray(loop, m, hidden);
      return;
    }
    if (m.vias().size() < 2) {
      stats.drop(Drop.NO_UPSTREAM);
      return;
    }
    MessageEditor e = new MessageEditor(m);
    int h0 = m.viaHeaderIndex(0);
    if (m.viaHeaderIndex(1) == h0) {
      e.delete(m.vias().get(0).start(), m.vias().get(1).start());
    } else {
      e.delete(m.headerLineStart(h0), m.headerLineEnd(h0));
    }
    byte[] out = e.apply();
    Via next = m.vias().get(1);
    Protocol p = Protocol.fromUriParam(next.transport());
    if (p == null) {
      stats.drop(Drop.NO_UPSTREAM);
      return;
    }
    // Section 18.2.2 with RFC 3581: received and rport, else sent-by (resolved per RFC 3263 5).
    if (next.received() != null) {
      InetAddress a = IpLiteral.toInetAddress(next.received());
      int port = next.rport() > 0 ? next.rport() : next.port() > 0 ? next.port() : 5060;
      sendResponse(loop, a == null ? null : new Hop(new InetSocketAddress(a, port), p, null), out);
      return;
    }
    resolver.resolveSentBy(
        next.host(),
        next.port(),
        p,
        loop,
        (hops, problem) -> sendResponse(loop, hops.isEmpty() ? null : hops.get(0), out));
  }

  /**
   * A response to a hidden request that reached this replica without the transaction (another sent
   * the request; the answer went to the Service's address): the sender's Via lines, Call-ID and
   * From/To come back from the token in our Via, and it goes to where the sender is.
   */
  private void forwardHiddenStray(Loop loop, SipMessage m, String token) {
    byte[] t = token.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    HiddenState.Origin o =
        HiddenState.Origin.decode(dialogSeal.open(DialogSeal.Kind.VIA, t, 0, t.length, null, 0, 0));
    if (o == null) {
      stats.drop(Drop.NO_UPSTREAM);
      return;
    }
    MessageEditor e = new MessageEditor(m);
    int first = -1;
    int last = -1;
    for (int i = 0; i < m.vias().size(); i++) {
      int h = m.viaHeaderIndex(i);
      if (h != last) {
        last = h;
        if (first < 0) {
          first = m.headerLineStart(h);
        }
        e.delete(m.headerLineStart(h), m.headerLineEnd(h));
      }
    }
    e.insert(first, o.vias());
    int c = m.callIdHeader();
    byte[] original =
        dialogSeal.unmaskCallId(m.bytes(), m.headerValueStart(c), m.headerValueEnd(c));
    if (original != null) {
      e.replace(
          m.headerValueStart(c),
          m.headerValueEnd(c),
          new String(original, java.nio.charset.StandardCharsets.ISO_8859_1));
    }
    if (o.from() != null) {
      int fh = m.findHeader(io.sbc.runtime.sip.message.HeaderName.FROM);
      if (fh >= 0) {
        e.replace(m.headerValueStart(fh), m.headerValueEnd(fh), o.from());
      }
    }
    if (o.to() != null) {
      int th = m.findHeader(io.sbc.runtime.sip.message.HeaderName.TO);
      if (th >= 0) {
        String to = o.to();
        if (m.toTag() != null && !to.toLowerCase(java.util.Locale.ROOT).contains(";tag=")) {
          to = to + ";tag=" + m.toTag();
        }
        e.replace(m.headerValueStart(th), m.headerValueEnd(th), to);
      }
    }
    Hop hop = LiteralResolver.literalHop(o.source());
    sendResponse(loop, hop, e.apply());
  }

  private void sendResponse(Loop loop, Hop hop, byte[] bytes) {
    if (hop == null
        || hop.address().getAddress().isMulticastAddress()
        || isBroadcast(hop.address().getAddress())) {
      stats.drop(Drop.NO_UPSTREAM);
      return;
    }
    Listener l = forwarding.outboundListener(hop, null);
    if (l == null) {
      stats.drop(Drop.UNREACHABLE);
      return;
    }
    transactions.sender().send(loop, new Flow(l, hop.address(), null), bytes, null);
  }

  private static boolean isBroadcast(InetAddress a) {
    byte[] b = a.getAddress();
    return b.length == 4 && (b[3] & 0xFF) == 255;
  }

  /**
   * Where a server transaction's responses go. UDP: the request's source (symmetric, RFC 3581). A
   * stream: over the request's connection while it is open; should it close first, section 18.2.2
   * says to open one to the received address and the Via sent-by port (5060 when absent), not to
   * the peer's ephemeral source port.
   */
  static Flow responseFlow(Flow flow, SipMessage m) {
    if (!flow.reliable()) {
      return flow;
    }
    int port = m.topVia().port() > 0 ? m.topVia().port() : 5060;
    return new Flow(
        flow.listener(),
        new InetSocketAddress(flow.remote().getAddress(), port),
        flow.connection());
  }
}
