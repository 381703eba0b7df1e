package io.sbc.systemtest;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A real softphone (baresip, headless: its audio bridged to itself, no sound device) registers with
 * digest authentication through the SBC's registrar, answers a call from SIPp (auto-answer) and
 * places one to a registered SIPp UAS; over TCP, it is reached through its connection.
 */
class SoftphoneTest extends RegistrarSupport {

  /** Starts baresip with a configuration directory written here; its log is baresip.log. */
  ManagedProcess baresip(int sipPort, int ctrlPort, String account) throws Exception {
    Path dir = workDir.resolve("baresip");
    Files.createDirectories(dir);
    Files.writeString(
        dir.resolve("config"),
        String.join(
            "\n",
            "poll_method epoll",
            "sip_listen 127.0.0.1:" + sipPort,
            // aubridge: the source plays what the player gets, no sound device (ausine of
            // baresip 1.0 runs at 48 kHz only and fails a PCMU call)
            "audio_source aubridge,phone",
            "audio_player aubridge,phone",
            "audio_alert aubridge,alert",
            "module_path /usr/lib/baresip/modules",
            "module g711.so",
            "module aubridge.so",
            "module account.so",
            "module menu.so",
            "module ctrl_tcp.so",
            "ctrl_tcp_listen 127.0.0.1:" + ctrlPort,
            ""));
    Files.writeString(dir.resolve("accounts"), account + "\n");
    Files.writeString(dir.resolve("contacts"), "");
    return track(
        new ManagedProcess(
            "baresip",
            List.of("baresip", "-f", dir.toString(), "-v"),
            dir,
            dir.resolve("baresip.log")));
  }

  /** Sends a command to baresip's ctrl_tcp module (a netstring holding JSON). */
  static void command(int ctrlPort, String command, String params) throws Exception {
    String json = "{\"command\":\"" + command + "\",\"params\":\"" + params + "\",\"token\":\"t\"}";
    byte[] b = json.getBytes(StandardCharsets.UTF_8);
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", ctrlPort), 2000);
      OutputStream out = s.getOutputStream();
      out.write((b.length + ":").getBytes(StandardCharsets.US_ASCII));
      out.write(b);
      out.write(',');
      out.flush();
      Thread.sleep(300);
    }
  }

  static boolean await(ManagedProcess p, String text, Duration d) throws InterruptedException {
    long end = System.nanoTime() + d.toNanos();
    while (System.nanoTime() < end) {
      if (p.logText().contains(text)) {
        return true;
      }
      Thread.sleep(200);
    }
    return false;
  }

  @Test
  void baresipRegistersAnswersAndCalls() throws Exception {
    assertTrue(onPath("baresip"), "baresip is not on the PATH: apt-get install baresip");
    // baresip 1.0 (libre) refuses a challenge set that includes SHA-256 (ENOSYS): MD5 only.
    startRegistrar(1, "[MD5]"); // bob and user0
    int phonePort = Ports.uas();
    Ports.uas(); // baresip listens for TLS on its SIP port + 1
    int ctrlPort = Ports.uas();
    ManagedProcess phone =
        baresip(
            phonePort,
            ctrlPort,
            "<sip:bob@sbc.test>;auth_pass="
                + PASSWORD
                + ";outbound=\"sip:127.0.0.1:"
                + sbcPort
                + "\";answermode=auto;regint=600");
    assertTrue(
        await(phone, "200 OK", Duration.ofSeconds(20)),
        "baresip registers through the SBC with digest:\n" + phone.logTail(30) + context());

    // SIPp calls bob: the SBC looks bob up and baresip answers on its own.
    Sipp.Result call =
        runUac(
            Sipp.uac(Sipp.scenario("uac_registered.xml"), "127.0.0.1:" + sbcPort)
                .port(uacPort())
                .calls(1)
                .args("-s", "bob", "-d", "1000")
                .timeout(Duration.ofSeconds(30)),
            "call-bob",
            Duration.ofSeconds(60));
    assertTrue(call.allSucceeded(1), "baresip answers a call: " + call + "\n" + phone.logTail(30) + context());

    // bob calls user0, a SIPp UAS that registered its address.
    int uasPort = Ports.uas();
    Sipp.Instance uas = startUas(Sipp.uas(Sipp.sharedScenario("uas_rr.xml")).port(uasPort).calls(1), "uas-user0");
    Sipp.Result reg =
        sipp("register_contact.xml", users("user0", 0, 1, PASSWORD, "127.0.0.1:" + uasPort), 1, 1, "register-user0");
    assertTrue(reg.allSucceeded(1), "user0 registers: " + reg + context());
    command(ctrlPort, "dial", "sip:user0@sbc.test");
    assertTrue(
        await(phone, "Call established", Duration.ofSeconds(20)),
        "bob's call to user0 is answered:\n" + phone.logTail(30) + context());
    Thread.sleep(500);
    command(ctrlPort, "hangup", "");
    Sipp.Result answered = uas.result(uas.awaitExit(Duration.ofSeconds(20)));
    assertTrue(answered.allSucceeded(1), "the UAS took bob's call: " + answered + "\n" + phone.logTail(30) + context());
  }

  /**
   * Over TCP: baresip registers through its own connection (an ephemeral source port, not the
   * port its Contact names), and a call from SIPp over UDP reaches it through that connection.
   */
  @Test
  void baresipOverTcpIsReachedThroughItsConnection() throws Exception {
    assertTrue(onPath("baresip"), "baresip is not on the PATH: apt-get install baresip");
    startRegistrar(0, "[MD5]");
    int phonePort = Ports.uas();
    Ports.uas();
    int ctrlPort = Ports.uas();
    ManagedProcess phone =
        baresip(
            phonePort,
            ctrlPort,
            "<sip:bob@sbc.test;transport=tcp>;auth_pass="
                + PASSWORD
                + ";outbound=\"sip:127.0.0.1:"
                + sbcPort
                + ";transport=tcp\";answermode=auto;regint=600");
    assertTrue(
        await(phone, "200 OK", Duration.ofSeconds(20)),
        "baresip registers over TCP:\n" + phone.logTail(30) + context());
    Sipp.Result call =
        runUac(
            Sipp.uac(Sipp.scenario("uac_registered.xml"), "127.0.0.1:" + sbcPort)
                .port(uacPort())
                .calls(1)
                .args("-s", "bob", "-d", "1000")
                .timeout(Duration.ofSeconds(30)),
            "call-bob",
            Duration.ofSeconds(60));
    assertTrue(
        call.allSucceeded(1),
        "the call reaches baresip over its TCP connection: " + call + "\n" + phone.logTail(30) + context());
  }
}
