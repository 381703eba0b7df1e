package io.sbc.runtime.sip.transport.tls;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.util.Mapping;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLException;
import org.jboss.logging.Logger;

/**
 * The TLS server side of one listener: its certificates (SNI chooses among them), whether clients
 * present certificates, and the CAs those must chain to; reloaded from their files.
 */
public final class ServerTls {
  private static final Logger LOG = Logger.getLogger(ServerTls.class);

  /** A ClientHello larger than this is no SIP client's (Netty's own default is the same). */
  private static final int MAX_CLIENT_HELLO = 16 * 1024;

  /** A peer that does not finish its handshake in this time holds no connection slot longer. */
  static final long HANDSHAKE_TIMEOUT_MILLIS = 10_000;

  /** Whether and how clients are asked for a certificate (mutual TLS). */
  public enum ClientCertificate {
    NONE,
    OPTIONAL,
    REQUIRED
  }

  /** The files of one certificate and its key. */
  public record Files(Path certificate, Path key) {}

  /** What one handshake reads: built whole and swapped with one volatile write. */
  private record Contexts(
      SslContext fallback, Map<String, SslContext> exact, Map<String, SslContext> wildcard) {}

  private final String listener;
  private final List<Files> files;
  private final ClientCertificate clientCertificate;
  private final Path clientCaFile;

  /** What was loaded from each entry of {@link #files}, in order (reload thread only). */
  private final CertifiedKey[] loaded;

  private final Reloads reloads;
  private String caDigest;
  private List<X509Certificate> clientCas;
  private volatile Contexts contexts;

  private final Mapping<String, SslContext> sni = this::select;

  /**
   * Loads every file now; blocking, never on an event loop.
   *
   * @throws TlsFileException naming the file that does not serve
   */
  ServerTls(
      String listener,
      List<Files> files,
      ClientCertificate clientCertificate,
      Path clientCaFile,
      Reloads reloads)
      throws TlsFileException {
    if (files.isEmpty()) {
      throw new TlsFileException("listener " + listener + ": no certificate");
    }
    this.listener = listener;
    this.files = List.copyOf(files);
    this.clientCertificate = clientCertificate;
    this.clientCaFile = clientCaFile;
    this.reloads = reloads;
    this.loaded = new CertifiedKey[files.size()];
    for (int i = 0; i < loaded.length; i++) {
      loaded[i] = CertifiedKey.load(files.get(i).certificate(), files.get(i).key());
    }
    loadClientCas();
    this.contexts = build();
  }

  public String listener() {
    return listener;
  }

  /**
   * A new handler for an accepted connection, to put first in its pipeline: it reads the client's
   * SNI name, picks the certificate and replaces itself with the {@link
   * io.netty.handler.ssl.SslHandler} of that handshake.
   */
  public ChannelHandler newHandler(Channel ch) {
    return new SniHandler(sni, MAX_CLIENT_HELLO, HANDSHAKE_TIMEOUT_MILLIS);
  }

  /** The certificates serving now, in configuration order. */
  public synchronized List<CertifiedKey> certificates() {
    return List.of(loaded.clone());
  }

  /**
   * RFC 6066 section 3: the certificate for the client's name; the first certificate when the
   * client sent none or a name none holds (a client then decides whether that one will do).
   */
  private SslContext select(String hostName) {
    Contexts c = contexts;
    if (hostName == null) {
      return c.fallback;
    }
    String name = hostName.toLowerCase(Locale.ROOT);
    SslContext ctx = c.exact.get(name);
    if (ctx == null) {
      int dot = name.indexOf('.');
      if (dot > 0) {
        ctx = c.wildcard.get(name.substring(dot + 1));
      }
    }
    return ctx != null ? ctx : c.fallback;
  }

  private Contexts build() throws TlsFileException {
    Map<String, SslContext> exact = new HashMap<>();
    Map<String, SslContext> wildcard = new HashMap<>();
    SslContext first = null;
    for (CertifiedKey k : loaded) {
      SslContext ctx = context(k);
      if (first == null) {
        first = ctx;
      }
      for (String n : k.dnsNames()) {
        if (n.startsWith("*.")) {
          wildcard.putIfAbsent(n.substring(2), ctx);
        } else {
          exact.putIfAbsent(n, ctx);
        }
      }
    }
    return new Contexts(first, Map.copyOf(exact), Map.copyOf(wildcard));
  }

  private SslContext context(CertifiedKey k) throws TlsFileException {
    try {
      SslContextBuilder b =
          SslContextBuilder.forServer(k.key(), k.chain().toArray(X509Certificate[]::new))
              .sslProvider(TlsVersions.PROVIDER)
              .protocols(TlsVersions.PROTOCOLS)
              .ciphers(TlsVersions.CIPHERS, SupportedCipherSuiteFilter.INSTANCE);
      switch (clientCertificate) {
        case NONE -> b.clientAuth(ClientAuth.NONE);
        case OPTIONAL -> b.clientAuth(ClientAuth.OPTIONAL);
        case REQUIRED -> b.clientAuth(ClientAuth.REQUIRE);
      }
      if (clientCertificate != ClientCertificate.NONE) {
        b.trustManager(clientCas.toArray(X509Certificate[]::new));
      }
      return b.build();
    } catch (SSLException | RuntimeException e) {
      throw new TlsFileException(
          "listener " + listener + ": certificate " + k.subject() + " unusable: " + e, e);
    }
  }

  private void loadClientCas() throws TlsFileException {
    if (clientCertificate == ClientCertificate.NONE) {
      return;
    }
    byte[] text = CertifiedKey.read(clientCaFile);
    clientCas = Pem.certificates(text, clientCaFile.toString());
    caDigest = CertifiedKey.digest(text);
  }

  /**
   * Reads the files again and swaps in what changed; a file that does not load is refused (logged
   * once per content, counted) and the certificate loaded before keeps serving. Blocking: on the
   * reload thread only.
   */
  synchronized void reload() {
    boolean changed = false;
    CertifiedKey[] next = loaded.clone();
    for (int i = 0; i < next.length; i++) {
      Files f = files.get(i);
      String digest;
      try {
        digest =
            CertifiedKey.digest(CertifiedKey.read(f.certificate()), CertifiedKey.read(f.key()));
      } catch (TlsFileException e) {
        reloads.refused(listener, digestOf(e), e.getMessage());
        continue;
      }
      if (digest.equals(loaded[i].digest())) {
        continue;
      }
      try {
        next[i] = CertifiedKey.load(f.certificate(), f.key());
        changed = true;
      } catch (TlsFileException e) {
        reloads.refused(listener, digest, e.getMessage());
      }
    }
    List<X509Certificate> previousCas = clientCas;
    String previousCaDigest = caDigest;
    if (clientCertificate != ClientCertificate.NONE) {
      try {
        byte[] text = CertifiedKey.read(clientCaFile);
        String d = CertifiedKey.digest(text);
        if (!d.equals(caDigest)) {
          clientCas = Pem.certificates(text, clientCaFile.toString());
          caDigest = d;
          changed = true;
        }
      } catch (TlsFileException e) {
        reloads.refused(listener, digestOf(e), e.getMessage());
      }
    }
    if (!changed) {
      return;
    }
    CertifiedKey[] previous = loaded.clone();
    System.arraycopy(next, 0, loaded, 0, next.length);
    try {
      contexts = build();
    } catch (TlsFileException e) {
      System.arraycopy(previous, 0, loaded, 0, previous.length);
      clientCas = previousCas;
      caDigest = previousCaDigest;
      reloads.refused(listener, e.getMessage(), e.getMessage());
      return;
    }
    List<String> subjects = new ArrayList<>();
    for (CertifiedKey k : loaded) {
      subjects.add(k.subject() + " until " + k.leaf().getNotAfter().toInstant());
    }
    reloads.applied();
    LOG.infof("TLS listener %s: certificates reloaded, now %s", listener, subjects);
  }

  private static String digestOf(TlsFileException e) {
    return String.valueOf(e.getMessage());
  }
}
