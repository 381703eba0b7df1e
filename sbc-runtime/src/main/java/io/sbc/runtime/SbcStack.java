package io.sbc.runtime;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.sbc.api.ConfigException;
import io.sbc.api.Defaults;
import io.sbc.api.SipDispatcher;
import io.sbc.runtime.config.GatewayConfig;
import io.sbc.runtime.dispatcher.DestinationStatus;
import io.sbc.runtime.dispatcher.Dispatcher;
import io.sbc.runtime.dispatcher.DispatcherEvents;
import io.sbc.runtime.dispatcher.ProbeEnvironment;
import io.sbc.runtime.media.MediaControl;
import io.sbc.runtime.media.MediaRequestStage;
import io.sbc.runtime.media.MediaResponseStage;
import io.sbc.runtime.media.MediaSettings;
import io.sbc.runtime.media.NgClient;
import io.sbc.runtime.media.RtpEngines;
import io.sbc.runtime.routing.DestinationPool;
import io.sbc.runtime.routing.RoutingTable;
import io.sbc.runtime.seal.RouteSeal;
import io.sbc.runtime.sip.admission.SourceGuard;
import io.sbc.runtime.sip.locate.DnsResolver;
import io.sbc.runtime.sip.locate.NettyDnsClient;
import io.sbc.runtime.sip.message.SipMessageDecoder;
import io.sbc.runtime.sip.proxy.Branches;
import io.sbc.runtime.sip.proxy.CallAdmission;
import io.sbc.runtime.sip.proxy.CallCounters;
import io.sbc.runtime.sip.proxy.CallEvents;
import io.sbc.runtime.sip.proxy.Proxy;
import io.sbc.runtime.sip.timer.Clock;
import io.sbc.runtime.sip.timer.Timeout;
import io.sbc.runtime.sip.transaction.TimerSettings;
import io.sbc.runtime.sip.transaction.TransactionLayer;
import io.sbc.runtime.sip.transport.Listener;
import io.sbc.runtime.sip.transport.Loop;
import io.sbc.runtime.sip.transport.SourceAddresses;
import io.sbc.runtime.sip.transport.TransportLayer;
import io.vertx.core.Vertx;
import io.vertx.core.impl.VertxInternal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * One running gateway: the SIP layers wired together, in dependency order, on the event loops of a
 * Vert.x instance, with its listeners bound. The process and the integration tests start it the
 * same way.
 */
public final class SbcStack implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(SbcStack.class);

  /** How often answered calls nobody ended are looked for (they expire after the longest call). */
  private static final long CALL_SWEEP_MILLIS = 60_000;

  private volatile GatewayConfig config;
  private final List<Loop> loops;
  private final List<ScheduledFuture<?>> ticks = new ArrayList<>();
  private final SourceGuard sourceGuard;
  private final TransportLayer transports;
  private final TransactionLayer transactions;
  private final Branches branches;
  private final SourceAddresses sources = new SourceAddresses();
  private final CallCounters callCounters = new CallCounters();
  private final CallAdmission callAdmission;
  private final NettyDnsClient dns;
  private final DnsResolver resolver;
  private final Proxy proxy;
  private volatile Map<String, Dispatcher> dispatchers;
  private boolean listening;
  private final List<Runnable> pendingProbes = new ArrayList<>();
  private Timeout sweep;
  private RouteSeal routeSeal;
  private final List<Runnable> reloadListeners = new CopyOnWriteArrayList<>();

  /** Media anchoring on RTPengine, when the gateway has media (null otherwise). */
  private final MediaControl media;

  /** The registrar's bindings, when the gateway has a registrar (null otherwise). */
  private final io.sbc.runtime.registrar.LocationStore locations;

  /** The subscribers of the configuration in force, replaced whole on reload. */
  private volatile io.sbc.runtime.registrar.InMemoryCredentialStore subscribers;

  private final io.sbc.runtime.auth.AuthenticationStage authentication;
  private final io.sbc.runtime.registrar.RegistrarStage registrar;
  private final io.sbc.runtime.registrar.LookupStage lookup;

  private SbcStack(GatewayConfig config, Vertx vertx, CallEvents subscriber)
      throws ConfigException {
    this.config = config;
    VertxInternal vx = (VertxInternal) vertx;
    List<Loop> ls = new ArrayList<>();
    for (EventExecutor e : vx.getEventLoopGroup()) {
      EventLoop el = (EventLoop) e;
      ls.add(
          new Loop(
              ls.size(),
              el,
              vx.createEventLoopContext(el, null, SbcStack.class.getClassLoader()),
              Clock.SYSTEM));
    }
    this.loops = List.copyOf(ls);
    for (Loop loop : loops) {
      long tick = loop.timers().tickMillis();
      Runnable advance = loop::tick;
      ticks.add(
          loop.eventLoop()
              .scheduleAtFixedRate(
                  () -> loop.dispatch(advance), tick, tick, TimeUnit.MILLISECONDS));
    }
    this.branches = new Branches(config.name());
    this.sourceGuard =
        new SourceGuard(
            loops.size(), Defaults.ANTI_FLOOD_TRACKED_SOURCES, config.sourcePolicy(), Clock.SYSTEM);
    io.sbc.runtime.sip.transport.tls.TlsContexts tls;
    try {
      // Certificates are read now, off the loops; their thread reads them again when they change.
      tls = io.sbc.runtime.sip.transport.tls.TlsContexts.load(config.tls());
    } catch (io.sbc.runtime.sip.transport.tls.TlsFileException e) {
      throw new ConfigException(List.of(config.source() + ": " + e.getMessage()));
    }
    tls.start(Defaults.TLS_RELOAD_CHECK_SECONDS);
    this.transports = new TransportLayer(loops, config.transport(), sourceGuard, tls);
    this.transactions = new TransactionLayer(transports::send, config.timers());
    // Next hops named by host name (RFC 3263): a DNS client bound to each loop, one cache.
    this.dns = new NettyDnsClient(loops, config.dns());
    LOG.infof(
        "DNS: next-hop names are resolved through %s",
        dns.servers().stream()
            .map(a -> io.sbc.api.syntax.IpLiteral.uriHost(a.getAddress()) + ":" + a.getPort())
            .toList());
    this.resolver =
        new DnsResolver(
            dns,
            config.dns(),
            config.listeners(),
            Clock.SYSTEM,
            java.util.concurrent.ThreadLocalRandom::current);
    // Dispatchers first (their probes use the branches and transactions), then the routing table
    // over them, then the proxy with everything it needs.
    this.dispatchers = dispatchersFor(config, Map.of());
    RoutingTable router = config.router(this::pool, null);
    this.routeSeal = new RouteSeal(config.sealKeys());
    if (config.sealKeys().isGenerated()) {
      LOG.warnf(
          "gateway %s has no spec.sealing secret: a key of this process seals Record-Route"
              + " tokens, so dialogs do not survive a restart and cannot move to another replica",
          config.name());
    }
    // A call not answered is counted at most until its INVITE transaction must have ended (timer C
    // and the fallback after it), with a minute to spare.
    TimerSettings t = config.timers();
    this.callAdmission =
        new CallAdmission(
            Clock.SYSTEM, config.maxCallMillis(), t.timerC() + 64L * t.t1() + t.t4() + 60_000);
    callAdmission.gatewayLimit(config.gatewayCallLimit());
    MediaSettings ms = config.media();
    if (ms != null) {
      NgClient ng;
      try {
        ng = NgClient.open(loops, ms.timeoutMillis(), ms.retries());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ConfigException(
            List.of("interrupted while opening the RTPengine control sockets"));
      }
      this.media =
          new MediaControl(
              ng, new RtpEngines(ms.instances()), ms.gatewayPolicy(), ms.rulePolicies());
      LOG.infof("gateway %s anchors media on RTPengine %s", config.name(), ms.instances().keySet());
    } else {
      this.media = null;
    }
    Proxy.Builder pb = Proxy.builder();
    io.sbc.runtime.config.RegistrarConfig rc = config.registrar();
    if (rc != null) {
      // Bindings in memory (a gateway without a database); expiry on the loops' timer wheels.
      Clock wall = System::currentTimeMillis;
      this.locations =
          new io.sbc.runtime.registrar.InMemoryLocationStore(
              wall, loops.get(0), rc.settings().maxBindings());
      this.subscribers = new io.sbc.runtime.registrar.InMemoryCredentialStore(rc.subscribers());
      this.authentication =
          new io.sbc.runtime.auth.AuthenticationStage(
              rc.settings(),
              (user, realm, loop, answer) -> subscribers.find(user, realm, loop, answer),
              config.sealKeys(),
              wall);
      this.registrar =
          new io.sbc.runtime.registrar.RegistrarStage(rc.settings(), locations, wall, null);
      this.lookup = new io.sbc.runtime.registrar.LookupStage(rc.settings(), locations);
      pb.routed(authentication).routed(registrar).routed(lookup);
      LOG.infof(
          "gateway %s: registrar for %s, %d subscribers, bindings in memory",
          config.name(), rc.settings().domains(), rc.subscribers().size());
    } else {
      this.locations = null;
      this.authentication = null;
      this.registrar = null;
      this.lookup = null;
    }
    if (media != null) {
      pb.afterRouting(new MediaRequestStage(media)).responseStage(new MediaResponseStage(media));
    }
    this.proxy =
        pb.decoder(new SipMessageDecoder(config.limits()))
            .transactions(transactions)
            .settings(config.proxy())
            .myself(config.myself())
            .router(router)
            .routeSeal(routeSeal)
            .branches(branches)
            .sources(sources)
            .flows(transports)
            .resolver(resolver)
            .events(
                CallEvents.all(
                    subscriber == null
                        ? List.of(new DispatcherEvents(), callCounters)
                        : List.of(new DispatcherEvents(), callCounters, subscriber)))
            .maxCallMillis(config.maxCallMillis())
            .callAdmission(callAdmission)
            .build();
    Loop first = loops.get(0);
    first.execute(() -> scheduleSweep(first));
    proxy.natKeepalive().start(first);
    if (media != null) {
      media.engines().startPinging(media.client(), first, ms.pingIntervalMillis());
    }
  }

  private void scheduleSweep(Loop loop) {
    sweep =
        loop.timers()
            .schedule(
                () -> {
                  int n = proxy.calls().sweep();
                  if (n > 0) {
                    LOG.infof("%d answered calls without a BYE for too long forgotten", n);
                  }
                  int slots = callAdmission.sweep();
                  if (slots > 0) {
                    LOG.infof(
                        "%d call admission slots whose call was never seen ending released", slots);
                  }
                  scheduleSweep(loop);
                },
                CALL_SWEEP_MILLIS);
  }

  /**
   * The dispatchers of a configuration: existing ones (by name) updated in place, new ones
   * compiled; nothing is applied here, so a configuration that fails elsewhere changes nothing.
   */
  private Map<String, Dispatcher> dispatchersFor(GatewayConfig cfg, Map<String, Dispatcher> running)
      throws ConfigException {
    Map<String, Dispatcher> next = new LinkedHashMap<>();
    List<String> errors = new ArrayList<>();
    for (SipDispatcher doc : cfg.dispatchers()) {
      List<String> problems = Dispatcher.check(doc);
      if (!problems.isEmpty()) {
        errors.add(
            cfg.source()
                + ": SipDispatcher/"
                + doc.metadata.name
                + ": "
                + String.join("; ", problems));
        continue;
      }
      Dispatcher d = running.get(doc.metadata.name);
      next.put(doc.metadata.name, d != null ? d : Dispatcher.create(doc));
    }
    if (!errors.isEmpty()) {
      throw new ConfigException(errors);
    }
    return next;
  }

  private Loop probeLoop(String dispatcher) {
    return loops.get(Math.floorMod(dispatcher.hashCode(), loops.size()));
  }

  private void startProbing(Dispatcher d) {
    Loop loop = probeLoop(d.name());
    ProbeEnvironment env =
        new ProbeEnvironment(
            loop, transactions, config.listeners(), branches::nextProbe, sources, resolver);
    // Probes run on the loop whose timer wheel they use, once the listeners are bound.
    Runnable start = () -> loop.execute(() -> d.startProbing(env));
    if (listening) {
      start.run();
    } else {
      pendingProbes.add(start);
    }
  }

  /** The dispatcher of that name as the router sees it (null: none). */
  private DestinationPool pool(String name) {
    Dispatcher d = dispatchers.get(name);
    return d == null ? null : d::select;
  }

  /** Every dispatcher's destinations as they are now, by dispatcher name. */
  public Map<String, List<DestinationStatus>> dispatcherStatus() {
    Map<String, List<DestinationStatus>> m = new LinkedHashMap<>();
    dispatchers.forEach((name, d) -> m.put(name, d.snapshot()));
    return m;
  }

  /** How many loops have not ticked for {@code millis}: stuck loops fail liveness. */
  public long stalledLoops(long millis) {
    return loops.stream().filter(l -> l.sinceLastTickMillis() > millis).count();
  }

  /**
   * Builds the stack and binds every listener.
   *
   * @throws BindException naming the listener that could not be bound (nothing stays bound)
   */
  public static SbcStack start(GatewayConfig config, Vertx vertx) throws BindException {
    return start(config, vertx, null);
  }

  /**
   * Starts the gateway with one more subscriber to its call events (accounting), told after the
   * dispatchers and the counters; null for none.
   */
  public static SbcStack start(GatewayConfig config, Vertx vertx, CallEvents subscriber)
      throws BindException {
    SbcStack s;
    try {
      s = new SbcStack(config, vertx, subscriber);
    } catch (ConfigException e) {
      throw new BindException(String.join("; ", e.errors()));
    }
    for (Listener l : config.listeners()) {
      if (s.transports.tls().waiting(l.name())) {
        continue; // its Secret is not there yet: bound when its certificates load (below)
      }
      try {
        s.transports.bind(l, s.proxy);
      } catch (Exception e) {
        s.close();
        throw new BindException(
            "cannot listen on " + l + " (listener '" + l.name() + "'): " + e.getMessage());
      }
    }
    SbcStack stack = s;
    s.transports
        .tls()
        .onReady(
            name -> {
              for (Listener l : config.listeners()) {
                if (l.name().equals(name)) {
                  try {
                    stack.transports.bind(l, stack.proxy);
                  } catch (Exception e) {
                    LOG.errorf("cannot listen on %s (listener '%s'): %s", l, name, e.getMessage());
                  }
                }
              }
            });
    synchronized (s) {
      for (Dispatcher d : s.dispatchers.values()) {
        LOG.infof(
            "dispatcher %s: %d destinations, %s", d.name(), d.destinations().size(), d.algorithm());
        s.startProbing(d);
      }
      s.listening = true;
      s.pendingProbes.forEach(Runnable::run);
      s.pendingProbes.clear();
    }
    return s;
  }

  /** A listener that could not be bound. */
  public static final class BindException extends Exception {
    private static final long serialVersionUID = 1L;

    BindException(String message) {
      super(message);
    }
  }

  public GatewayConfig config() {
    return config;
  }

  /**
   * Applies a new configuration of the same gateway, all or nothing: its dispatchers and its
   * routing table are compiled first, and only when every part compiles are they swapped in
   * (routes, dispatchers and the sealing keys at once; a request already routed keeps its targets,
   * so no transaction or call is dropped), as are the anti-flood, scanner and listener allow/deny
   * settings (buckets and bans in progress stay). Listeners, limits and timers need a restart and
   * are left as they are.
   *
   * @throws ConfigException naming what is wrong; the running configuration is untouched
   */
  public synchronized void reload(GatewayConfig next) throws ConfigException {
    if (!next.listeners().toString().equals(config.listeners().toString())
        || !next.limits().equals(config.limits())
        || next.maxCallMillis() != config.maxCallMillis()
        || !next.timers().equals(config.timers())
        || !next.transport().equals(config.transport())
        || !next.dns().equals(config.dns())) {
      LOG.warnf(
          "configuration of gateway %s: listener, limit, timer and DNS changes take effect at the"
              + " next start; routes and dispatchers are applied now",
          next.name());
    }
    Map<String, Dispatcher> running = dispatchers;
    Map<String, Dispatcher> compiled = dispatchersFor(next, running);
    // The routing table of the new configuration, over the new set of dispatchers.
    RoutingTable router =
        next.router(
            name -> {
              Dispatcher d = compiled.get(name);
              return d == null ? null : d::select;
            },
            null);
    // Everything compiled: apply. Existing dispatchers take their new documents, new ones start
    // probing, dropped ones stop.
    for (SipDispatcher doc : next.dispatchers()) {
      Dispatcher d = compiled.get(doc.metadata.name);
      if (running.get(doc.metadata.name) == d) {
        d.update(doc); // thread safe: a new immutable pool in one volatile write
      }
    }
    dispatchers = Map.copyOf(compiled);
    for (Dispatcher d : compiled.values()) {
      if (!running.containsKey(d.name())) {
        LOG.infof(
            "dispatcher %s: %d destinations, %s", d.name(), d.destinations().size(), d.algorithm());
        startProbing(d);
      }
    }
    for (Map.Entry<String, Dispatcher> e : running.entrySet()) {
      if (!compiled.containsKey(e.getKey())) {
        Dispatcher gone = e.getValue();
        probeLoop(gone.name()).execute(gone::close);
      }
    }
    // A configuration without a sealing secret keeps the keys in use: a key made up at start
    // must outlive reloads, or every dialog set up before one would be refused after it.
    RouteSeal seal = next.sealKeys().isGenerated() ? routeSeal : new RouteSeal(next.sealKeys());
    proxy.reload(router, seal);
    // The gateway's call limit applies now: a new share when the replicas changed.
    callAdmission.gatewayLimit(next.gatewayCallLimit());
    sourceGuard.update(next.sourcePolicy());
    io.sbc.runtime.config.RegistrarConfig rc = next.registrar();
    if (registrar != null && rc != null) {
      subscribers = new io.sbc.runtime.registrar.InMemoryCredentialStore(rc.subscribers());
      registrar.settings(rc.settings());
      lookup.settings(rc.settings());
      authentication.keys(seal.keys());
    } else if ((registrar == null) != (rc == null)) {
      LOG.warnf(
          "gateway %s: turning the registrar on or off takes effect at the next start",
          next.name());
    }
    routeSeal = seal;
    MediaSettings ms = next.media();
    if (media != null && ms != null) {
      media.update(ms.gatewayPolicy(), ms.rulePolicies(), ms.instances());
    } else if ((media == null) != (ms == null)) {
      LOG.warnf(
          "gateway %s: turning media anchoring on or off takes effect at the next start",
          next.name());
    }
    config = next;
    for (Runnable l : reloadListeners) {
      try {
        l.run();
      } catch (RuntimeException e) {
        // The configuration is applied: a listener's failure must not make it look refused.
        LOG.errorf(e, "a reload listener failed after gateway %s was reloaded", next.name());
      }
    }
  }

  /**
   * Runs {@code listener} after every reload that was applied (on the reloading thread, never an
   * event loop, with the new dispatchers in place); management uses it to export what a reload
   * added.
   */
  public void addReloadListener(Runnable listener) {
    reloadListeners.add(listener);
  }

  public List<Loop> loops() {
    return loops;
  }

  /** The registrar's bindings, or null when the gateway has no registrar. */
  public io.sbc.runtime.registrar.LocationStore locations() {
    return locations;
  }

  /** The authentication stage (its counters), or null when the gateway has no registrar. */
  public io.sbc.runtime.auth.AuthenticationStage authentication() {
    return authentication;
  }

  /** The registrar stage (its counters), or null when the gateway has no registrar. */
  public io.sbc.runtime.registrar.RegistrarStage registrar() {
    return registrar;
  }

  public TransportLayer transports() {
    return transports;
  }

  public TransactionLayer transactions() {
    return transactions;
  }

  /** Who the listeners hear: refusals by reason, bans, tracked sources. */
  public SourceGuard sourceGuard() {
    return sourceGuard;
  }

  public Proxy proxy() {
    return proxy;
  }

  /** Media anchoring on RTPengine, or null when the gateway has none. */
  public MediaControl media() {
    return media;
  }

  /** The next-hop resolver (RFC 3263) and its cache. */
  public DnsResolver resolver() {
    return resolver;
  }

  /** The name servers asked. */
  public List<java.net.InetSocketAddress> dnsServers() {
    return dns.servers();
  }

  public CallCounters callCounters() {
    return callCounters;
  }

  /** Call admission control: calls in progress and refusals per rule with call limits. */
  public CallAdmission callAdmission() {
    return callAdmission;
  }

  /**
   * Drains before a stop (SIGTERM): new INVITEs are answered 503 with Retry-After while in-dialog
   * requests and open transactions are served; returns once the calls this process carries have
   * ended (their BYE answered, or their INVITE failed), or after {@code maxMillis}. Blocks the
   * calling thread (never an event loop).
   *
   * @return the calls still in progress when it returned (0 unless the time ran out)
   */
  public int drain(long maxMillis) throws InterruptedException {
    callAdmission.drain();
    long deadline = System.nanoTime() + maxMillis * 1_000_000;
    int n = inProgress();
    LOG.infof(
        "draining gateway %s: %d calls in progress; new INVITEs get 503; stopping when they end or"
            + " in %d s",
        config.name(), n, maxMillis / 1000);
    long lastLog = System.nanoTime();
    while ((n = inProgress()) > 0 && System.nanoTime() < deadline) {
      Thread.sleep(100);
      if (System.nanoTime() - lastLog > 10_000_000_000L) {
        lastLog = System.nanoTime();
        LOG.infof("draining: %d calls in progress", n);
      }
    }
    if (n > 0) {
      LOG.warnf("drain period over: stopping with %d calls in progress", n);
    } else {
      // The last BYE's 200 went out; a retransmitted BYE (the 200 lost) is still answered.
      Thread.sleep(Math.min(500, Math.max(0, (deadline - System.nanoTime()) / 1_000_000)));
      LOG.infof("drained: no call in progress");
    }
    return n;
  }

  /** Calls this process carries: ringing or answered. */
  private int inProgress() {
    return Math.max(callAdmission.active(), proxy.calls().size());
  }

  @Override
  public void close() {
    proxy.natKeepalive().stop();
    dispatchers.forEach((name, d) -> probeLoop(name).execute(d::close));
    Loop first = loops.get(0);
    first.execute(
        () -> {
          if (sweep != null) {
            sweep.cancel();
          }
        });
    for (ScheduledFuture<?> f : ticks) {
      f.cancel(false);
    }
    transports.close();
    transports.tls().close();
    if (media != null) {
      media.close();
    }
    dns.close();
  }
}
