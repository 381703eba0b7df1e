package io.sbc.runtime.sip.transport.tls;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import org.jboss.logging.Logger;

/**
 * The TLS client side, towards next hops: the trusted CAs, an optional client certificate, and the
 * check of the server's certificate against the name the request was resolved from (RFC 5922
 * section 7.2: the SRV target or host of the URI, not what DNS answered), or its IP address when
 * the URI named one.
 */
public final class ClientTls {
  private static final Logger LOG = Logger.getLogger(ClientTls.class);

  private final Path trustFile;
  private final ServerTls.Files certificateFiles;
  private final Reloads reloads;
  private String trustDigest;
  private CertifiedKey certificate;
  private volatile SslContext context;

  /**
   * @param trustFile PEM CAs; null: the JDK's default trust store
   * @param certificateFiles a client certificate to present, or null
   */
  ClientTls(Path trustFile, ServerTls.Files certificateFiles, Reloads reloads)
      throws TlsFileException {
    this.trustFile = trustFile;
    this.certificateFiles = certificateFiles;
    this.reloads = reloads;
    List<X509Certificate> cas = null;
    if (trustFile != null) {
      byte[] text = CertifiedKey.read(trustFile);
      cas = Pem.certificates(text, trustFile.toString());
      trustDigest = CertifiedKey.digest(text);
    }
    if (certificateFiles != null) {
      certificate = CertifiedKey.load(certificateFiles.certificate(), certificateFiles.key());
    }
    this.context = build(cas, certificate);
  }

  /**
   * A handler for a connection the SBC opens, to put first in its pipeline.
   *
   * @param serverName the host name the hop was resolved from (sent as SNI, and what the server's
   *     certificate must name), or null for a hop given as an IP address (then the certificate must
   *     name that address)
   */
  public SslHandler newHandler(Channel ch, String serverName, InetSocketAddress remote) {
    String peer = serverName != null ? serverName : remote.getAddress().getHostAddress();
    SSLEngine engine = context.newEngine(ch.alloc(), peer, remote.getPort());
    SSLParameters p = engine.getSSLParameters();
    // RFC 2818's matching (subjectAltName DNS and IP entries) is RFC 5922 section 7's, but for
    // wildcards, which 7.2 discourages and the JDK accepts.
    p.setEndpointIdentificationAlgorithm("HTTPS");
    if (serverName != null) {
      p.setServerNames(List.of(new SNIHostName(serverName)));
    }
    engine.setSSLParameters(p);
    SslHandler h = new SslHandler(engine);
    h.setHandshakeTimeoutMillis(ServerTls.HANDSHAKE_TIMEOUT_MILLIS);
    return h;
  }

  private static SslContext build(List<X509Certificate> cas, CertifiedKey cert)
      throws TlsFileException {
    try {
      SslContextBuilder b =
          SslContextBuilder.forClient()
              .sslProvider(TlsVersions.PROVIDER)
              .protocols(TlsVersions.PROTOCOLS)
              .ciphers(TlsVersions.CIPHERS, SupportedCipherSuiteFilter.INSTANCE);
      if (cas != null) {
        b.trustManager(cas.toArray(X509Certificate[]::new));
      }
      if (cert != null) {
        b.keyManager(cert.key(), cert.chain().toArray(X509Certificate[]::new));
      }
      return b.build();
    } catch (SSLException | RuntimeException e) {
      throw new TlsFileException("spec.tlsClient: unusable: " + e, e);
    }
  }

  /** Reads the files again; what does not load is refused and the previous context kept. */
  synchronized void reload() {
    try {
      List<X509Certificate> cas = null;
      String digest = null;
      if (trustFile != null) {
        byte[] text = CertifiedKey.read(trustFile);
        digest = CertifiedKey.digest(text);
        cas = Pem.certificates(text, trustFile.toString());
      }
      CertifiedKey cert = certificate;
      if (certificateFiles != null) {
        String d =
            CertifiedKey.digest(
                CertifiedKey.read(certificateFiles.certificate()),
                CertifiedKey.read(certificateFiles.key()));
        if (!d.equals(certificate.digest())) {
          cert = CertifiedKey.load(certificateFiles.certificate(), certificateFiles.key());
        }
      }
      if (java.util.Objects.equals(digest, trustDigest) && cert == certificate) {
        return;
      }
      context = build(cas, cert);
      trustDigest = digest;
      certificate = cert;
      reloads.applied();
      LOG.info("TLS client: trust store or client certificate reloaded");
    } catch (TlsFileException e) {
      reloads.refused("client", e.getMessage(), e.getMessage());
    }
  }
}
