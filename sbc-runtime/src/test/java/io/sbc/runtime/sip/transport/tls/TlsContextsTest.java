package io.sbc.runtime.sip.transport.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslHandler;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS contexts against real sockets and certificates made by openssl: SNI, key formats, mutual TLS,
 * the client's check of the server's name, and reloads (good and broken files).
 */
class TlsContextsTest {
  @TempDir Path dir;
  TestPki pki;
  NioEventLoopGroup group;
  TlsContexts tls;
  Channel server;

  @BeforeEach
  void pki() throws Exception {
    pki = new TestPki(dir);
    group = new NioEventLoopGroup(1);
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close().syncUninterruptibly();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    if (tls != null) {
      tls.close();
    }
  }

  /** Serves TLS on an ephemeral port; each line read is answered with the client's subject. */
  int serve(TlsSettings settings) throws Exception {
    tls = TlsContexts.load(settings);
    server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(tls.serverHandler("tls", ch));
                    ch.pipeline()
                        .addLast(
                            new ChannelInboundHandlerAdapter() {
                              @Override
                              public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ((ByteBuf) msg).release();
                                String s = TlsContexts.peerSubject(ctx.channel());
                                ctx.writeAndFlush(
                                    Unpooled.copiedBuffer(
                                        (s == null ? "none" : s) + "\n", StandardCharsets.UTF_8));
                              }
                            });
                  }
                })
            .bind(new InetSocketAddress("127.0.0.1", 0))
            .sync()
            .channel();
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  static TlsSettings settings(
      List<ServerTls.Files> certs, ServerTls.ClientCertificate cc, Path ca) {
    return new TlsSettings(Map.of("tls", new TlsSettings.Server(certs, cc, ca, false)), null, null);
  }

  static ServerTls.Files files(TestPki.Issued i) {
    return new ServerTls.Files(i.cert(), i.key());
  }

  SSLContext clientContext(TestPki.Issued clientCert) throws Exception {
    KeyStore ts = KeyStore.getInstance("PKCS12");
    ts.load(null, null);
    ts.setCertificateEntry("ca", Pem.certificates(Files.readAllBytes(pki.caCert), "ca").get(0));
    TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
    tmf.init(ts);
    KeyManagerFactory kmf = null;
    if (clientCert != null) {
      CertifiedKey k = CertifiedKey.load(clientCert.cert(), clientCert.key());
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("me", k.key(), new char[0], k.chain().toArray(new X509Certificate[0]));
      kmf = KeyManagerFactory.getInstance("PKIX");
      kmf.init(ks, new char[0]);
    }
    SSLContext c = SSLContext.getInstance("TLS");
    c.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return c;
  }

  /** The CN of the certificate the server presents for this SNI name (null: none sent). */
  String served(int port, String sni) throws Exception {
    return session(port, sni, null, null)[0];
  }

  /** [server certificate subject, what the server saw of our certificate]. */
  String[] session(int port, String sni, TestPki.Issued clientCert, String protocol)
      throws Exception {
    try (SSLSocket s =
        (SSLSocket) clientContext(clientCert).getSocketFactory().createSocket("127.0.0.1", port)) {
      s.setSoTimeout(5000);
      SSLParameters p = s.getSSLParameters();
      if (sni != null) {
        p.setServerNames(List.of(new SNIHostName(sni)));
      }
      if (protocol != null) {
        p.setProtocols(new String[] {protocol});
      }
      s.setSSLParameters(p);
      s.startHandshake();
      X509Certificate c = (X509Certificate) s.getSession().getPeerCertificates()[0];
      OutputStream out = s.getOutputStream();
      out.write("x\n".getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = s.getInputStream();
      StringBuilder line = new StringBuilder();
      for (int b; (b = in.read()) >= 0 && b != '\n'; ) {
        line.append((char) b);
      }
      return new String[] {c.getSubjectX500Principal().getName(), line.toString()};
    }
  }

  @Test
  void sniPicksTheCertificateHoldingTheNameAndTheFirstServesTheRest() throws Exception {
    TestPki.Issued a = pki.issue("a", "a.test", "ec", "DNS:a.test", "IP:127.0.0.1");
    TestPki.Issued b = pki.issue("b", "b.test", "rsa-pkcs1", "DNS:b.test", "DNS:*.wild.test");
    int port = serve(settings(List.of(files(a), files(b)), ServerTls.ClientCertificate.NONE, null));
    assertEquals("CN=b.test", served(port, "b.test"));
    assertEquals("CN=b.test", served(port, "sbc.wild.test"));
    assertEquals("CN=a.test", served(port, "a.test"));
    assertEquals("CN=a.test", served(port, null));
    assertEquals("CN=a.test", served(port, "nobody.test"));
    assertEquals("CN=b.test", served(port, "B.TEST"));
  }

  @Test
  void tls12And13AreServedNothingOlder() throws Exception {
    TestPki.Issued a = pki.issue("a", "a.test", "ec-sec1", "DNS:a.test");
    int port = serve(settings(List.of(files(a)), ServerTls.ClientCertificate.NONE, null));
    assertEquals("CN=a.test", session(port, "a.test", null, "TLSv1.3")[0]);
    assertEquals("CN=a.test", session(port, "a.test", null, "TLSv1.2")[0]);
    // (TLS 1.0 and 1.1 are disabled in the JDK's own client too: openssl s_client checks the
    // server refuses them, in the system test.)
  }

  @Test
  void aRequiredClientCertificateIsCheckedAndItsSubjectIsKnown() throws Exception {
    TestPki.Issued a = pki.issue("a", "a.test", "ec", "DNS:a.test");
    TestPki.Issued client = pki.issue("client", "trunk.carrier.test", "ec");
    int port = serve(settings(List.of(files(a)), ServerTls.ClientCertificate.REQUIRED, pki.caCert));
    assertEquals("CN=trunk.carrier.test", session(port, "a.test", client, null)[1]);
    // Without a certificate the server ends the handshake (TLS 1.3: after the client's Finished,
    // so the failure shows on the first read).
    assertThrows(Exception.class, () -> session(port, "a.test", null, null));
    // A certificate from another CA is refused as well.
    TestPki other = new TestPki(Files.createDirectories(dir.resolve("other")));
    TestPki.Issued stranger = other.issue("stranger", "stranger.test", "ec");
    assertThrows(Exception.class, () -> session(port, "a.test", stranger, null));
  }

  @Test
  void anOptionalClientCertificateMayBeAbsent() throws Exception {
    TestPki.Issued a = pki.issue("a", "a.test", "ec", "DNS:a.test");
    TestPki.Issued client = pki.issue("client", "pbx.test", "ec");
    int port = serve(settings(List.of(files(a)), ServerTls.ClientCertificate.OPTIONAL, pki.caCert));
    assertEquals("none", session(port, "a.test", null, null)[1]);
    assertEquals("CN=pbx.test", session(port, "a.test", client, null)[1]);
  }

  @Test
  void aReloadServesTheNewCertificateToNewHandshakesAndRefusesABrokenOne() throws Exception {
    TestPki.Issued a = pki.issue("a", "a.test", "ec", "DNS:a.test");
    Path cert = dir.resolve("live.crt");
    Path key = dir.resolve("live.key");
    Files.copy(a.cert(), cert);
    Files.copy(a.key(), key);
    int port =
        serve(
            settings(
                List.of(new ServerTls.Files(cert, key)), ServerTls.ClientCertificate.NONE, null));
    assertEquals("CN=a.test", served(port, "a.test"));
    // An established connection carries on across the reload.
    try (SSLSocket held =
        (SSLSocket) clientContext(null).getSocketFactory().createSocket("127.0.0.1", port)) {
      held.setSoTimeout(5000);
      held.startHandshake();

      TestPki.Issued a2 = pki.issue("a2", "a2.test", "rsa-pkcs1", "DNS:a.test");
      Files.copy(a2.cert(), cert, StandardCopyOption.REPLACE_EXISTING);
      Files.copy(a2.key(), key, StandardCopyOption.REPLACE_EXISTING);
      tls.reloadNow();
      assertEquals(1, tls.reloadsApplied());
      assertEquals("CN=a2.test", served(port, "a.test"));

      // A key that does not belong to the certificate: refused, the last good one serves on.
      TestPki.Issued a3 = pki.issue("a3", "a3.test", "ec", "DNS:a.test");
      Files.copy(a3.cert(), cert, StandardCopyOption.REPLACE_EXISTING);
      tls.reloadNow();
      tls.reloadNow(); // the same broken content is counted (and logged) once
      assertEquals(1, tls.reloadsRefused());
      assertEquals("CN=a2.test", served(port, "a.test"));
      // Garbage in the certificate file: refused as well.
      Files.writeString(
          cert, "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n");
      tls.reloadNow();
      assertEquals(2, tls.reloadsRefused());
      assertEquals("CN=a2.test", served(port, "a.test"));
      // Completed: the pair matches again.
      Files.copy(a3.key(), key, StandardCopyOption.REPLACE_EXISTING);
      Files.copy(a3.cert(), cert, StandardCopyOption.REPLACE_EXISTING);
      tls.reloadNow();
      assertEquals("CN=a3.test", served(port, "a.test"));

      OutputStream out = held.getOutputStream();
      out.write("x\n".getBytes(StandardCharsets.UTF_8));
      out.flush();
      assertEquals('n', held.getInputStream().read()); // "none": the old connection still talks
      assertEquals(
          "CN=a.test",
          ((X509Certificate) held.getSession().getPeerCertificates()[0])
              .getSubjectX500Principal()
              .getName());
    }
  }

  @Test
  void filesThatDoNotServeAreNamedAtStart() throws Exception {
    TestPki.Issued a = pki.issue("a", "a.test", "ec", "DNS:a.test");
    TestPki.Issued b = pki.issue("b", "b.test", "ec", "DNS:b.test");
    TlsFileException e =
        assertThrows(
            TlsFileException.class,
            () ->
                TlsContexts.load(
                    settings(
                        List.of(new ServerTls.Files(a.cert(), b.key())),
                        ServerTls.ClientCertificate.NONE,
                        null)));
    assertTrue(e.getMessage().contains(b.key().toString()), e.getMessage());
    assertTrue(e.getMessage().contains("does not belong"), e.getMessage());
    e =
        assertThrows(
            TlsFileException.class,
            () ->
                TlsContexts.load(
                    settings(
                        List.of(new ServerTls.Files(dir.resolve("missing.crt"), a.key())),
                        ServerTls.ClientCertificate.NONE,
                        null)));
    assertTrue(e.getMessage().contains("missing.crt: cannot read"), e.getMessage());
  }

  @Test
  void aListenerWhoseMountedSecretIsMissingWaitsForItAndStartsWhenItLoads() throws Exception {
    Path secret = dir.resolve("secret");
    Files.createDirectories(secret);
    ServerTls.Files mounted =
        new ServerTls.Files(secret.resolve("tls.crt"), secret.resolve("tls.key"));
    tls =
        TlsContexts.load(
            new TlsSettings(
                Map.of(
                    "tls",
                    new TlsSettings.Server(
                        List.of(mounted), ServerTls.ClientCertificate.NONE, null, true)),
                null,
                null));
    assertTrue(tls.waiting("tls"));
    assertFalse(tls.serves("tls"));
    List<String> ready = new java.util.ArrayList<>();
    tls.onReady(ready::add);
    tls.reloadNow();
    assertEquals(List.of(), ready);
    TestPki.Issued a = pki.issue("a", "a.test", "ec", "DNS:a.test");
    Files.copy(a.cert(), mounted.certificate());
    Files.copy(a.key(), mounted.key());
    tls.reloadNow();
    assertEquals(List.of("tls"), ready);
    assertTrue(tls.serves("tls"));
    assertFalse(tls.waiting("tls"));
    // Files given as files (not a mounted Secret) that do not load stop the start instead.
    assertThrows(
        TlsFileException.class,
        () ->
            TlsContexts.load(
                settings(
                    List.of(new ServerTls.Files(dir.resolve("no.crt"), dir.resolve("no.key"))),
                    ServerTls.ClientCertificate.NONE,
                    null)));
  }

  @Test
  void theClientChecksTheServerAgainstTheNameItWasResolvedFrom() throws Exception {
    TestPki.Issued a = pki.issue("a", "a.test", "ec", "DNS:a.test", "IP:127.0.0.1");
    int port = serve(settings(List.of(files(a)), ServerTls.ClientCertificate.NONE, null));
    TlsContexts client = TlsContexts.load(new TlsSettings(Map.of(), pki.caCert, null));
    InetSocketAddress remote = new InetSocketAddress("127.0.0.1", port);
    assertTrue(handshake(client, "a.test", remote));
    assertTrue(handshake(client, null, remote)); // an address: the IP entry
    assertFalse(handshake(client, "b.test", remote)); // RFC 5922: the name must match
    // The JDK's trust store does not know the test CA.
    assertFalse(handshake(TlsContexts.NONE, "a.test", remote));
  }

  private boolean handshake(TlsContexts client, String name, InetSocketAddress remote)
      throws Exception {
    SslHandler[] h = new SslHandler[1];
    Channel ch =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    h[0] = client.clientHandler(ch, name, remote);
                    ch.pipeline().addLast(h[0]);
                  }
                })
            .connect(remote)
            .sync()
            .channel();
    try {
      return h[0].handshakeFuture().await(10, TimeUnit.SECONDS)
          && h[0].handshakeFuture().isSuccess();
    } finally {
      ch.close().syncUninterruptibly();
    }
  }
}
