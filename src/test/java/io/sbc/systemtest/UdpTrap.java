package io.sbc.systemtest;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A backend that must not be used: it records every SIP request it receives (first line and
 * Call-ID) and answers OPTIONS with 200 (so that health probes from the proxy keep it "up"), but
 * nothing else.
 */
final class UdpTrap implements AutoCloseable {

  record Received(String method, String requestLine, String callId) {}

  private final DatagramSocket socket;
  private final Thread thread;
  private final List<Received> received = new ArrayList<>();

  UdpTrap(int port) throws SocketException {
    socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", port));
    thread = new Thread(this::loop, "udp-trap-" + port);
    thread.setDaemon(true);
    thread.start();
  }

  private void loop() {
    byte[] buf = new byte[65535];
    while (!socket.isClosed()) {
      DatagramPacket p = new DatagramPacket(buf, buf.length);
      try {
        socket.receive(p);
      } catch (IOException e) {
        return;
      }
      String msg = new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
      if (msg.isBlank() || msg.startsWith("SIP/2.0")) {
        continue; // keep-alives and responses
      }
      String[] lines = msg.split("\r\n|\n");
      String method = lines[0].split(" ", 2)[0];
      String callId = null;
      StringBuilder reply = new StringBuilder("SIP/2.0 200 OK\r\n");
      for (String l : lines) {
        if (l.isEmpty()) {
          break;
        }
        String lower = l.toLowerCase();
        if (lower.startsWith("call-id:") || lower.startsWith("i:")) {
          callId = l.substring(l.indexOf(':') + 1).trim();
          reply.append(l).append("\r\n");
        } else if (lower.startsWith("via:") || lower.startsWith("v:") || lower.startsWith("from:")
            || lower.startsWith("f:") || lower.startsWith("cseq:")) {
          reply.append(l).append("\r\n");
        } else if (lower.startsWith("to:") || lower.startsWith("t:")) {
          reply.append(l).append(l.contains(";tag=") ? "" : ";tag=trap").append("\r\n");
        }
      }
      synchronized (received) {
        received.add(new Received(method, lines[0], callId));
      }
      if (method.equals("OPTIONS")) {
        byte[] out = reply.append("Content-Length: 0\r\n\r\n").toString()
            .getBytes(StandardCharsets.UTF_8);
        try {
          socket.send(new DatagramPacket(out, out.length, p.getSocketAddress()));
        } catch (IOException e) {
          // the prober went away
        }
      }
    }
  }

  /** Requests other than OPTIONS. */
  List<Received> calls() {
    synchronized (received) {
      return received.stream().filter(r -> !r.method().equals("OPTIONS")).toList();
    }
  }

  List<Received> all() {
    synchronized (received) {
      return List.copyOf(received);
    }
  }

  @Override
  public void close() throws InterruptedException {
    socket.close();
    thread.join(2000);
  }
}
