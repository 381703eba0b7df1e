package io.sbc.systemtest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.Assumptions;

/** Helpers for the tests of SBC-only features: dispatchers, routing rules, hot reload. */
final class SbcSupport {
  private SbcSupport() {}

  /** Skips the test unless the proxy under test is the packaged SBC (not Kamailio, not external). */
  static void assumeSbc(String feature) {
    Assumptions.assumeTrue(ProxyUnderTest.target().equals("sbc"),
        feature + " is an SBC feature: not tested against " + ProxyUnderTest.target());
  }

  /**
   * Replaces a file the way a careful operator (or a Kubernetes ConfigMap volume) does: writes a
   * temporary file next to it and renames it over the original in one step, so that a reader
   * polling the file never sees a partial one.
   */
  static void replaceAtomically(Path file, String content) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, content);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** Waits until a line of the proxy's log satisfies the predicate; returns it, if it came. */
  static Optional<String> awaitLogLine(ProxyUnderTest proxy, Predicate<String> line,
      Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    do {
      Optional<String> found = proxy.logText().lines().filter(line).findFirst();
      if (found.isPresent()) {
        return found;
      }
      Thread.sleep(100);
    } while (System.nanoTime() < end);
    return Optional.empty();
  }

  /** The lines of the proxy's log that contain this text. */
  static String grep(ProxyUnderTest proxy, String text, int max) {
    return proxy.logText().lines().filter(l -> l.contains(text)).limit(max)
        .reduce("", (a, b) -> a + b + "\n");
  }

  /** Kills a process by its PID with SIGKILL (no chance to say goodbye) and waits until it is gone. */
  static void killHard(ManagedProcess p) throws Exception {
    ProcessHandle h = ProcessHandle.of(p.pid()).orElseThrow();
    h.destroyForcibly();
    h.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
  }
}
