package io.sbc.systemtest;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * A tiny SIP client over UDP: sends {@code OPTIONS sip:HOST:PORT} (no user part, i.e. addressed to
 * the proxy itself) and waits for the final response of that transaction.
 */
final class SipOptions {

  /** A received response; header names are lower case, compact forms expanded, first value kept. */
  record Response(int status, String statusLine, Map<String, String> headers, String raw) {
    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  /** What was sent, to compare with the response. */
  record Request(String callId, String branch, String fromTag, String raw) {}

  private static final Map<String, String> COMPACT =
      Map.of("i", "call-id", "v", "via", "f", "from", "t", "to", "l", "content-length", "m", "contact");

  private SipOptions() {}

  static Request request(String host, int port, int localPort) {
    String id = UUID.randomUUID().toString().replace("-", "");
    String branch = "z9hG4bK-probe-" + id.substring(0, 12);
    String tag = id.substring(12, 20);
    String callId = id + "@127.0.0.1";
    String raw =
        "OPTIONS sip:" + host + ":" + port + " SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 127.0.0.1:" + localPort + ";branch=" + branch + ";rport\r\n"
            + "Max-Forwards: 70\r\n"
            + "From: <sip:probe@127.0.0.1>;tag=" + tag + "\r\n"
            + "To: <sip:" + host + ":" + port + ">\r\n"
            + "Call-ID: " + callId + "\r\n"
            + "CSeq: 1 OPTIONS\r\n"
            + "Contact: <sip:probe@127.0.0.1:" + localPort + ">\r\n"
            + "Accept: application/sdp\r\n"
            + "User-Agent: sbc-system-test\r\n"
            + "Content-Length: 0\r\n\r\n";
    return new Request(callId, branch, tag, raw);
  }

  /**
   * Sends one OPTIONS and returns the first final response with its Call-ID (provisional ones are
   * skipped), or null when none arrives within the timeout.
   */
  static Exchange send(String host, int port, Duration timeout) throws IOException {
    try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      Request req = request(host, port, socket.getLocalPort());
      byte[] out = req.raw().getBytes(StandardCharsets.UTF_8);
      socket.send(new DatagramPacket(out, out.length, new InetSocketAddress(host, port)));
      long deadline = System.nanoTime() + timeout.toNanos();
      byte[] buf = new byte[65535];
      while (true) {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
          return new Exchange(req, null);
        }
        socket.setSoTimeout((int) Math.max(1, left));
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        try {
          socket.receive(p);
        } catch (SocketTimeoutException e) {
          return new Exchange(req, null);
        } catch (IOException e) {
          // e.g. ICMP port unreachable surfaced as PortUnreachableException: nobody listens yet
          return new Exchange(req, null);
        }
        Response r = parse(new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8));
        if (r != null && req.callId().equals(r.header("call-id")) && r.status() >= 200) {
          return new Exchange(req, r);
        }
      }
    }
  }

  record Exchange(Request request, Response response) {}

  /** True as soon as an OPTIONS to host:port gets a 200; retries until the timeout. */
  static boolean awaitOk(String host, int port, Duration timeout, java.util.function.BooleanSupplier keepTrying)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline && keepTrying.getAsBoolean()) {
      Exchange e = send(host, port, Duration.ofMillis(500));
      if (e.response() != null && e.response().status() == 200) {
        return true;
      }
      Thread.sleep(200);
    }
    return false;
  }

  static Response parse(String raw) {
    if (!raw.startsWith("SIP/2.0 ")) {
      return null;
    }
    String[] lines = raw.split("\r\n|\n");
    String statusLine = lines[0];
    int status;
    try {
      status = Integer.parseInt(statusLine.substring(8, 11));
    } catch (RuntimeException e) {
      return null;
    }
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length && !lines[i].isEmpty(); i++) {
      int colon = lines[i].indexOf(':');
      if (colon <= 0) {
        continue;
      }
      String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
      name = COMPACT.getOrDefault(name, name);
      headers.putIfAbsent(name, lines[i].substring(colon + 1).trim());
    }
    return new Response(status, statusLine, headers, raw);
  }
}
