package io.sbc.systemtest;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real RTPengine (Debian package rtpengine-daemon) in userspace, started by a test on loopback
 * with its own ng port, CLI port and RTP range, and stopped by its PID ({@link ManagedProcess}).
 * Sessions are deleted at once ({@code --delete-delay=0}), so its list tells what it holds now.
 */
final class RtpEngine implements AutoCloseable {
  private static int block;

  final String address;
  final int ngPort;
  final int cliPort;
  private final ManagedProcess process;

  private RtpEngine(String address, int ngPort, int cliPort, ManagedProcess process) {
    this.address = address;
    this.ngPort = ngPort;
    this.cliPort = cliPort;
    this.process = process;
  }

  /** Starts it relaying on {@code address}; waits until its ng socket answers ping. */
  static synchronized RtpEngine start(Path workDir, String name, String address) throws Exception {
    int ng = EdgeTest.freeUdpPort("127.0.0.1");
    int cli;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      cli = s.getLocalPort();
    }
    int min = 50_000 + (block++ % 20) * 300;
    Path dir = workDir.resolve(name);
    List<String> cmd =
        List.of(
            "rtpengine",
            "--config-file=none",
            "--table=-1",
            "--interface=" + address,
            "--listen-ng=127.0.0.1:" + ng,
            "--listen-cli=127.0.0.1:" + cli,
            "--port-min=" + min,
            "--port-max=" + (min + 299),
            "--delete-delay=0",
            "--num-threads=1",
            "--foreground",
            "--log-stderr",
            "--log-level=6",
            "--pidfile=" + dir.resolve("rtpengine.pid"));
    ManagedProcess p = new ManagedProcess(name, cmd, dir, dir.resolve("rtpengine.log"));
    RtpEngine r = new RtpEngine(address, ng, cli, p);
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new IllegalStateException(
            "rtpengine exited (apt-get install rtpengine-daemon):\n" + p.logTail(20));
      }
      if (r.pings()) {
        return r;
      }
      Thread.sleep(50);
    }
    p.close();
    throw new IllegalStateException("rtpengine did not answer ping:\n" + p.logTail(20));
  }

  String ng() {
    return "127.0.0.1:" + ngPort;
  }

  boolean pings() {
    try (DatagramSocket s = new DatagramSocket()) {
      s.setSoTimeout(200);
      byte[] q = "p1 d7:command4:pinge".getBytes(StandardCharsets.ISO_8859_1);
      s.send(new DatagramPacket(q, q.length, new InetSocketAddress("127.0.0.1", ngPort)));
      byte[] buf = new byte[256];
      DatagramPacket in = new DatagramPacket(buf, buf.length);
      s.receive(in);
      return new String(buf, 0, in.getLength(), StandardCharsets.ISO_8859_1).contains("pong");
    } catch (IOException e) {
      return false;
    }
  }

  /** The Call-IDs it holds now, from its CLI ("list sessions all"). */
  List<String> sessions() throws IOException {
    try (Socket s = new Socket("127.0.0.1", cliPort)) {
      s.setSoTimeout(2000);
      OutputStream out = s.getOutputStream();
      out.write("list sessions all\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      s.shutdownOutput();
      InputStream in = s.getInputStream();
      String text = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
      List<String> ids = new ArrayList<>();
      for (String line : text.split("\n")) {
        if (line.startsWith("callid:")) {
          int bar = line.indexOf('|');
          ids.add(line.substring("callid:".length(), bar < 0 ? line.length() : bar).trim());
        }
      }
      return ids;
    }
  }

  /** Waits until it holds no session; returns what it still holds after {@code max}. */
  List<String> awaitEmpty(Duration max) throws Exception {
    long deadline = System.nanoTime() + max.toNanos();
    List<String> now = sessions();
    while (!now.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(100);
      now = sessions();
    }
    return now;
  }

  String logTail() {
    return process.logTail(30);
  }

  @Override
  public void close() throws InterruptedException {
    process.close();
  }
}
