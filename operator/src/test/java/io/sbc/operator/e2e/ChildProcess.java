package io.sbc.operator.e2e;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A child process started by the test (copied in spirit from the system tests' ManagedProcess):
 * stdout and stderr in one log file, the command line and PID written next to it. {@link #close()}
 * stops it by its own PID (SIGTERM, SIGKILL after a grace period), then the descendants it forked,
 * and waits until they are gone.
 */
class ChildProcess implements AutoCloseable {
  private final String name;
  private final Process process;
  private final Path log;

  ChildProcess(String name, List<String> command, Map<String, String> env, Path dir) {
    this.name = name;
    this.log = dir.resolve(name + ".log");
    try {
      Files.createDirectories(dir);
      ProcessBuilder pb =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      // never the developer's cluster: only what the test gives
      pb.environment()
          .keySet()
          .removeIf(k -> k.equals("KUBECONFIG") || k.startsWith("KUBERNETES_"));
      pb.environment().putAll(env);
      process = pb.start();
      Files.writeString(
          dir.resolve(name + ".cmd"),
          env + "\n" + String.join(" ", command) + "\npid=" + process.pid() + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException("could not start " + name + ": " + command, e);
    }
  }

  String name() {
    return name;
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  Path log() {
    return log;
  }

  /** Waits for the process to exit on its own; its exit code, or null on timeout. */
  Integer awaitExit(Duration timeout) throws InterruptedException {
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : null;
  }

  String logText() {
    try {
      return Files.exists(log) ? Files.readString(log, StandardCharsets.ISO_8859_1) : "";
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
  }

  String logTail(int lines) {
    return tail(logText(), lines);
  }

  static String tail(String text, int lines) {
    String[] all = text.split("\n");
    return String.join(
        "\n", Arrays.asList(all).subList(Math.max(0, all.length - lines), all.length));
  }

  /** Stops the process and its descendants by PID; idempotent. */
  @Override
  public void close() throws InterruptedException {
    List<ProcessHandle> children = process.descendants().toList();
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    }
    for (ProcessHandle child : children) {
      if (child.isAlive()) {
        child.destroy();
        try {
          child.onExit().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
          child.destroyForcibly();
        }
      }
    }
  }

  @Override
  public String toString() {
    return name + " (pid " + process.pid() + ", log " + log + ")";
  }
}
