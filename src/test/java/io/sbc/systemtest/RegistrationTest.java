package io.sbc.systemtest;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The registrar with digest authentication against SIPp: many users register (challenge, then
 * credentials); a wrong password, a replayed nonce count and a stale nonce are refused as RFC 7616
 * says; a registered SIPp UAS is reached by a call, and one behind NAT (a private Contact) at the
 * address it registered from.
 */
class RegistrationTest extends RegistrarSupport {
  @Test
  void manyUsersRegisterAndBadCredentialsAreRefused() throws Exception {
    startRegistrar(USERS);
    int rate = Integer.getInteger("sbc.registrar.rate", 250);
    Sipp.Result all =
        runUac(
            Sipp.uac(Sipp.sharedScenario("register_auth.xml"), "127.0.0.1:" + sbcPort)
                .port(uacPort())
                .calls(USERS)
                .rate(rate)
                .args("-inf", users("all", 0, USERS, PASSWORD, null).toString())
                .timeout(Duration.ofSeconds(USERS / rate + 60)),
            "register-all",
            Duration.ofSeconds(USERS / rate + 90));
    assertTrue(all.allSucceeded(USERS), USERS + " users should register: " + all + context());

    Sipp.Result wrong = sipp("register_wrong_password.xml", users("wrong", 0, 1, "not-the-password", null), 1, 1, "wrong");
    assertTrue(wrong.allSucceeded(1), "a wrong password gets a new 401: " + wrong + context());

    // user1 registers (its messages traced), then its Authorization line is sent again.
    Sipp.Result first =
        runUac(
            Sipp.uac(Sipp.sharedScenario("register_auth.xml"), "127.0.0.1:" + sbcPort)
                .port(uacPort())
                .calls(1)
                .traceMessages(true)
                .args("-inf", users("first", 1, 1, PASSWORD, null).toString())
                .timeout(Duration.ofSeconds(30)),
            "first",
            Duration.ofSeconds(60));
    assertTrue(first.allSucceeded(1), "user1 registers: " + first + context());
    String authorization;
    try (var files = Files.list(first.dir())) {
      Path log = files.filter(f -> f.toString().endsWith("_messages.log")).findFirst().orElseThrow();
      authorization =
          Files.readAllLines(log, StandardCharsets.ISO_8859_1).stream()
              .filter(l -> l.startsWith("Authorization: "))
              .findFirst()
              .orElseThrow();
    }
    Path replayed = workDir.resolve("replayed.csv");
    Files.writeString(replayed, "SEQUENTIAL\nuser1;" + authorization + "\n");
    Sipp.Result replay = sipp("register_replay.xml", replayed, 1, 1, "replay");
    assertTrue(replay.allSucceeded(1), "replayed credentials get 401 stale=true: " + replay + context());

    Sipp.Result stale = sipp("register_stale.xml", users("stale", 2, 1, PASSWORD, null), 1, 1, "stale");
    assertTrue(stale.allSucceeded(1), "a stale nonce gets stale=true, the retry 200: " + stale + context());
  }

  @Test
  void registeredUasIsReachedByACall() throws Exception {
    startRegistrar(0);
    int uas = Ports.uas();
    startUas(Sipp.uas(Sipp.sharedScenario("uas_rr.xml")).port(uas), "uas");
    Sipp.Result reg = sipp("register_contact.xml", users("bob", -1, 1, PASSWORD, "127.0.0.1:" + uas), 1, 1, "register");
    assertTrue(reg.allSucceeded(1), "bob registers the UAS's address: " + reg + context());
    Sipp.Result call =
        runUac(
            Sipp.uac(Sipp.scenario("uac_registered.xml"), "127.0.0.1:" + sbcPort)
                .port(uacPort())
                .calls(5)
                .rate(5)
                .args("-s", "bob", "-d", "100")
                .timeout(Duration.ofSeconds(30)),
            "call",
            Duration.ofSeconds(60));
    assertTrue(call.allSucceeded(5), "calls to bob reach the registered UAS: " + call + context());
  }

  @Test
  void natedClientIsReachedWhereItRegisteredFrom() throws Exception {
    startRegistrar(0);
    int natPort = Ports.uas();
    // The client behind NAT: its Contact is private (192.168.77.7, unreachable here), its packets
    // come from 127.0.0.4:natPort.
    Sipp.Result reg =
        runUac(
            Sipp.uac(Sipp.scenario("register_contact.xml"), "127.0.0.1:" + sbcPort)
                .localIp("127.0.0.4")
                .port(natPort)
                .calls(1)
                .args("-inf", users("bob", -1, 1, PASSWORD, "192.168.77.7:5060").toString())
                .timeout(Duration.ofSeconds(30)),
            "register-nat",
            Duration.ofSeconds(60));
    assertTrue(reg.allSucceeded(1), "bob registers from behind NAT: " + reg + context());
    // The same address and port now answer calls (what the NAT's pinhole leads to).
    startUas(Sipp.uas(Sipp.sharedScenario("uas_rr.xml")).localIp("127.0.0.4").port(natPort), "uas-nat");
    Sipp.Result call =
        runUac(
            Sipp.uac(Sipp.scenario("uac_registered.xml"), "127.0.0.1:" + sbcPort)
                .port(uacPort())
                .calls(3)
                .rate(3)
                .args("-s", "bob", "-d", "100")
                .timeout(Duration.ofSeconds(30)),
            "call",
            Duration.ofSeconds(60));
    assertTrue(call.allSucceeded(3), "calls reach bob at 127.0.0.4, not 192.168.77.7: " + call + context());
  }
}
