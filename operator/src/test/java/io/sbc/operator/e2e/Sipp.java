package io.sbc.operator.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * SIPp (Debian package sip-tester) as a child process, after the system tests' runner: each
 * instance in its own directory, with its screen (NAME.log), statistics (stat.csv), errors
 * (*_errors.log) and, with {@code -trace_msg}, every message (*_messages.log).
 */
final class Sipp {
  private Sipp() {}

  /** The command line: scenario, remote (null for a UAS), local port, then more arguments. */
  static List<String> command(
      Path scenario, String remote, int port, boolean traceMessages, String... more) {
    List<String> c = new ArrayList<>(List.of("sipp", "-sf", scenario.toString()));
    if (remote != null) {
      c.add(remote);
    }
    c.addAll(List.of("-i", "127.0.0.1", "-p", String.valueOf(port)));
    c.addAll(List.of(more));
    c.addAll(List.of("-nostdin", "-trace_err", "-trace_stat", "-stf", "stat.csv", "-fd", "1"));
    if (traceMessages) {
      c.add("-trace_msg");
    }
    return c;
  }

  static ChildProcess start(String name, Path dir, List<String> command) {
    return new ChildProcess(name, command, Map.of(), dir);
  }

  /**
   * The outcome of a UAC run: exit code (0: every call succeeded; null: killed after a timeout) and
   * the cumulative counters of the last line of its -trace_stat file.
   */
  record Result(Integer exitCode, long created, long successful, long failed, String details) {
    static Result read(ChildProcess p, Path dir, Integer exitCode) {
      long created = -1;
      long ok = -1;
      long failed = -1;
      try {
        Path stat = dir.resolve("stat.csv");
        List<String> lines =
            Files.exists(stat)
                ? Files.readAllLines(stat, StandardCharsets.ISO_8859_1).stream()
                    .filter(l -> !l.isBlank())
                    .toList()
                : List.of();
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
      StringBuilder d = new StringBuilder("\n--- " + p.log() + " (tail)\n").append(p.logTail(25));
      try (Stream<Path> files = Files.list(dir)) {
        for (Path f : files.filter(f -> f.toString().endsWith("_errors.log")).toList()) {
          d.append("\n--- ").append(f).append(" (tail)\n");
          d.append(ChildProcess.tail(Files.readString(f, StandardCharsets.ISO_8859_1), 40));
        }
      } catch (IOException e) {
        d.append("\n(cannot list ").append(dir).append(')');
      }
      return new Result(exitCode, created, ok, failed, d.toString());
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

    boolean allSucceeded(long calls) {
      return exitCode != null && exitCode == 0 && successful == calls && failed == 0;
    }

    @Override
    public String toString() {
      return "exit="
          + (exitCode == null ? "none (killed after timeout)" : exitCode)
          + " created="
          + created
          + " successful="
          + successful
          + " failed="
          + failed
          + details;
    }
  }

  /** A received INVITE: when SIPp logged it (wall clock, microseconds) and its Call-ID. */
  record Invite(Instant time, String callId) {}

  private static final String SEPARATOR = "----------------------------------------------- ";
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");

  /**
   * The first received INVITE of each call (by Call-ID), in order of arrival, from the messages
   * logs of one instance directory. SIPp writes each message after a line {@code
   * ----------------------------------------------- YYYY-MM-DD HH:MM:SS.UUUUUU} (local time) and a
   * line {@code UDP message received [N] bytes :}; it can be read while SIPp runs.
   */
  static List<Invite> receivedInvites(Path dir) {
    Map<String, Invite> calls = new LinkedHashMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f :
          files
              .filter(p -> p.getFileName().toString().endsWith("_messages.log"))
              .sorted()
              .toList()) {
        readInvites(f, calls);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new ArrayList<>(calls.values());
  }

  private static void readInvites(Path file, Map<String, Invite> calls) throws IOException {
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
      Instant time = null;
      boolean received = false;
      String first = null;
      String line;
      while ((line = r.readLine()) != null) {
        if (line.startsWith(SEPARATOR)) {
          time = parseTime(line.substring(SEPARATOR.length()).trim());
          received = false;
          first = null;
        } else if (time == null) {
          continue;
        } else if (first == null) {
          if (line.contains("message received")) {
            received = true;
          } else if (line.contains("message sent")) {
            received = false;
          } else if (!line.isBlank()) {
            first = line.trim();
          }
        } else if (received && first.startsWith("INVITE ")) {
          String lower = line.toLowerCase();
          if (lower.startsWith("call-id:") || lower.startsWith("i:")) {
            String id = line.substring(line.indexOf(':') + 1).trim();
            calls.putIfAbsent(id, new Invite(time, id));
            first = "-"; // this message is done
          }
        }
      }
    }
  }

  private static Instant parseTime(String s) {
    try {
      return LocalDateTime.parse(s, TIME).atZone(ZoneId.systemDefault()).toInstant();
    } catch (RuntimeException e) {
      return Instant.EPOCH;
    }
  }
}
