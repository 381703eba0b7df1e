package io.sbc.systemtest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A child process started by a test, with stdout and stderr in one log file. {@link #close()}
 * stops it by its own PID (SIGTERM, then SIGKILL after a grace period) together with any children
 * it forked, and waits until they are gone.
 */
class ManagedProcess implements AutoCloseable {
  private final String name;
  private final Process process;
  private final Path log;

  ManagedProcess(String name, List<String> command, Path workDir, Path log) {
    this(name, command, workDir, log, java.util.Map.of());
  }

  /** With these variables added to the environment the process inherits. */
  ManagedProcess(
      String name, List<String> command, Path workDir, Path log, java.util.Map<String, String> env) {
    this.name = name;
    this.log = log;
    try {
      Files.createDirectories(workDir);
      ProcessBuilder builder = new ProcessBuilder(command);
      builder.environment().putAll(env);
      process =
          builder
              .directory(workDir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(nullFile()))
              .start();
      Files.writeString(
          workDir.resolve(name + ".cmd"),
          String.join(" ", command) + "\npid=" + process.pid() + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException("could not start " + name + ": " + command, e);
    }
  }

  private static java.io.File nullFile() {
    return new java.io.File("/dev/null");
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

  /** Waits for the process to exit on its own; returns its exit code or null on timeout. */
  Integer awaitExit(Duration timeout) throws InterruptedException {
    if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      return process.exitValue();
    }
    return null;
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
    int from = Math.max(0, all.length - lines);
    return String.join("\n", java.util.Arrays.asList(all).subList(from, all.length));
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
