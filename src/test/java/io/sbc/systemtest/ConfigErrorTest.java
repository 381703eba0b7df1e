package io.sbc.systemtest;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The packaged SBC refuses to start on a bad configuration: it exits non-zero, and its output
 * names the file and the field (or the listener that cannot be bound). Needs no SIPp.
 */
class ConfigErrorTest {
  static final Duration EXIT_TIMEOUT = Duration.ofSeconds(60);

  private Path workDir;
  private final List<ManagedProcess> started = new ArrayList<>();

  /** What a finished run left: its exit code and its output (stdout and stderr). */
  record Run(int exitCode, String output) {}

  @BeforeEach
  void createWorkDir(TestInfo info) throws IOException {
    String method = info.getTestMethod().map(m -> m.getName()).orElse("test");
    workDir = SystemTestBase.sbcHome().resolve("system-tests/target/system-test-work")
        .resolve(getClass().getSimpleName()).resolve(method);
    if (Files.exists(workDir)) {
      try (Stream<Path> walk = Files.walk(workDir)) {
        for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
    Files.createDirectories(workDir);
  }

  @AfterEach
  void stopEverything() throws InterruptedException {
    for (ManagedProcess p : started) {
      p.close(); // by its PID, if it is still alive
      assertFalse(p.isAlive(), p + " is still alive");
    }
  }

  /** Runs the packaged SBC with these arguments and waits for it to exit on its own. */
  private Run runSbc(String... args) throws InterruptedException {
    Path jar = ProxyUnderTest.Sbc.jar();
    assertTrue(Files.isRegularFile(jar),
        "the SBC is not packaged: " + jar + " is missing (mvn package)");
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    String extra = System.getProperty("sbc.jvmArgs", "");
    if (!extra.isBlank()) {
      cmd.addAll(List.of(extra.trim().split("\\s+")));
    }
    cmd.add("-Dquarkus.http.port=0"); // management HTTP on a free port: tests never clash on 8080
    cmd.add("-jar");
    cmd.add(jar.toString());
    cmd.addAll(List.of(args));
    ManagedProcess p = new ManagedProcess("sbc", cmd, workDir, workDir.resolve("sbc.log"));
    started.add(p);
    Integer code = p.awaitExit(EXIT_TIMEOUT);
    String out = p.logText();
    assertNotNull(code, "the SBC did not exit within " + EXIT_TIMEOUT.toSeconds()
        + " s (" + p + "); output:\n" + out);
    return new Run(code, out);
  }

  private Path write(String name, String yaml) throws IOException {
    Path f = workDir.resolve(name);
    Files.writeString(f, yaml);
    return f;
  }

  private static String gateway(String listenerName, String protocolLine, String port) {
    return """
        apiVersion: sbc.io/v1alpha1
        kind: SipGateway
        metadata:
          name: edge
        spec:
          listeners:
            - name: %s
              %s
              address: 127.0.0.1
              port: %s
        ---
        apiVersion: sbc.io/v1alpha1
        kind: SipRoute
        metadata:
          name: to-pbx
        spec:
          parentRefs:
            - name: edge
          rules:
            - backendRefs:
                - uri: sip:127.0.0.1:15090
        """.formatted(listenerName, protocolLine, port);
  }

  private static void assertRefused(Run run, String... expected) {
    assertNotEquals(0, run.exitCode(), "the SBC started; output:\n" + run.output());
    for (String s : expected) {
      assertTrue(run.output().contains(s),
          "the output does not contain \"" + s + "\":\n" + run.output());
    }
  }

  @Test
  void unknownFieldIsNamed() throws Exception {
    Path cfg = write("unknown-field.yaml", gateway("udp", "prot: SIP-UDP", "15061"));
    Run run = runSbc("--config", cfg.toString());
    assertRefused(run, cfg.toString(), "spec.listeners[0].prot", "unknown field");
  }

  @Test
  void wrongValueIsNamed() throws Exception {
    Path cfg = write("wrong-port.yaml", gateway("udp", "protocol: SIP-UDP", "70000"));
    Run run = runSbc("--config", cfg.toString());
    assertRefused(run, cfg.toString(), "spec.listeners[0].port", "70000");
  }

  @Test
  void wrongTypeIsNamed() throws Exception {
    Path cfg = write("wrong-type.yaml", gateway("udp", "protocol: SIP-UDP", "abc"));
    Run run = runSbc("--config", cfg.toString());
    assertRefused(run, cfg.toString(), "spec.listeners[0].port", "expected an integer");
  }

  @Test
  void allErrorsOfAllDocumentsAtOnce() throws Exception {
    String yaml = gateway("udp", "prot: SIP-UDP", "70000")
        .replace("sip:127.0.0.1:15090", "http://127.0.0.1:15090")
        .replace("- backendRefs:", "- forking: all\n      backendRefs:");
    Path cfg = write("many-errors.yaml", yaml);
    Run run = runSbc("--config", cfg.toString());
    assertRefused(run,
        cfg + ": document 1 (SipGateway/edge): spec.listeners[0].prot: unknown field",
        cfg + ": document 1 (SipGateway/edge): spec.listeners[0].port: must be 1..65535",
        cfg + ": document 2 (SipRoute/to-pbx): spec.rules[0].forking:",
        cfg + ": document 2 (SipRoute/to-pbx): spec.rules[0].backendRefs[0].uri:");
  }

  @Test
  void missingFileIsNamed() throws Exception {
    Path cfg = workDir.resolve("no-such-config.yaml");
    Run run = runSbc("--config", cfg.toString());
    assertRefused(run, cfg.toString(), "no such file");
  }

  @Test
  void listenerPortInUseIsNamed() throws Exception {
    int port = Ports.proxy();
    try (DatagramSocket taken = new DatagramSocket(null)) {
      taken.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
      Path cfg = write("port-in-use.yaml",
          gateway("edge-udp", "protocol: SIP-UDP", Integer.toString(port)));
      Run run = runSbc("--config", cfg.toString());
      assertRefused(run, "edge-udp", Integer.toString(port));
    }
  }
}
