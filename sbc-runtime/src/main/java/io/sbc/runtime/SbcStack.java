package io.sbc.runtime;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.sbc.api.SipDispatcher;
import io.sbc.runtime.config.GatewayConfig;
import io.sbc.runtime.dispatcher.CallTracker;
import io.sbc.runtime.dispatcher.DestinationStatus;
import io.sbc.runtime.dispatcher.Dispatcher;
import io.sbc.runtime.dispatcher.ProbeEnvironment;
import io.sbc.runtime.sip.message.SipMessageDecoder;
import io.sbc.runtime.sip.proxy.Proxy;
import io.sbc.runtime.sip.timer.Clock;
import io.sbc.runtime.sip.transaction.TransactionLayer;
import io.sbc.runtime.sip.transport.Listener;
import io.sbc.runtime.sip.transport.Loop;
import io.sbc.runtime.sip.transport.TransportLayer;
import io.vertx.core.Vertx;
import io.vertx.core.impl.VertxInternal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One running gateway: the SIP layers wired together on the event loops of a Vert.x instance, with
 * its listeners bound. The process and the integration tests start it the same way.
 */
public final class SbcStack implements AutoCloseable {
  private static final org.jboss.logging.Logger LOG =
      org.jboss.logging.Logger.getLogger(SbcStack.class);
  private volatile GatewayConfig config;
  private final List<Loop> loops;
  private final List<ScheduledFuture<?>> ticks = new ArrayList<>();
  private final TransportLayer transports;
  private final TransactionLayer transactions;
  private final Proxy proxy;
  private volatile Map<String, Dispatcher> dispatchers = Map.of();
  private volatile boolean listening;
  private final List<Runnable> pendingProbes = new ArrayList<>();

  private SbcStack(GatewayConfig config, Vertx vertx) throws io.sbc.api.ConfigException {
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
    Proxy[] p = new Proxy[1];
    this.transports =
        new TransportLayer(loops, config.transport(), (l, f, d) -> p[0].receive(l, f, d));
    this.transactions = new TransactionLayer(transports::send, config.timers());
    // The router needs the dispatchers, the dispatchers' probes need the proxy's branches: the
    // proxy starts with a router that answers nothing and gets the real one right after.
    this.proxy =
        new Proxy(
            new SipMessageDecoder(config.limits()),
            transactions,
            config.proxy(),
            (m, f) -> io.sbc.runtime.sip.proxy.RouteAction.reject(503, "Starting"));
    p[0] = proxy;
    proxy.setCallObserver(CallTracker::callEnded);
    // Timer wheels belong to their loop: everything that schedules runs there.
    loops.get(0).execute(() -> CallTracker.GLOBAL.startSweeping(loops.get(0)));
    applyDispatchers(config);
    proxy.setRouter(config.router(this::pool, null));
  }

  /** Creates, updates or closes dispatchers to match the configuration (state is kept). */
  private void applyDispatchers(GatewayConfig cfg) {
    Map<String, Dispatcher> next = new LinkedHashMap<>();
    for (SipDispatcher doc : cfg.dispatchers()) {
      Dispatcher d = dispatchers.get(doc.metadata.name);
      Loop loop = loops.get(Math.floorMod(doc.metadata.name.hashCode(), loops.size()));
      if (d != null) {
        Dispatcher existing = d;
        loop.execute(() -> existing.update(doc));
      } else {
        Dispatcher created = Dispatcher.create(doc);
        d = created;
        ProbeEnvironment env =
            new ProbeEnvironment(loop, transactions, cfg.listeners(), proxy::newProbeBranch);
        // Probes run on the loop whose timer wheel they use, once the listeners are bound.
        Runnable start = () -> loop.execute(() -> created.startProbing(env));
        if (listening) {
          start.run();
        } else {
          pendingProbes.add(start);
        }
        LOG.infof(
            "dispatcher %s: %d destinations, %s", d.name(), d.destinations().size(), d.algorithm());
      }
      next.put(doc.metadata.name, d);
    }
    for (Map.Entry<String, Dispatcher> e : dispatchers.entrySet()) {
      if (!next.containsKey(e.getKey())) {
        Dispatcher gone = e.getValue();
        loops.get(Math.floorMod(e.getKey().hashCode(), loops.size())).execute(gone::close);
      }
    }
    dispatchers = Map.copyOf(next);
  }

  /** The dispatcher of that name as the router sees it (null: none). */
  private io.sbc.runtime.routing.DestinationPool pool(String name) {
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
    SbcStack s;
    try {
      s = new SbcStack(config, vertx);
    } catch (io.sbc.api.ConfigException e) {
      throw new BindException(e.getMessage());
    }
    for (Listener l : config.listeners()) {
      try {
        s.transports.bind(l);
      } catch (Exception e) {
        s.close();
        throw new BindException(
            "cannot listen on " + l + " (listener '" + l.name() + "'): " + e.getMessage());
      }
    }
    synchronized (s) {
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
   * Applies a new configuration of the same gateway: routes and dispatchers are swapped at once (a
   * request already routed keeps its targets, so no transaction or call is dropped); listeners,
   * limits and timers need a restart and are left as they are.
   */
  public synchronized void reload(GatewayConfig next) {
    if (!next.listeners().toString().equals(config.listeners().toString())
        || !next.limits().equals(config.limits())
        || !next.timers().equals(config.timers())
        || !next.transport().equals(config.transport())) {
      LOG.warnf(
          "configuration of gateway %s: listener, limit and timer changes take effect at the next"
              + " start; routes and dispatchers are applied now",
          next.name());
    }
    applyDispatchers(next);
    try {
      proxy.setRouter(next.router(this::pool, null));
    } catch (io.sbc.api.ConfigException e) {
      throw new IllegalStateException(String.join("; ", e.errors()), e);
    }
    config = next;
  }

  public List<Loop> loops() {
    return loops;
  }

  public TransportLayer transports() {
    return transports;
  }

  public TransactionLayer transactions() {
    return transactions;
  }

  public Proxy proxy() {
    return proxy;
  }

  @Override
  public void close() {
    dispatchers.forEach(
        (name, d) -> loops.get(Math.floorMod(name.hashCode(), loops.size())).execute(d::close));
    loops.get(0).execute(() -> CallTracker.GLOBAL.stopSweeping(loops.get(0)));
    for (ScheduledFuture<?> f : ticks) {
      f.cancel(false);
    }
    transports.close();
  }
}
