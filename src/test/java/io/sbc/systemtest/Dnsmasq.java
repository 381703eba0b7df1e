package io.sbc.systemtest;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A real name server for the DNS tests: dnsmasq (Debian package dnsmasq-base) on 127.0.0.1 and a
 * port of {@link Ports#dns()}, answering only from the records the test gives (SRV, NAPTR, A), NXDOMAIN
 * for any other name under {@code .test}, and logging every query it receives. Stopped by its PID.
 */
final class Dnsmasq implements AutoCloseable {
  static final String BINARY = "/usr/sbin/dnsmasq";

  private final List<String> records = new ArrayList<>();
  private int ttl = 60;
  private ManagedProcess process;
  private int port;

  static boolean installed() {
    return java.nio.file.Files.isExecutable(Path.of(BINARY));
  }

  /** An SRV record: {@code _sip._udp.DOMAIN} served by {@code target:port}. */
  Dnsmasq srv(String name, String target, int port, int priority, int weight) {
    records.add("--srv-host=" + name + "," + target + "," + port + "," + priority + "," + weight);
    return this;
  }

  /** A NAPTR record with flag S (RFC 3263: the replacement is an SRV name). */
  Dnsmasq naptr(String name, int order, int preference, String service, String replacement) {
    records.add("--naptr-record=" + name + "," + order + "," + preference + ",S," + service + ",,"
        + replacement);
    return this;
  }

  /** An A (or AAAA) record. */
  Dnsmasq host(String name, String address) {
    records.add("--host-record=" + name + "," + address);
    return this;
  }

  /** The TTL of every answer (dnsmasq's --local-ttl; its default, 0, would forbid caching). */
  Dnsmasq ttl(int seconds) {
    this.ttl = seconds;
    return this;
  }

  /** Starts it in {@code dir}; returns once its port answers. */
  Dnsmasq start(Path dir) throws Exception {
    assertTrue(installed(), BINARY + " is missing: apt-get install dnsmasq-base (./test.sh does it)");
    port = Ports.dns();
    List<String> cmd = new ArrayList<>(List.of(BINARY, "--no-daemon", "--port=" + port,
        "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv", "--no-hosts",
        "--conf-file=/dev/null", "--local=/test/", "--local-ttl=" + ttl, "--log-queries",
        "--log-facility=-", "--user=" + System.getProperty("user.name"),
        "--pid-file=" + dir.resolve("dnsmasq.pid")));
    cmd.addAll(records);
    process = new ManagedProcess("dnsmasq", cmd, dir, dir.resolve("dnsmasq.log"));
    long end = System.nanoTime() + 10_000_000_000L;
    while (!bound(port)) {
      assertTrue(process.isAlive() && System.nanoTime() < end,
          "dnsmasq did not start: " + process.logTail(20));
      Thread.sleep(50);
    }
    return this;
  }

  private static boolean bound(int port) {
    try (DatagramSocket s = new DatagramSocket(null)) {
      s.bind(new InetSocketAddress("127.0.0.1", port));
      return false;
    } catch (SocketException e) {
      return true;
    }
  }

  /** Where the SBC asks: {@code 127.0.0.1:PORT}. */
  String address() {
    return "127.0.0.1:" + port;
  }

  /** The queries it received for this type and name ("query[SRV] _sip._udp.trunk.test"). */
  long queries(String type, String name) {
    String needle = "query[" + type + "] " + name + " ";
    return process.logText().lines().filter(l -> l.contains(needle)).count();
  }

  /** Every query it received. */
  long queries() {
    return process.logText().lines().filter(l -> l.contains(": query[")).count();
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null) {
      process.close();
    }
  }

  @Override
  public String toString() {
    return "dnsmasq " + (process == null ? "(not started)" : process.toString());
  }
}
