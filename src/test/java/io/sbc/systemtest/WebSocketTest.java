package io.sbc.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * SIP over WebSocket (RFC 7118) with a real SIP client library: JsSIP under Node (its socket the ws
 * package, its WebRTC stack @roamhq/wrtc) calls through the SBC's SIP-WS listener to a SIPp UAS
 * over UDP. The callee's in-dialog requests (a re-INVITE, a BYE) reach the client down the
 * connection it opened (its flow, RFC 5626, sealed in the SBC's Record-Route); once the client's
 * socket is gone, the callee's next request gets 430 Flow Failed. Signalling only: the SDP
 * answers carry ICE and DTLS attributes a WebRTC stack accepts, but no media flows.
 */
class WebSocketTest extends SystemTestBase {
  static final String HOST = "127.0.0.1";

  int sipPort;
  int wsPort;
  int uasPort;

  @BeforeEach
  void ports() {
    sipPort = Ports.proxy();
    wsPort = Ports.proxy();
    uasPort = Ports.uas();
  }

  static Path jsDir() {
    return sbcHome().resolve("system-tests/js");
  }

  /** The SBC: UDP towards SIPp, WebSocket towards the browser-side clients, every call to SIPp. */
  ManagedProcess startSbc(String wsProtocol, String extraListenerYaml) throws Exception {
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
            - name: ws
              protocol: %s
              address: %s
              port: %d
        %s
        ---
        apiVersion: sbc.io/v1alpha1
        kind: SipRoute
        metadata:
          name: to-callee
        spec:
          parentRefs: [{name: edge}]
          rules:
            - allowRelay: true
              backendRefs: [{uri: "sip:%s:%d"}]
        """
            .formatted(
                HOST, sipPort, wsProtocol, HOST, wsPort, extraListenerYaml, HOST, uasPort);
    return track(SbcProcess.start(workDir, "sbc", yaml, HOST, sipPort));
  }

  /** A certificate for 127.0.0.1 from a test CA, as the ws listener's tls section (SIP-WSS). */
  String wssListenerTls() throws Exception {
    Pki pki = new Pki(Files.createDirectories(workDir.resolve("pki")));
    caFile = pki.caCert;
    Pki.Issued c = pki.issue("sbc", "sbc.test", "ec", "IP:127.0.0.1", "DNS:sbc.test");
    return "      tls:\n        certificates:\n          - {certificateFile: \""
        + c.cert()
        + "\", keyFile: \""
        + c.key()
        + "\"}";
  }

  /** The CA a WSS test's clients trust; null over plain WS. */
  Path caFile;

  ManagedProcess jssip(String name, String mode) {
    return jssip(name, mode, "ws");
  }

  ManagedProcess jssip(String name, String mode, String scheme) {
    assertTrue(onPath("node"), "node is not on the PATH");
    assertTrue(
        Files.isDirectory(jsDir().resolve("node_modules/jssip")),
        "JsSIP is not installed: npm ci in system-tests/js (./test.sh does it)");
    return track(
        new ManagedProcess(
            name,
            List.of(
                "node",
                jsDir().resolve("jssip-call.js").toString(),
                scheme + "://" + HOST + ":" + wsPort + "/",
                "sip:bob@" + HOST,
                "sip:alice@example.com",
                mode,
                caFile == null ? "" : caFile.toString()),
            workDir.resolve(name),
            workDir.resolve(name).resolve("node.log")));
  }

  @Test
  void jssipCallsThroughTheSbcAndTheCalleesReinviteAndByeComeDownItsWebSocket() throws Exception {
    startSbc("SIP-WS", "");
    Sipp.Instance uas =
        startUas(
            Sipp.uas(Sipp.scenario("uas_webrtc_reinvite_bye.xml"))
                .port(uasPort)
                .calls(1)
                .timeout(Duration.ofSeconds(30)),
            "uas");
    ManagedProcess client = jssip("jssip", "wait-remote-bye");
    Integer rc = client.awaitExit(Duration.ofSeconds(40));
    String log = client.logText();
    assertEquals(0, rc, "JsSIP: " + log + context());
    assertTrue(log.contains("CONFIRMED"), log);
    assertTrue(log.contains("REINVITED"), "the callee's re-INVITE reached JsSIP: " + log);
    assertTrue(log.contains("ENDED remote"), "the callee's BYE reached JsSIP: " + log);
    Sipp.Result r = uas.result(uas.awaitExit(Duration.ofSeconds(10)));
    assertEquals(0, r.exitCode(), "SIPp UAS: " + r + context());
    assertEquals(1, r.successful(), r.toString());
  }

  @Test
  void jssipOverWssCallsAndTheCalleesReinviteAndByeComeDownItsFlow() throws Exception {
    startSbc("SIP-WSS", wssListenerTls());
    Sipp.Instance uas =
        startUas(
            Sipp.uas(Sipp.scenario("uas_webrtc_reinvite_bye.xml"))
                .port(uasPort)
                .calls(1)
                .timeout(Duration.ofSeconds(30)),
            "uas");
    // The client checks the SBC's certificate against the test CA (no verification switched off).
    ManagedProcess client = jssip("jssip", "wait-remote-bye", "wss");
    Integer rc = client.awaitExit(Duration.ofSeconds(40));
    String log = client.logText();
    assertEquals(0, rc, "JsSIP: " + log + context());
    assertTrue(log.contains("REINVITED") && log.contains("ENDED remote"), log);
    Sipp.Result r = uas.result(uas.awaitExit(Duration.ofSeconds(10)));
    assertEquals(0, r.exitCode(), "SIPp UAS: " + r + context());
    String messages;
    try (var files = Files.list(uas.log().getParent())) {
      Path m = files.filter(f -> f.toString().endsWith("_messages.log")).findFirst().orElseThrow();
      messages = Files.readString(m, StandardCharsets.ISO_8859_1);
    }
    assertTrue(messages.contains("SIP/2.0/WSS "), "the client's Via names WSS");
    assertTrue(
        messages.contains(HOST + ":" + wsPort + ";transport=ws;lr;s="),
        "our Record-Route towards the client names the WSS listener (RFC 7118: transport=ws)");
  }

  @Test
  void whenTheClientsSocketIsGoneTheCalleesByeGets430() throws Exception {
    startSbc("SIP-WS", "");
    Sipp.Instance uas =
        startUas(
            Sipp.uas(Sipp.scenario("uas_webrtc_430.xml"))
                .port(uasPort)
                .calls(1)
                .timeout(Duration.ofSeconds(30)),
            "uas");
    ManagedProcess client = jssip("jssip", "drop-socket");
    Integer rc = client.awaitExit(Duration.ofSeconds(40));
    String log = client.logText();
    assertEquals(0, rc, "JsSIP: " + log + context());
    assertTrue(log.contains("DROPPED"), log);
    Sipp.Result r = uas.result(uas.awaitExit(Duration.ofSeconds(15)));
    assertEquals(0, r.exitCode(), "SIPp UAS did not get 430 for its BYE: " + r + context());
  }

  /**
   * Headless Chromium loads a page of this test with JsSIP's browser build, connects to the SBC
   * over WebSocket, calls the SIPp UAS with a fake microphone, and hangs up once the call is up;
   * the page posts each step to the test's HTTP server.
   */
  @Test
  void aBrowserCallsThroughTheSbcOverWebSocket() throws Exception {
    browserCall("ws");
  }

  /**
   * The same over WSS. Chromium is started with --ignore-certificate-errors: the test CA is not in
   * its trust store (an NSS database would be needed); the JsSIP test above checks the chain.
   */
  @Test
  void aBrowserCallsThroughTheSbcOverSecureWebSocket() throws Exception {
    browserCall("wss");
  }

  void browserCall(String scheme) throws Exception {
    assertTrue(onPath("chromium"), "chromium is not on the PATH: apt-get install chromium");
    startSbc(scheme.equals("wss") ? "SIP-WSS" : "SIP-WS", scheme.equals("wss") ? wssListenerTls() : "");
    Sipp.Instance uas =
        startUas(
            Sipp.uas(Sipp.scenario("uas_webrtc_caller_bye.xml"))
                .port(uasPort)
                .calls(1)
                .timeout(Duration.ofSeconds(60)),
            "uas");
    Path bundle = browserBundle();
    List<String> steps = new CopyOnWriteArrayList<>();
    HttpServer http = HttpServer.create(new InetSocketAddress(HOST, 0), 0);
    byte[] page = Files.readAllBytes(jsDir().resolve("browser-call.html"));
    byte[] script = Files.readAllBytes(bundle);
    http.createContext(
        "/",
        x -> {
          byte[] body;
          String type;
          String path = x.getRequestURI().getPath();
          if (path.equals("/result")) {
            steps.add(new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            body = new byte[0];
            type = "text/plain";
          } else if (path.equals("/jssip.js")) {
            body = script;
            type = "text/javascript";
          } else {
            body = page;
            type = "text/html";
          }
          x.getResponseHeaders().set("Content-Type", type);
          x.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
          x.getResponseBody().write(body);
          x.close();
        });
    http.start();
    track(() -> http.stop(0));
    String url =
        "http://"
            + HOST
            + ":"
            + http.getAddress().getPort()
            + "/call.html?ws="
            + scheme
            + "://"
            + HOST
            + ":"
            + wsPort
            + "/&target=sip:bob@"
            + HOST;
    track(chromium(url, scheme.equals("wss")));
    long until = System.nanoTime() + Duration.ofSeconds(45).toNanos();
    while (System.nanoTime() < until && steps.stream().noneMatch(l -> l.startsWith("ENDED") || l.startsWith("FAILED") || l.startsWith("ERROR"))) {
      Thread.sleep(100);
    }
    assertTrue(steps.contains("CONFIRMED"), "the browser's call was not answered: " + steps + context());
    assertTrue(steps.contains("ENDED local Terminated"), "the browser did not hang up: " + steps);
    Sipp.Result r = uas.result(uas.awaitExit(Duration.ofSeconds(10)));
    assertEquals(0, r.exitCode(), "SIPp UAS did not see the call through: " + r + context());
    assertEquals(1, r.successful(), r.toString());
  }

  /** JsSIP's browser build, bundled from the npm package by esbuild (the package ships none). */
  Path browserBundle() throws Exception {
    Path out = workDir.resolve("jssip.js");
    try (ManagedProcess esbuild =
        new ManagedProcess(
            "esbuild",
            List.of(
                jsDir().resolve("node_modules/.bin/esbuild").toString(),
                jsDir().resolve("node_modules/jssip/lib/JsSIP.js").toString(),
                "--bundle",
                "--format=iife",
                "--global-name=JsSIP",
                "--platform=browser",
                "--outfile=" + out),
            workDir.resolve("esbuild"),
            workDir.resolve("esbuild").resolve("esbuild.log"))) {
      Integer rc = esbuild.awaitExit(Duration.ofSeconds(60));
      assertEquals(0, rc, "esbuild: " + esbuild.logText());
    }
    return out;
  }

  /** Headless Chromium with fake media devices and a fresh profile, on {@code url}. */
  ManagedProcess chromium(String url, boolean ignoreCertificateErrors) {
    Path profile = workDir.resolve("chromium-profile");
    List<String> flags = new java.util.ArrayList<>(List.of(
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            "--user-data-dir=" + profile));
    if (ignoreCertificateErrors) {
      flags.add("--ignore-certificate-errors");
    }
    flags.add(url);
    return new ManagedProcess(
        "chromium",
        flags,
        workDir.resolve("chromium"),
        workDir.resolve("chromium").resolve("chromium.log"));
  }
}
