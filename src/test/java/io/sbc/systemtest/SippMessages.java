package io.sbc.systemtest;

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
 * Reads the messages log that SIPp writes with {@code -trace_msg} ({@code *_messages.log} in the
 * instance's directory): every message sent or received, each after a line {@code
 * ----------------------------------------------- YYYY-MM-DD HH:MM:SS.UUUUUU} (local time) and a
 * line {@code UDP message received [N] bytes :} or {@code UDP message sent (N bytes):}. SIPp
 * writes it as it goes, so it can be read while SIPp runs.
 */
final class SippMessages {
  private static final String SEPARATOR = "----------------------------------------------- ";
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");

  /** One message: when, which way, its first line, Call-ID and CSeq method. */
  record Message(Instant time, boolean received, String firstLine, String callId, String cseq) {
    boolean isRequest(String method) {
      return firstLine.startsWith(method + " ");
    }

    /** A response with this status code to a request of this method (CSeq). */
    boolean isResponse(int code, String method) {
      return firstLine.startsWith("SIP/2.0 " + code + " ") && cseq != null
          && cseq.endsWith(" " + method);
    }

    /** The Request-URI of a request. */
    String requestUri() {
      String[] parts = firstLine.split(" ");
      return parts.length >= 2 ? parts[1] : "";
    }
  }

  private SippMessages() {}

  /** Every message of every messages log in this SIPp instance directory, in file order. */
  static List<Message> read(Path instanceDir) {
    List<Message> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(instanceDir)) {
      for (Path f : files.filter(p -> p.getFileName().toString().endsWith("_messages.log"))
          .sorted().toList()) {
        readFile(f, out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  private static void readFile(Path file, List<Message> out) throws IOException {
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
      Instant time = null;
      Boolean received = null;
      String first = null;
      String callId = null;
      String cseq = null;
      String line;
      while ((line = r.readLine()) != null) {
        if (line.startsWith(SEPARATOR)) {
          if (time != null && first != null) {
            out.add(new Message(time, received, first, callId, cseq));
          }
          time = parseTime(line.substring(SEPARATOR.length()).trim());
          received = null;
          first = null;
          callId = null;
          cseq = null;
        } else if (time == null) {
          continue;
        } else if (received == null) {
          if (line.contains("message received")) {
            received = true;
          } else if (line.contains("message sent")) {
            received = false;
          }
        } else if (first == null) {
          if (!line.isBlank()) {
            first = line.trim();
          }
        } else {
          String lower = line.toLowerCase();
          if (callId == null && (lower.startsWith("call-id:") || lower.startsWith("i:"))) {
            callId = line.substring(line.indexOf(':') + 1).trim();
          } else if (cseq == null && lower.startsWith("cseq:")) {
            cseq = line.substring(line.indexOf(':') + 1).trim();
          }
        }
      }
      if (time != null && first != null) {
        out.add(new Message(time, received, first, callId, cseq));
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

  /** The first received INVITE of each call (by Call-ID), in order of arrival. */
  static Map<String, Message> receivedInvites(Path instanceDir) {
    Map<String, Message> calls = new LinkedHashMap<>();
    for (Message m : read(instanceDir)) {
      if (m.received() && m.isRequest("INVITE") && m.callId() != null) {
        calls.putIfAbsent(m.callId(), m);
      }
    }
    return calls;
  }

  /** One call as its caller saw it: when its first INVITE went out, and whether its BYE got a 200. */
  record CallerView(String callId, Instant inviteSent, boolean byeAnswered200) {}

  /** Per Call-ID, in order of the first INVITE sent, from a UAC's messages log. */
  static List<CallerView> callerView(Path instanceDir) {
    Map<String, Instant> invite = new LinkedHashMap<>();
    Map<String, Boolean> byeOk = new LinkedHashMap<>();
    for (Message m : read(instanceDir)) {
      if (m.callId() == null) {
        continue;
      }
      if (!m.received() && m.isRequest("INVITE")) {
        invite.putIfAbsent(m.callId(), m.time());
      } else if (m.received() && m.isResponse(200, "BYE")) {
        byeOk.put(m.callId(), true);
      }
    }
    List<CallerView> out = new ArrayList<>();
    invite.forEach((id, t) -> out.add(new CallerView(id, t, byeOk.getOrDefault(id, false))));
    return out;
  }
}
