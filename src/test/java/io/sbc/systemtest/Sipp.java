package io.sbc.systemtest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Starts SIPp (Debian package sip-tester) as a child process. Every SIPp instance runs in its own
 * directory under the test's work directory, where it writes its screen (sipp.log), statistics
 * (stat.csv), errors (*_errors.log) and, when asked, every message (*_messages.log).
 */
final class Sipp {
  private final Path scenario;
  private final List<String> args = new ArrayList<>();
  private String remote;
  private String localIp = "127.0.0.1";
  private int port;
  private Integer calls;
  private boolean traceMessages = true;

  private Sipp(Path scenario) {
    this.scenario = scenario;
  }

  /** A scenario shipped in ../shared/bench/scenarios (uac_rr.xml, uas_rr.xml). */
  static Path sharedScenario(String name) {
    return SystemTestBase.sharedDir().resolve("bench/scenarios").resolve(name);
  }

  /** A scenario of this repository (src/test/resources/scenarios). */
  static Path scenario(String name) {
    return SystemTestBase.sbcHome().resolve("src/test/resources/scenarios").resolve(name);
  }

  static Sipp uas(Path scenario) {
    return new Sipp(scenario).args("-aa"); // answer OPTIONS probes from the proxy
  }

  static Sipp uac(Path scenario, String remote) {
    Sipp s = new Sipp(scenario);
    s.remote = remote;
    return s;
  }

  Sipp port(int port) {
    this.port = port;
    return this;
  }

  /** -i: the local address SIPp binds and writes into its messages (default 127.0.0.1). */
  Sipp localIp(String ip) {
    this.localIp = ip;
    return this;
  }

  /** -m: stop after this many calls (a UAS then exits on its own). */
  Sipp calls(int calls) {
    this.calls = calls;
    return this;
  }

  Sipp rate(int callsPerSecond) {
    return args("-r", String.valueOf(callsPerSecond));
  }

  Sipp limit(int concurrentCalls) {
    return args("-l", String.valueOf(concurrentCalls));
  }

  /**
   * -t: u1 (one UDP socket), un (one UDP socket per call), t1 (one TCP connection), tn (one TCP
   * connection per call).
   */
  Sipp transport(String t) {
    if (t.equals("un") || t.equals("tn")) {
      // SIPp refuses to start when -max_socket (default 50000) exceeds the open-file limit
      args("-max_socket", String.valueOf(maxSockets()));
    }
    return args("-t", t);
  }

  private static int maxSockets() {
    int limit = 1024;
    try {
      Process p = new ProcessBuilder("sh", "-c", "ulimit -n").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
      p.waitFor();
      limit = out.equals("unlimited") ? 65536 : Integer.parseInt(out);
    } catch (IOException | InterruptedException | NumberFormatException e) {
      // keep the conservative default
    }
    return Math.max(256, Math.min(10000, limit - 200));
  }

  /** -timeout ... -timeout_error: give up (and fail) when the run takes longer than this. */
  Sipp timeout(Duration d) {
    return args("-timeout", d.toSeconds() + "s", "-timeout_error");
  }

  Sipp traceMessages(boolean on) {
    this.traceMessages = on;
    return this;
  }

  Sipp args(String... more) {
    args.addAll(List.of(more));
    return this;
  }

  List<String> command() {
    List<String> c = new ArrayList<>(List.of("sipp", "-sf", scenario.toString()));
    if (remote != null) {
      c.add(remote);
    }
    c.addAll(List.of("-i", localIp, "-p", String.valueOf(port)));
    if (calls != null) {
      c.addAll(List.of("-m", String.valueOf(calls)));
    }
    c.addAll(args);
    c.addAll(List.of("-nostdin", "-trace_err", "-trace_stat", "-stf", "stat.csv", "-fd", "1"));
    if (traceMessages) {
      c.add("-trace_msg");
    }
    return c;
  }

  /** Starts this SIPp in the background (stop it with close(), or await its exit). */
  Instance start(Path testDir, String name) {
    Path dir = testDir.resolve(name);
    return new Instance(name, command(), dir);
  }

  /**
   * Runs this SIPp (a UAC) to completion, killing it after {@code maxWait}; the returned result
   * holds its exit code and call counts.
   */
  Result run(Path testDir, String name, Duration maxWait) throws InterruptedException {
    try (Instance i = start(testDir, name)) {
      Integer rc = i.awaitExit(maxWait);
      return i.result(rc);
    }
  }

  /** A running SIPp. */
  static final class Instance extends ManagedProcess {
    private final Path dir;

    Instance(String name, List<String> command, Path dir) {
      super(name, command, dir, dir.resolve("sipp.log"));
      this.dir = dir;
    }

    Path dir() {
      return dir;
    }

    /** Waits for a SIPp started with -m to finish on its own, then reads its result. */
    Result awaitResult(Duration maxWait) throws InterruptedException {
      return result(awaitExit(maxWait));
    }

    Result result(Integer exitCode) {
      return Result.read(name(), dir, exitCode);
    }
  }

  /**
   * The outcome of a SIPp run: exit code (0 all calls succeeded, 1 some failed, 97 stopped by a
   * command, 99 no call processed, 255/254 fatal or bind error; null = still running, killed) and
   * the cumulative counters of the last line of its -trace_stat file.
   */
  record Result(String name, Path dir, Integer exitCode, long created, long successful,
      long failed, String details) {

    static Result read(String name, Path dir, Integer exitCode) {
      long created = -1;
      long ok = -1;
      long failed = -1;
      try {
        List<String> lines = Files.exists(dir.resolve("stat.csv"))
            ? Files.readAllLines(dir.resolve("stat.csv"), StandardCharsets.ISO_8859_1)
            : List.of();
        lines = lines.stream().filter(l -> !l.isBlank()).toList();
        if (lines.size() >= 2) {
          String[] header = lines.get(0).split(";");
          String[] last = lines.get(lines.size() - 1).split(";");
          created = field(header, last, "TotalCallCreated");
          ok = field(header, last, "SuccessfulCall(C)");
          failed = field(header, last, "FailedCall(C)");
        }
      } catch (IOException e) {
        // reported through the -1 counters
      }
      return new Result(name, dir, exitCode, created, ok, failed, details(dir));
    }

    private static long field(String[] header, String[] row, String name) {
      for (int i = 0; i < header.length && i < row.length; i++) {
        if (header[i].trim().equals(name)) {
          try {
            return Long.parseLong(row[i].trim());
          } catch (NumberFormatException e) {
            return -1;
          }
        }
      }
      return -1;
    }

    private static String details(Path dir) {
      StringBuilder sb = new StringBuilder();
      try (Stream<Path> files = Files.list(dir)) {
        for (Path f : files.sorted().toList()) {
          String n = f.getFileName().toString();
          if (n.endsWith("_errors.log") || n.equals("sipp.log")) {
            String text = Files.readString(f, StandardCharsets.ISO_8859_1);
            sb.append("\n--- ").append(f).append(" (tail)\n")
                .append(ManagedProcess.tail(text, n.equals("sipp.log") ? 25 : 40));
          }
        }
      } catch (IOException e) {
        sb.append("\n(cannot list ").append(dir).append(": ").append(e).append(')');
      }
      return sb.toString();
    }

    boolean allSucceeded(long expectedCalls) {
      return exitCode != null && exitCode == 0 && successful == expectedCalls && failed == 0;
    }

    String summary() {
      return name + ": exit=" + (exitCode == null ? "none (killed after timeout)" : exitCode)
          + " created=" + created + " successful=" + successful + " failed=" + failed
          + " (files in " + dir + ")";
    }

    @Override
    public String toString() {
      return summary() + details;
    }
  }
}
