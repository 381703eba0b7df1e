package io.sbc.systemtest;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The packaged SBC started from a configuration written as YAML by the test (for settings the
 * {@link SbcConfig} builder does not model: topology hiding, NAT, sealing, several processes of
 * one gateway), with the JVM options the product runs with, and awaited until it answers OPTIONS.
 */
final class SbcProcess {
  private SbcProcess() {}

  /**
   * Starts it in {@code workDir/name}; the caller tracks (and so stops) the process.
   *
   * @param host and {@code port}: where it answers OPTIONS once up
   */
  static ManagedProcess start(Path workDir, String name, String yaml, String host, int port)
      throws Exception {
    Path dir = workDir.resolve(name);
    Files.createDirectories(dir);
    Path cfg = dir.resolve("sbc.yaml");
    Files.writeString(cfg, yaml);
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Dquarkus.vertx.max-event-loop-execute-time=50ms");
    cmd.add("-Dquarkus.http.port=0");
    for (String line : Files.readAllLines(SystemTestBase.sbcHome().resolve("jvm.options"))) {
      if (!line.isBlank() && !line.startsWith("#")) {
        cmd.add(line.trim());
      }
    }
    cmd.addAll(
        List.of(
            "-jar",
            ProxyUnderTest.Sbc.jar().toString(),
            "--config",
            cfg.toString(),
            "--pid-file",
            dir.resolve("sbc.pid").toString()));
    ManagedProcess p = new ManagedProcess(name, cmd, dir, dir.resolve("sbc.log"));
    boolean up = SipOptions.awaitOk(host, port, Duration.ofSeconds(60), p::isAlive);
    if (!up) {
      String log = p.logTail(30);
      p.close();
      assertTrue(false, name + " did not come up:\n" + log);
    }
    return p;
  }
}
