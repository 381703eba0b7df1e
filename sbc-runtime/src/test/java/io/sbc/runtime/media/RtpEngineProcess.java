package io.sbc.runtime.media;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real RTPengine (Debian package rtpengine-daemon) in userspace on loopback, started by a test
 * with its own ng and CLI ports and RTP port range, and stopped by its PID.
 */
final class RtpEngineProcess implements AutoCloseable {
  private static int nextPortBlock = 0;

  final String address;
  final int ngPort;
  final int cliPort;
  final Path log;
  private final Process process;

  private RtpEngineProcess(String address, int ngPort, int cliPort, Path log, Process process) {
    this.address = address;
    this.ngPort = ngPort;
    this.cliPort = cliPort;
    this.log = log;
    this.process = process;
  }

  /** Starts RTPengine relaying on {@code address} and waits until its ng socket answers ping. */
  static RtpEngineProcess start(String address) throws Exception {
    return start(address, freeUdpPort());
  }

  /** The same, with its ng socket on {@code ng} (a restart where the SBC expects it). */
  static synchronized RtpEngineProcess start(String address, int ng) throws Exception {
    int cli = freeTcpPort();
    // A distinct RTP range per instance in this JVM (tests run one class at a time).
    int block = nextPortBlock++ % 20;
    int min = 42_000 + block * 300;
    Path dir = Files.createTempDirectory("rtpengine");
    Path log = dir.resolve("rtpengine.log");
    List<String> cmd = new ArrayList<>();
    cmd.add("rtpengine");
    cmd.add("--config-file=none");
    cmd.add("--table=-1");
    // Several interfaces, comma-separated ("internal/127.0.0.6,external/127.0.0.7").
    for (String i : address.split(",")) {
      cmd.add("--interface=" + i);
    }
    cmd.add("--listen-ng=127.0.0.1:" + ng);
    cmd.add("--listen-cli=127.0.0.1:" + cli);
    cmd.add("--port-min=" + min);
    cmd.add("--port-max=" + (min + 199));
    cmd.add("--delete-delay=0");
    cmd.add("--num-threads=1");
    cmd.add("--foreground");
    cmd.add("--log-stderr");
    cmd.add("--log-level=6");
    cmd.add("--pidfile=" + dir.resolve("rtpengine.pid"));
    Process p;
    try {
      p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot start rtpengine (apt-get install rtpengine-daemon; test.sh installs it)", e);
    }
    RtpEngineProcess r = new RtpEngineProcess(address, ng, cli, log, p);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new IllegalStateException("rtpengine exited: " + Files.readString(log));
      }
      if (r.pings()) {
        return r;
      }
      Thread.sleep(50);
    }
    r.close();
    throw new IllegalStateException("rtpengine did not answer ping: " + Files.readString(log));
  }

  String ng() {
    return "127.0.0.1:" + ngPort;
  }

  long pid() {
    return process.pid();
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
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return false;
    }
  }

  /** The Call-IDs RTPengine holds now (its CLI's "list sessions all"). */
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

  /** Stops it by its PID (SIGTERM, then SIGKILL) and waits until it is gone. */
  @Override
  public void close() {
    ProcessHandle h = process.toHandle();
    h.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        h.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static int freeUdpPort() throws IOException {
    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      return s.getLocalPort();
    }
  }

  private static int freeTcpPort() throws IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
