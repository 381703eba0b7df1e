package io.sbc.systemtest;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;

/**
 * Lifecycle shared by the system tests: a fresh work directory per test
 * (system-tests/target/system-test-work/CLASS/METHOD, kept for inspection), every process started
 * by the test stopped by PID afterwards (even when the test fails), and the check that the proxy
 * never blocked a Vert.x event loop.
 */
abstract class SystemTestBase {
  static final String BLOCKED_THREAD = "has been blocked for";

  protected Path workDir;
  protected ProxyUnderTest proxy;
  private final Deque<AutoCloseable> cleanup = new ArrayDeque<>();

  static Path sbcHome() {
    return Path.of(System.getProperty("sbc.home", ".")).toAbsolutePath().normalize();
  }

  static Path sharedDir() {
    String s = System.getProperty("shared.dir");
    return (s != null ? Path.of(s) : sbcHome().resolveSibling("shared")).toAbsolutePath().normalize();
  }

  @BeforeEach
  void createWorkDir(TestInfo info) throws IOException {
    assertTrue(onPath("sipp"), "SIPp is not on the PATH: apt-get install sip-tester (./test.sh does it)");
    if (ProxyUnderTest.target().equals("kamailio")) {
      assertTrue(onPath("kamailio"), "kamailio is not on the PATH: apt-get install kamailio");
    }
    String method = info.getTestMethod().map(m -> m.getName()).orElse("test");
    workDir = sbcHome().resolve("system-tests/target/system-test-work")
        .resolve(getClass().getSimpleName()).resolve(method);
    deleteRecursively(workDir);
    Files.createDirectories(workDir);
  }

  /** The part of an SBC log from its "ready" line on (all of it when there is none). */
  static String afterReady(String log) {
    int ready = log.indexOf(" ready, pid ");
    return ready < 0 ? log : log.substring(ready);
  }

  @AfterEach
  void stopEverything() throws Exception {
    List<Throwable> errors = new ArrayList<>();
    while (!cleanup.isEmpty()) {
      try {
        cleanup.pop().close();
      } catch (Throwable t) {
        errors.add(t);
      }
    }
    if (proxy != null) {
      // From the moment the SBC says it is ready: before, no listener is bound and no SIP message
      // can wait for a loop (the runtime warms Hibernate Reactive up then, on a loop, as it must).
      String log = afterReady(proxy.logText());
      proxy = null;
      assertFalse(log.contains(BLOCKED_THREAD),
          "the proxy log reports a blocked event loop (\"" + BLOCKED_THREAD + "\"):\n"
              + log.lines().filter(l -> l.contains(BLOCKED_THREAD)).limit(5)
                  .reduce("", (a, b) -> a + b + "\n"));
    }
    if (!errors.isEmpty()) {
      AssertionError e = new AssertionError("cleanup failed");
      errors.forEach(e::addSuppressed);
      throw e;
    }
  }

  /** Registers something to close after the test (closed in reverse order). */
  protected <T extends AutoCloseable> T track(T closeable) {
    cleanup.push(closeable);
    return closeable;
  }

  /** Starts the proxy under test with this config (stopped after the test). */
  protected ProxyUnderTest startProxy(SbcConfig config) throws Exception {
    proxy = track(ProxyUnderTest.create(workDir));
    proxy.start(config);
    return proxy;
  }

  /** The port for the proxy's listeners (ignored by an external proxy). */
  protected int proxyPort() {
    return ProxyUnderTest.externalTarget() != null ? 0 : Ports.proxy();
  }

  protected int uacPort() {
    return Ports.uac();
  }

  /**
   * The port for the n-th backend (0-based); an external proxy has exactly one, at {@code
   * sbc.external.backend}.
   */
  protected int backendPort(int n) {
    if (ProxyUnderTest.externalTarget() != null) {
      Assumptions.assumeTrue(n == 0, "an external proxy has exactly one backend");
      return ProxyUnderTest.External.backendPort();
    }
    return Ports.uas();
  }

  /** Starts a SIPp UAS and gives it a moment to bind its port. */
  protected Sipp.Instance startUas(Sipp uas, String name) throws InterruptedException {
    Sipp.Instance i = track(uas.start(workDir, name));
    Thread.sleep(300);
    assertTrue(i.isAlive(), name + " exited at once:\n" + i.result(i.awaitExit(Duration.ZERO)));
    return i;
  }

  protected Sipp.Result runUac(Sipp uac, String name, Duration maxWait) throws InterruptedException {
    return uac.run(workDir, name, maxWait);
  }

  protected String context() {
    return "\nproxy: " + (proxy == null ? "-" : proxy.describe()) + "\nwork dir: " + workDir;
  }

  static boolean onPath(String tool) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
