package io.sbc.runtime;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import io.sbc.api.ConfigException;
import io.sbc.runtime.config.GatewayConfig;
import io.sbc.runtime.sip.message.SipMessageDecoder;
import io.sbc.runtime.sip.proxy.Proxy;
import io.sbc.runtime.sip.timer.Clock;
import io.sbc.runtime.sip.transaction.TransactionLayer;
import io.sbc.runtime.sip.transport.Listener;
import io.sbc.runtime.sip.transport.Loop;
import io.sbc.runtime.sip.transport.TransportLayer;
import io.vertx.core.Vertx;
import io.vertx.core.impl.VertxInternal;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The SBC process: {@code --config FILE [--gateway NAME] [--pid-file FILE]}; serves the gateway
 * until stopped, or exits non-zero with the configuration's errors.
 */
@QuarkusMain
public class SbcApplication implements QuarkusApplication {
  private static final Logger LOG = Logger.getLogger(SbcApplication.class);

  @Inject Vertx vertx;

  public static void main(String... args) {
    Quarkus.run(SbcApplication.class, args);
  }

  @Override
  public int run(String... args) throws Exception {
    String config = System.getProperty("sbc.config");
    String gateway = null;
    String pidFile = null;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (i + 1 < args.length && (a.equals("--config") || a.equals("-c"))) {
        config = args[++i];
      } else if (i + 1 < args.length && a.equals("--gateway")) {
        gateway = args[++i];
      } else if (i + 1 < args.length && a.equals("--pid-file")) {
        pidFile = args[++i];
      } else {
        System.err.println("usage: sbc --config FILE [--gateway NAME] [--pid-file FILE]");
        return 64;
      }
    }
    if (config == null) {
      System.err.println("usage: sbc --config FILE [--gateway NAME] [--pid-file FILE]");
      return 64;
    }
    GatewayConfig cfg;
    try {
      cfg = GatewayConfig.load(Path.of(config), gateway);
    } catch (ConfigException e) {
      System.err.println("configuration refused:");
      for (String line : e.errors()) {
        System.err.println("  " + line);
      }
      return 2;
    }
    Sbc sbc = start(cfg);
    if (sbc == null) {
      return 3;
    }
    long pid = ProcessHandle.current().pid();
    if (pidFile != null) {
      try {
        Files.writeString(Path.of(pidFile), pid + "\n", StandardCharsets.US_ASCII);
      } catch (IOException e) {
        LOG.warnf("cannot write pid file %s: %s", pidFile, e.getMessage());
      }
    }
    LOG.infof("SBC gateway %s ready, pid %d (config %s)", cfg.name(), pid, config);
    Quarkus.waitForExit();
    sbc.transports.close();
    if (pidFile != null) {
      Files.deleteIfExists(Path.of(pidFile));
    }
    return 0;
  }

  /** The running parts, for shutdown. */
  record Sbc(TransportLayer transports, Proxy proxy) {}

  private Sbc start(GatewayConfig cfg) {
    VertxInternal vx = (VertxInternal) vertx;
    List<Loop> loops = new ArrayList<>();
    for (EventExecutor e : vx.getEventLoopGroup()) {
      EventLoop el = (EventLoop) e;
      loops.add(
          new Loop(
              loops.size(),
              el,
              vx.createEventLoopContext(el, null, SbcApplication.class.getClassLoader()),
              Clock.SYSTEM));
    }
    for (Loop loop : loops) {
      long tick = loop.timers().tickMillis();
      loop.eventLoop()
          .scheduleAtFixedRate(
              () -> loop.dispatch(loop.timers()::advance), tick, tick, TimeUnit.MILLISECONDS);
    }
    Proxy[] proxy = new Proxy[1];
    TransportLayer transports =
        new TransportLayer(loops, cfg.transport(), (l, f, d) -> proxy[0].receive(l, f, d));
    TransactionLayer transactions = new TransactionLayer(transports::send, cfg.timers());
    proxy[0] =
        new Proxy(new SipMessageDecoder(cfg.limits()), transactions, cfg.proxy(), cfg.router());
    LOG.infof(
        "%d event loops, %s transport",
        loops.size(), transports.nativeTransport() ? "native epoll" : "NIO");
    for (Listener l : cfg.listeners()) {
      try {
        transports.bind(l);
      } catch (Exception e) {
        System.err.println(
            "cannot listen on " + l + ": " + e.getMessage() + " (listener '" + l.name() + "')");
        transports.close();
        return null;
      }
    }
    return new Sbc(transports, proxy[0]);
  }
}
