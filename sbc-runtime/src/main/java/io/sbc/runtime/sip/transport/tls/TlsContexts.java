package io.sbc.runtime.sip.transport.tls;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.jboss.logging.Logger;

/**
 * Every TLS context of a gateway: one {@link ServerTls} per TLS listener (by listener name) and one
 * {@link ClientTls} for the connections the SBC opens, with a thread of their own that checks their
 * files every few seconds and swaps in certificates that changed.
 *
 * <p>The transports (SIP-TLS here, SIP-WSS beside it) ask for a handler per connection with {@link
 * #serverHandler(String, Channel)} and {@link #clientHandler(Channel, String, InetSocketAddress)}.
 */
public final class TlsContexts implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(TlsContexts.class);

  /** No TLS listener and the JDK's trust store for clients, built when first needed. */
  public static final TlsContexts NONE =
      new TlsContexts(new ConcurrentHashMap<>(), Map.of(), null, new Reloads());

  private final Map<String, ServerTls> servers;

  /** Listeners whose mounted certificates did not load yet (tried again with every check). */
  private final Map<String, TlsSettings.Server> waiting;

  private final List<Consumer<String>> readyListeners = new CopyOnWriteArrayList<>();
  private final Reloads reloads;
  private volatile ClientTls client;
  private final LongAdder handshakeFailures = new LongAdder();
  private ScheduledExecutorService files;

  private TlsContexts(
      Map<String, ServerTls> servers,
      Map<String, TlsSettings.Server> waiting,
      ClientTls client,
      Reloads reloads) {
    this.servers = servers;
    this.waiting = new ConcurrentHashMap<>(waiting);
    this.client = client;
    this.reloads = reloads;
  }

  /**
   * Reads and checks every file of the settings (blocking: at start, off the event loops).
   *
   * @throws TlsFileException the first file that does not serve, named with the reason
   */
  public static TlsContexts load(TlsSettings settings) throws TlsFileException {
    Reloads reloads = new Reloads();
    Map<String, ServerTls> s = new ConcurrentHashMap<>();
    Map<String, TlsSettings.Server> w = new LinkedHashMap<>();
    for (Map.Entry<String, TlsSettings.Server> e : settings.servers().entrySet()) {
      TlsSettings.Server v = e.getValue();
      try {
        s.put(e.getKey(), server(e.getKey(), v, reloads));
      } catch (TlsFileException ex) {
        if (!v.mounted()) {
          throw ex;
        }
        // A Secret not there yet (or invalid): the operator reports it in the listener's status;
        // the other listeners start, this one when its files load.
        LOG.errorf(
            "TLS listener %s not started: %s (tried again every check)",
            e.getKey(), ex.getMessage());
        w.put(e.getKey(), v);
      }
    }
    ClientTls c =
        settings.trustFile() != null || settings.clientCertificate() != null
            ? new ClientTls(settings.trustFile(), settings.clientCertificate(), reloads)
            : null;
    return new TlsContexts(s, w, c, reloads);
  }

  private static ServerTls server(String name, TlsSettings.Server v, Reloads reloads)
      throws TlsFileException {
    return new ServerTls(name, v.certificates(), v.clientCertificate(), v.clientCaFile(), reloads);
  }

  /** Whether a TLS listener waits for its mounted certificates to load. */
  public boolean waiting(String listener) {
    return waiting.containsKey(listener);
  }

  /**
   * Called, on the thread that checks the files, with the name of a waiting listener whose
   * certificates loaded: it can be bound now.
   */
  public void onReady(Consumer<String> listener) {
    readyListeners.add(listener);
  }

  /** Whether the listener of this name has TLS settings. */
  public boolean serves(String listener) {
    return servers.containsKey(listener);
  }

  /** The server side of a TLS listener, or null. */
  public ServerTls server(String listener) {
    return servers.get(listener);
  }

  /**
   * A handler for a connection accepted on a TLS listener, to add first to its pipeline: it picks
   * the certificate by the client's SNI name and performs the handshake (the messages that follow
   * are plain text to the handlers after it).
   *
   * @throws IllegalArgumentException for a listener without TLS settings
   */
  public ChannelHandler serverHandler(String listener, Channel ch) {
    ServerTls s = servers.get(listener);
    if (s == null) {
      throw new IllegalArgumentException("listener " + listener + " has no TLS settings");
    }
    return s.newHandler(ch);
  }

  /**
   * A handler for a connection the SBC opens over TLS, to add first to its pipeline.
   *
   * @param serverName the name the next hop was resolved from (RFC 5922), or null for an address
   */
  public SslHandler clientHandler(Channel ch, String serverName, InetSocketAddress remote) {
    ClientTls c = client;
    if (c == null) {
      synchronized (this) {
        c = client;
        if (c == null) {
          try {
            // The JDK's trust store, read the first time the SBC connects over TLS.
            client = c = new ClientTls(null, null, reloads);
          } catch (TlsFileException e) {
            throw new IllegalStateException(e);
          }
        }
      }
    }
    return c.newHandler(ch, serverName, remote);
  }

  /**
   * The subject (RFC 2253) of the certificate the peer of a TLS connection presented, or null when
   * it presented none, the handshake is not done, or the connection is not TLS.
   */
  public static String peerSubject(Channel ch) {
    if (ch == null) {
      return null;
    }
    SslHandler h = ch.pipeline().get(SslHandler.class);
    if (h == null || !h.handshakeFuture().isSuccess()) {
      return null;
    }
    SSLSession session = h.engine().getSession();
    try {
      Certificate[] certs = session.getPeerCertificates();
      if (certs.length > 0 && certs[0] instanceof X509Certificate x) {
        return x.getSubjectX500Principal().getName();
      }
    } catch (SSLPeerUnverifiedException e) {
      return null;
    }
    return null;
  }

  /** Counts a handshake that failed (the transports call it; the metrics read it). */
  public void handshakeFailed() {
    handshakeFailures.increment();
  }

  public long handshakeFailures() {
    return handshakeFailures.sum();
  }

  /** Certificate files reloaded and applied since start. */
  public long reloadsApplied() {
    return reloads.appliedCount();
  }

  /** New certificate files refused (each content once) since start. */
  public long reloadsRefused() {
    return reloads.refusedCount();
  }

  /** Reads every file again now, on the calling thread (blocking; tests, and the timer). */
  public void reloadNow() {
    for (Map.Entry<String, TlsSettings.Server> e : waiting.entrySet()) {
      try {
        ServerTls s = server(e.getKey(), e.getValue(), reloads);
        servers.put(e.getKey(), s);
        waiting.remove(e.getKey());
        LOG.infof("TLS listener %s: certificates loaded", e.getKey());
        for (Consumer<String> l : readyListeners) {
          l.accept(e.getKey());
        }
      } catch (TlsFileException ex) {
        reloads.refused(e.getKey(), ex.getMessage(), ex.getMessage());
      } catch (RuntimeException ex) {
        LOG.warnf(ex, "TLS listener %s: start failed", e.getKey());
      }
    }
    for (ServerTls s : servers.values()) {
      try {
        s.reload();
      } catch (RuntimeException e) {
        LOG.warnf(e, "TLS listener %s: reload failed", s.listener());
      }
    }
    ClientTls c = client;
    if (c != null) {
      c.reload();
    }
  }

  /** Starts checking the files every {@code seconds} on a thread of its own (never a loop). */
  public synchronized void start(int seconds) {
    if (files != null || (servers.isEmpty() && waiting.isEmpty() && client == null)) {
      return;
    }
    files =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "sbc-tls-files");
              t.setDaemon(true);
              return t;
            });
    files.scheduleWithFixedDelay(this::reloadNow, seconds, seconds, TimeUnit.SECONDS);
  }

  @Override
  public synchronized void close() {
    if (files != null) {
      files.shutdownNow();
      files = null;
    }
  }
}
