package io.sbc.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * SIP over TLS with real peers and certificates made by openssl at test time: {@code openssl
 * s_client} against the SBC's TLS listeners (versions, SNI, client certificates), Kamailio as TLS
 * client in front of the SBC and as TLS server behind it, and certificates replaced during a call
 * load.
 */
class TlsTest extends SystemTestBase {
  static final String HOST = "127.0.0.1";

  Pki pki;

  /** One openssl s_client run: its exit code and what it printed. */
  record Handshake(Integer rc, String out) {
    boolean ok() {
      return rc != null && rc == 0 && out.contains("Verify return code: 0 (ok)");
    }

    String subject() {
      for (String line : out.split("\n")) {
        if (line.startsWith("subject=")) {
          return line.substring("subject=".length()).replace(" ", "");
        }
      }
      return null;
    }
  }

  Handshake sClient(String name, int port, String... args) throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "openssl", "s_client", "-connect", HOST + ":" + port, "-CAfile",
                pki.caCert.toString(), "-verify_return_error"));
    cmd.addAll(List.of(args));
    Path dir = workDir.resolve("openssl");
    try (ManagedProcess p = new ManagedProcess(name, cmd, dir, dir.resolve(name + ".log"))) {
      Integer rc = p.awaitExit(Duration.ofSeconds(20));
      return new Handshake(rc, p.logText());
    }
  }

  /** Accepted TCP connections open now on a local port. */
  static int establishedTo(int port) throws Exception {
    Process p =
        new ProcessBuilder("ss", "-Htn", "state", "established", "( sport = :" + port + " )")
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
    p.waitFor();
    return (int) out.lines().filter(l -> !l.isBlank()).count();
  }

  static String tlsListener(String name, int port, String clientCertificate, Path ca, Pki.Issued... certs) {
    StringBuilder b = new StringBuilder();
    b.append("    - name: ").append(name).append("\n")
        .append("      protocol: SIP-TLS\n      address: ").append(HOST).append("\n")
        .append("      port: ").append(port).append("\n      tls:\n        certificates:\n");
    for (Pki.Issued c : certs) {
      b.append("          - {certificateFile: \"").append(c.cert()).append("\", keyFile: \"")
          .append(c.key()).append("\"}\n");
    }
    b.append("        clientCertificate: ").append(clientCertificate).append("\n");
    if (ca != null) {
      b.append("        clientCaFile: \"").append(ca).append("\"\n");
    }
    return b.toString();
  }

  /** The SBC with a UDP listener (where it answers OPTIONS when up), these TLS ones, and routes. */
  ManagedProcess startSbc(int udpPort, String tlsListeners, String spec, String rules)
      throws Exception {
    String yaml =
        """
        apiVersion: sbc.io/v1alpha1
        kind: SipGateway
        metadata:
          name: edge
        spec:
          listeners:
            - name: udp
              protocol: SIP-UDP
              address: %s
              port: %d
        %s%s
        ---
        apiVersion: sbc.io/v1alpha1
        kind: SipRoute
        metadata:
          name: calls
        spec:
          parentRefs: [{name: edge}]
          rules:
        %s
        """
            .formatted(HOST, udpPort, tlsListeners.stripTrailing().indent(0), spec, rules);
    return track(SbcProcess.start(workDir, "sbc", yaml, HOST, udpPort));
  }

  /**
   * Kamailio listening on UDP and TLS, sending every initial request to {@code nextHop}; as a TLS
   * client it checks the server's chain against the test CA and names {@code serverName} in SNI.
   */
  ManagedProcess startKamailio(
      String name, int udpPort, int tlsPort, String nextHop, Pki.Issued cert, String serverName)
      throws Exception {
    Path dir = workDir.resolve(name);
    Files.createDirectories(dir);
    Path res = sbcHome().resolve("src/test/resources/kamailio");
    Path tlsCfg = dir.resolve("tls.cfg");
    Files.writeString(
        tlsCfg,
        Files.readString(res.resolve("tls.cfg.template"))
            .replace("@CERT@", cert.cert().toString())
            .replace("@KEY@", cert.key().toString())
            .replace("@CA@", pki.caCert.toString())
            .replace("@SERVER_NAME@", serverName));
    Path cfg = dir.resolve("kamailio.cfg");
    Files.writeString(
        cfg,
        Files.readString(res.resolve("tls-proxy.cfg.template"))
            .replace("@UDP_PORT@", String.valueOf(udpPort))
            .replace("@TLS_PORT@", String.valueOf(tlsPort))
            .replace("@TLS_CFG@", tlsCfg.toString())
            .replace("@NEXT_HOP@", nextHop));
    ManagedProcess k =
        track(
            new ManagedProcess(
                name,
                List.of(
                    "kamailio", "-f", cfg.toString(), "-DD", "-E", "-m", "64", "-M", "8", "-w",
                    dir.toString()),
                dir,
                dir.resolve("kamailio.log")));
    assertTrue(
        SipOptions.awaitOk(HOST, udpPort, Duration.ofSeconds(20), k::isAlive),
        name + " did not come up:\n" + k.logTail(30));
    return k;
  }

  static String messages(Path sippDir) throws IOException {
    StringBuilder b = new StringBuilder();
    try (Stream<Path> files = Files.list(sippDir)) {
      for (Path f : files.filter(p -> p.getFileName().toString().endsWith("_messages.log")).toList()) {
        b.append(Files.readString(f, StandardCharsets.ISO_8859_1));
      }
    }
    return b.toString();
  }

  @Test
  void opensslSeesTls12And13OnlySniPicksTheCertificateAndClientCertificatesAreRequired()
      throws Exception {
    pki = new Pki(Files.createDirectories(workDir.resolve("pki")));
    Pki.Issued a = pki.issue("sbc-a", "sbc-a.test", "ec", "DNS:sbc-a.test", "IP:127.0.0.1");
    Pki.Issued b = pki.issue("sbc-b", "sbc-b.test", "rsa-pkcs1", "DNS:sbc-b.test");
    Pki.Issued client = pki.issue("client", "trunk.carrier.test", "ec");
    int udp = Ports.proxy();
    int tls = Ports.proxy();
    int mtls = Ports.proxy();
    startSbc(
        udp,
        tlsListener("tls", tls, "None", null, a, b)
            + tlsListener("mtls", mtls, "Required", pki.caCert, a),
        "",
        "    - allowRelay: true\n      reject: {statusCode: 403}\n");

    // TLS 1.0 and 1.1 are refused by the SBC (the client is allowed them: security level 0).
    for (String old : List.of("-tls1", "-tls1_1")) {
      Handshake h = sClient("old" + old, tls, old, "-cipher", "DEFAULT:@SECLEVEL=0");
      assertNotEquals(0, h.rc(), h.out());
      assertTrue(h.out().contains("alert protocol version"), old + ": " + h.out());
    }
    for (String ok : List.of("-tls1_2", "-tls1_3")) {
      Handshake h = sClient("ok" + ok, tls, ok, "-servername", "sbc-a.test");
      assertTrue(h.ok(), ok + ": " + h.out());
      assertTrue(h.out().contains(ok.equals("-tls1_2") ? "TLSv1.2" : "TLSv1.3"), h.out());
    }
    // SNI: each name gets its certificate; no name or an unknown one gets the first.
    assertEquals("CN=sbc-b.test", sClient("sni-b", tls, "-servername", "sbc-b.test").subject());
    assertEquals("CN=sbc-a.test", sClient("sni-a", tls, "-servername", "sbc-a.test").subject());
    assertEquals("CN=sbc-a.test", sClient("sni-none", tls, "-noservername").subject());
    // A weak cipher suite is not offered: a client that only has CBC with SHA-1 gets nowhere.
    Handshake cbc = sClient("cbc", tls, "-tls1_2", "-cipher", "ECDHE-RSA-AES128-SHA");
    assertNotEquals(0, cbc.rc(), cbc.out());

    // The mutual TLS listener: no certificate, no session (TLS 1.2 shows it in the handshake).
    Handshake none = sClient("mtls-none", mtls, "-tls1_2", "-servername", "sbc-a.test");
    assertNotEquals(0, none.rc(), none.out());
    Handshake with =
        sClient(
            "mtls-cert", mtls, "-servername", "sbc-a.test", "-cert", client.cert().toString(),
            "-key", client.key().toString());
    assertTrue(with.ok(), with.out());
  }

  @Test
  void kamailioAsTlsClientCarriesCallsIntoTheSbcOverOneConnection() throws Exception {
    pki = new Pki(Files.createDirectories(workDir.resolve("pki")));
    Pki.Issued sbcCert = pki.issue("sbc", "sbc.test", "ec", "DNS:sbc.test", "IP:127.0.0.1");
    Pki.Issued kamCert = pki.issue("kamailio", "kamailio.test", "ec", "DNS:kamailio.test");
    int uas = Ports.uas();
    int udp = Ports.proxy();
    int tls = Ports.proxy();
    int kUdp = Ports.proxy();
    int kTls = Ports.proxy();
    Sipp.Instance callee = startUas(Sipp.uas(Sipp.sharedScenario("uas_rr.xml")).port(uas), "uas");
    startSbc(
        udp,
        tlsListener("tls", tls, "None", null, sbcCert),
        "",
        "    - allowRelay: true\n      backendRefs: [{uri: \"sip:127.0.0.1:" + uas + "\"}]\n");
    startKamailio(
        "kamailio", kUdp, kTls, "sip:127.0.0.1:" + tls + ";transport=tls", kamCert, "sbc.test");

    Sipp.Result r =
        runUac(
            Sipp.uac(Sipp.sharedScenario("uac_rr.xml"), HOST + ":" + kUdp)
                .port(uacPort())
                .calls(20)
                .rate(10)
                .timeout(Duration.ofSeconds(60)),
            "uac",
            Duration.ofSeconds(90));
    assertTrue(r.allSucceeded(20), r.toString());
    // INVITE, ACK and BYE of every call came over Kamailio's one TLS connection.
    assertEquals(1, establishedTo(tls), "connections to the SBC's TLS port");
    String seen = messages(workDir.resolve("uas"));
    // The SBC record-routes twice (TLS in, UDP out: RFC 5658) and names TLS as TLS.
    assertTrue(seen.contains("<sip:127.0.0.1:" + tls + ";transport=tls;lr"), seen.substring(0, 3000));
    assertTrue(seen.contains("Via: SIP/2.0/TLS 127.0.0.1:" + kTls), seen.substring(0, 3000));
  }

  @Test
  void theSbcReachesAKamailioTlsServerByNameAndRefusesAWrongName() throws Exception {
    pki = new Pki(Files.createDirectories(workDir.resolve("pki")));
    Pki.Issued sbcCert = pki.issue("sbc", "sbc.test", "ec", "DNS:sbc.test", "IP:127.0.0.1");
    Pki.Issued kamCert =
        pki.issue("kamailio", "kamailio.localhost", "ec", "DNS:kamailio.localhost");
    int uas = Ports.uas();
    int udp = Ports.proxy();
    int tls = Ports.proxy();
    int kUdp = Ports.proxy();
    int kTls = Ports.proxy();
    startUas(Sipp.uas(Sipp.sharedScenario("uas_rr.xml")).port(uas), "uas");
    startKamailio("kamailio", kUdp, kTls, "sip:127.0.0.1:" + uas, kamCert, "unused.test");
    startSbc(
        udp,
        tlsListener("tls", tls, "None", null, sbcCert),
        "  tlsClient:\n    trustFile: \"" + pki.caCert + "\"\n",
        "    - matches: [{requestUri: {user: {value: good}}}]\n"
            + "      allowRelay: true\n"
            + "      backendRefs: [{uri: \"sip:kamailio.localhost:" + kTls + ";transport=tls\"}]\n"
            + "    - matches: [{requestUri: {user: {value: wrongname}}}]\n"
            + "      allowRelay: true\n"
            + "      backendRefs: [{uri: \"sips:other.localhost:" + kTls + "\"}]\n");

    Sipp.Result r =
        runUac(
            Sipp.uac(Sipp.sharedScenario("uac_rr.xml"), HOST + ":" + udp)
                .port(uacPort())
                .calls(10)
                .rate(10)
                .args("-s", "good")
                .timeout(Duration.ofSeconds(60)),
            "uac-good",
            Duration.ofSeconds(90));
    assertTrue(r.allSucceeded(10), r.toString());
    // The SBC opened one connection to Kamailio and sent ACKs and BYEs over it too.
    assertEquals(1, establishedTo(kTls), "connections to Kamailio's TLS port");
    String seen = messages(workDir.resolve("uas"));
    assertTrue(seen.contains("<sip:127.0.0.1:" + tls + ";transport=tls;lr"), seen.substring(0, 3000));
    assertTrue(seen.contains("Via: SIP/2.0/TLS 127.0.0.1:" + tls), seen.substring(0, 3000));

    // RFC 5922: the certificate names kamailio.localhost, not other.localhost: no call.
    Sipp.Result wrong =
        runUac(
            Sipp.uac(Sipp.sharedScenario("uac_rr.xml"), HOST + ":" + udp)
                .port(uacPort())
                .calls(1)
                .args("-s", "wrongname")
                .timeout(Duration.ofSeconds(30)),
            "uac-wrongname",
            Duration.ofSeconds(60));
    assertEquals(1, wrong.failed(), wrong.toString());
    assertTrue(
        messages(workDir.resolve("uac-wrongname")).contains("SIP/2.0 500"),
        messages(workDir.resolve("uac-wrongname")));
  }

  @Test
  void certificatesReplacedDuringACallLoadServeNewHandshakesAndNoCallFails() throws Exception {
    pki = new Pki(Files.createDirectories(workDir.resolve("pki")));
    Pki.Issued first = pki.issue("first", "sbc-2026a.test", "ec", "DNS:sbc.test", "IP:127.0.0.1");
    Pki.Issued second = pki.issue("second", "sbc-2026b.test", "rsa-pkcs1", "DNS:sbc.test");
    Pki.Issued kamCert = pki.issue("kamailio", "kamailio.test", "ec", "DNS:kamailio.test");
    // Where a Secret would be mounted: the SBC reads these two files.
    Path live = Files.createDirectories(workDir.resolve("secret"));
    Files.copy(first.cert(), live.resolve("tls.crt"));
    Files.copy(first.key(), live.resolve("tls.key"));
    Pki.Issued mounted = new Pki.Issued(live.resolve("tls.crt"), live.resolve("tls.key"));
    int uas = Ports.uas();
    int udp = Ports.proxy();
    int tls = Ports.proxy();
    int kUdp = Ports.proxy();
    int kTls = Ports.proxy();
    startUas(Sipp.uas(Sipp.sharedScenario("uas_rr.xml")).port(uas), "uas");
    ManagedProcess sbc =
        startSbc(
            udp,
            tlsListener("tls", tls, "None", null, mounted),
            "",
            "    - allowRelay: true\n      backendRefs: [{uri: \"sip:127.0.0.1:" + uas + "\"}]\n");
    startKamailio(
        "kamailio", kUdp, kTls, "sip:127.0.0.1:" + tls + ";transport=tls", kamCert, "sbc.test");
    assertEquals("CN=sbc-2026a.test", sClient("before", tls, "-servername", "sbc.test").subject());

    int calls = 300;
    Sipp.Instance load =
        track(
            Sipp.uac(Sipp.sharedScenario("uac_rr.xml"), HOST + ":" + kUdp)
                .port(uacPort())
                .calls(calls)
                .rate(20)
                .traceMessages(false)
                .timeout(Duration.ofSeconds(120))
                .start(workDir, "uac"));
    Thread.sleep(3000);
    // A broken rotation first (the key of another certificate): refused, the old one serves on.
    Files.copy(second.key(), live.resolve("tls.key"), StandardCopyOption.REPLACE_EXISTING);
    Thread.sleep(6000);
    assertEquals("CN=sbc-2026a.test", sClient("broken", tls, "-servername", "sbc.test").subject());
    assertTrue(sbc.logText().contains("refused, the previous ones keep serving"), sbc.logTail(20));
    // Then the whole pair, as a Secret update writes it.
    Files.copy(second.cert(), live.resolve("tls.crt"), StandardCopyOption.REPLACE_EXISTING);
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    String subject = null;
    while (System.nanoTime() < deadline) {
      subject = sClient("after-" + System.nanoTime(), tls, "-servername", "sbc.test").subject();
      if ("CN=sbc-2026b.test".equals(subject)) {
        break;
      }
      Thread.sleep(1000);
    }
    assertEquals("CN=sbc-2026b.test", subject, "new handshakes see the new certificate");
    assertTrue(load.isAlive(), "the load ended before the rotation was seen");
    Sipp.Result r = load.result(load.awaitExit(Duration.ofSeconds(120)));
    assertTrue(r.allSucceeded(calls), r.toString());
    // Kamailio's connection, set up with the first certificate, carried the whole load.
    assertEquals(1, establishedTo(tls), "connections to the SBC's TLS port");
  }

  /** 8 kHz mono 16-bit PCM: what baresip's aufile plays into a PCMU call (ausine is 48 kHz). */
  static void writeTone(Path wav, int seconds) throws IOException {
    int n = 8000 * seconds;
    java.nio.ByteBuffer b =
        java.nio.ByteBuffer.allocate(44 + 2 * n).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(36 + 2 * n);
    b.put("WAVEfmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16).putShort((short) 1);
    b.putShort((short) 1).putInt(8000).putInt(16000).putShort((short) 2).putShort((short) 16);
    b.put("data".getBytes(StandardCharsets.US_ASCII)).putInt(2 * n);
    for (int i = 0; i < n; i++) {
      b.putShort((short) (6000 * Math.sin(2 * Math.PI * 440 * i / 8000)));
    }
    Files.write(wav, b.array());
  }

  @Test
  void baresipCallsThroughTheSbcOverTls() throws Exception {
    assertTrue(onPath("baresip"), "baresip is not on the PATH: apt-get install baresip");
    pki = new Pki(Files.createDirectories(workDir.resolve("pki")));
    Pki.Issued sbcCert = pki.issue("sbc", "sbc.test", "ec", "DNS:sbc.test", "IP:127.0.0.1");
    int uas = Ports.uas();
    int udp = Ports.proxy();
    int tls = Ports.proxy();
    int phone = Ports.uac();
    Sipp.Instance callee =
        startUas(Sipp.uas(Sipp.sharedScenario("uas_rr.xml")).port(uas).calls(1), "uas");
    startSbc(
        udp,
        tlsListener("tls", tls, "None", null, sbcCert),
        "",
        "    - allowRelay: true\n      backendRefs: [{uri: \"sip:127.0.0.1:" + uas + "\"}]\n");

    // A headless baresip: no sound device (a WAV file as microphone, a bridge as speaker), the
    // test CA to check the SBC's certificate, one account over TLS, one call dialled at start.
    Path conf = Files.createDirectories(workDir.resolve("baresip"));
    writeTone(conf.resolve("tone.wav"), 30);
    Files.writeString(
        conf.resolve("config"),
        String.join(
            "\n",
            "poll_method epoll",
            "sip_listen " + HOST + ":" + phone,
            "sip_cafile " + pki.caCert,
            "audio_source aufile," + conf.resolve("tone.wav"),
            "audio_player aubridge,nowhere",
            "module_path /usr/lib/baresip/modules",
            "module g711.so",
            "module aufile.so",
            "module aubridge.so",
            "module_app account.so",
            "module_app menu.so",
            ""));
    Files.writeString(conf.resolve("accounts"), "<sip:alice@" + HOST + ";transport=tls>;regint=0\n");
    ManagedProcess baresip =
        track(
            new ManagedProcess(
                "baresip",
                List.of(
                    "baresip", "-f", conf.toString(), "-e",
                    "/dial sip:bob@" + HOST + ":" + tls, "-t", "8"),
                conf,
                conf.resolve("baresip.log")));
    Integer rc = baresip.awaitExit(Duration.ofSeconds(60));
    String log = baresip.logText();
    assertTrue(rc != null, "baresip did not quit:\n" + baresip.logTail(20));
    assertTrue(log.contains("Call established: sip:bob@" + HOST + ":" + tls + ";transport=tls"), log);
    assertTrue(log.contains("terminated (duration"), log);
    // The callee saw the call through, BYE included, and the SBC's two Record-Route entries.
    Sipp.Result r = callee.result(callee.awaitExit(Duration.ofSeconds(30)));
    assertTrue(r.allSucceeded(1), r.toString());
    String seen = messages(workDir.resolve("uas"));
    assertTrue(seen.contains("Via: SIP/2.0/TLS " + HOST + ":"), seen);
    assertTrue(seen.contains("<sip:127.0.0.1:" + tls + ";transport=tls;lr"), seen);
  }
}
