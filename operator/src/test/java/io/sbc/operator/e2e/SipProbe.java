package io.sbc.operator.e2e;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.function.BooleanSupplier;

/**
 * A tiny SIP client over UDP (after the system tests' SipOptions): sends {@code OPTIONS
 * sip:HOST:PORT} and waits for a final response with the same Call-ID.
 */
final class SipProbe {
  private SipProbe() {}

  /** The status of the final response to one OPTIONS, or -1 when none arrives in time. */
  static int options(String host, int port, Duration timeout) {
    try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      int local = socket.getLocalPort();
      String id = UUID.randomUUID().toString().replace("-", "");
      String callId = id + "@127.0.0.1";
      String raw =
          "OPTIONS sip:"
              + host
              + ":"
              + port
              + " SIP/2.0\r\n"
              + "Via: SIP/2.0/UDP 127.0.0.1:"
              + local
              + ";branch=z9hG4bK-e2e-"
              + id.substring(0, 12)
              + ";rport\r\n"
              + "Max-Forwards: 70\r\n"
              + "From: <sip:probe@127.0.0.1>;tag="
              + id.substring(12, 20)
              + "\r\n"
              + "To: <sip:"
              + host
              + ":"
              + port
              + ">\r\n"
              + "Call-ID: "
              + callId
              + "\r\n"
              + "CSeq: 1 OPTIONS\r\n"
              + "Contact: <sip:probe@127.0.0.1:"
              + local
              + ">\r\n"
              + "User-Agent: sbc-e2e-test\r\n"
              + "Content-Length: 0\r\n\r\n";
      byte[] out = raw.getBytes(StandardCharsets.UTF_8);
      socket.send(new DatagramPacket(out, out.length, new InetSocketAddress(host, port)));
      long deadline = System.nanoTime() + timeout.toNanos();
      byte[] buf = new byte[65535];
      while (true) {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
          return -1;
        }
        socket.setSoTimeout((int) Math.max(1, left));
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        socket.receive(p);
        String in = new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
        if (in.startsWith("SIP/2.0 ") && in.contains(callId)) {
          int status = Integer.parseInt(in.substring(8, 11));
          if (status >= 200) {
            return status;
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1; // timeout, ICMP port unreachable (nobody listens yet), garbage
    }
  }

  /** True as soon as an OPTIONS to host:port gets a 200; retries until the timeout. */
  static boolean awaitOk(String host, int port, Duration timeout, BooleanSupplier keepTrying)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline && keepTrying.getAsBoolean()) {
      if (options(host, port, Duration.ofMillis(500)) == 200) {
        return true;
      }
      Thread.sleep(200);
    }
    return false;
  }
}
