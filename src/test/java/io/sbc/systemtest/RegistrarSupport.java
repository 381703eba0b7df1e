package io.sbc.systemtest;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;

/**
 * What the registrar's system tests share: a gateway serving sbc.test as registrar with digest
 * authentication (MD5 offered first: SIPp 3.6 and baresip 1.0 compute MD5 only, from the first
 * challenge), SIPp injection files of users, and SIPp runs against it.
 */
abstract class RegistrarSupport extends SystemTestBase {
  /** How many users register in the load test (the issue asks 10,000; lower on a slow machine). */
  static final int USERS = Integer.getInteger("sbc.registrar.users", 10_000);

  static final String PASSWORD = "secret";

  int sbcPort;
  ManagedProcess sbc;

  static String hex(String algorithm, String s) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance(algorithm).digest(s.getBytes(StandardCharsets.UTF_8)));
  }

  /** A gateway serving sbc.test as registrar, users user0..user(n-1) (and bob) with PASSWORD. */
  void startRegistrar(int users) throws Exception {
    startRegistrar(users, "[MD5, SHA-256]");
  }

  /** The same, offering these digest algorithms in this order. */
  void startRegistrar(int users, String algorithms) throws Exception {
    sbcPort = Ports.proxy();
    StringBuilder y = new StringBuilder();
    y.append(
        """
        apiVersion: sbc.io/v1alpha1
        kind: SipGateway
        metadata:
          name: registrar
        spec:
          listeners:
            - name: udp
              protocol: SIP-UDP
              address: 127.0.0.1
              port: %d
            - name: tcp
              protocol: SIP-TCP
              address: 127.0.0.1
              port: %d
          domains: [sbc.test]
          registrar:
            digestAlgorithms: %s
            nonceLifetimeSeconds: 10
            maxAuthFailures: 100
            subscribers:
        """
            .formatted(sbcPort, sbcPort, algorithms));
    for (int i = -1; i < users; i++) {
      String u = i < 0 ? "bob" : "user" + i;
      y.append("      - username: ")
          .append(u)
          .append("\n        ha1: ")
          .append(hex("MD5", u + ":sbc.test:" + PASSWORD))
          .append("\n        ha1Sha256: ")
          .append(hex("SHA-256", u + ":sbc.test:" + PASSWORD))
          .append('\n');
    }
    y.append(
        """
        ---
        apiVersion: sbc.io/v1alpha1
        kind: SipRoute
        metadata:
          name: registrar
        spec:
          parentRefs:
            - name: registrar
          rules:
            - name: register
              matches:
                - methods: [REGISTER]
              registrar: Register
              authentication: {}
            - name: lookup
              registrar: Lookup
        """);
    sbc = track(SbcProcess.start(workDir, "sbc", y.toString(), "127.0.0.1", sbcPort));
  }

  /** An injection file: user;[authentication ...];extra. */
  Path users(String name, int from, int count, String password, String extra) throws Exception {
    StringBuilder sb = new StringBuilder("SEQUENTIAL\n");
    for (int i = from; i < from + count; i++) {
      String u = i < 0 ? "bob" : "user" + i;
      sb.append(u)
          .append(";[authentication username=")
          .append(u)
          .append(" password=")
          .append(password)
          .append("]")
          .append(extra == null ? "" : ";" + extra)
          .append('\n');
    }
    Path f = workDir.resolve(name + ".csv");
    Files.writeString(f, sb.toString());
    return f;
  }

  Sipp.Result sipp(String scenario, Path users, int calls, int rate, String name) throws Exception {
    return runUac(
        Sipp.uac(Sipp.scenario(scenario), "127.0.0.1:" + sbcPort)
            .port(uacPort())
            .calls(calls)
            .rate(rate)
            .args("-inf", users.toString())
            .timeout(Duration.ofSeconds(calls / Math.max(1, rate) + 60)),
        name,
        Duration.ofSeconds(calls / Math.max(1, rate) + 90));
  }

}
