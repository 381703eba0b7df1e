package io.sbc.runtime.sip.locate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoop;
import io.netty.channel.nio.NioEventLoopGroup;
import io.sbc.runtime.sip.timer.Clock;
import io.sbc.runtime.sip.transport.Listener;
import io.sbc.runtime.sip.transport.Loop;
import io.sbc.runtime.sip.transport.Protocol;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Netty's DNS client on an event loop against a real name server (dnsmasq, started here on a
 * loopback port and stopped by its PID): NAPTR, SRV and A records decoded, a name without records
 * told apart from a server that does not answer, every answer on the loop that asked.
 */
class NettyDnsClientTest {
  static final String DNSMASQ = "/usr/sbin/dnsmasq";

  @TempDir Path dir;
  NioEventLoopGroup group;
  Loop loop;
  Process dnsmasq;
  int port;

  @BeforeEach
  void start() throws Exception {
    assertTrue(
        Files.isExecutable(Path.of(DNSMASQ)),
        DNSMASQ + " is missing: apt-get install dnsmasq-base (./test.sh does it)");
    port = freeUdpPort();
    dnsmasq =
        new ProcessBuilder(
                DNSMASQ,
                "--no-daemon",
                "--port=" + port,
                "--listen-address=127.0.0.1",
                "--bind-interfaces",
                "--no-resolv",
                "--no-hosts",
                "--conf-file=/dev/null",
                "--local=/test/",
                "--local-ttl=42",
                "--user=" + System.getProperty("user.name"),
                "--pid-file=" + dir.resolve("dnsmasq.pid"),
                "--naptr-record=example.test,10,20,S,SIP+D2U,,_sip._udp.example.test",
                "--naptr-record=example.test,20,20,S,SIP+D2T,,_sip._tcp.example.test",
                "--srv-host=_sip._udp.example.test,sip1.example.test,5070,10,60",
                "--srv-host=_sip._udp.example.test,sip2.example.test,5080,20,0",
                "--host-record=sip1.example.test,192.0.2.1",
                "--host-record=sip2.example.test,192.0.2.2,2001:db8::2")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("dnsmasq.log").toFile())
            .start();
    long end = System.nanoTime() + 10_000_000_000L;
    while (!bound(port)) {
      assertTrue(
          dnsmasq.isAlive(), "dnsmasq exited: " + Files.readString(dir.resolve("dnsmasq.log")));
      assertTrue(System.nanoTime() < end, "dnsmasq did not bind its port");
      Thread.sleep(20);
    }
    group = new NioEventLoopGroup(1);
    loop = new Loop(0, (EventLoop) group.next(), null, Clock.SYSTEM);
  }

  @AfterEach
  void stop() throws Exception {
    if (group != null) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
    if (dnsmasq != null) {
      dnsmasq.destroy(); // by its own PID
      assertTrue(dnsmasq.waitFor(10, TimeUnit.SECONDS));
    }
  }

  static int freeUdpPort() throws SocketException {
    try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  static boolean bound(int port) {
    try (DatagramSocket s = new DatagramSocket(null)) {
      s.bind(new InetSocketAddress("127.0.0.1", port));
      return false;
    } catch (SocketException e) {
      return true;
    }
  }

  NettyDnsClient client(int serverPort) {
    return new NettyDnsClient(
        List.of(loop),
        new DnsSettings(List.of(new InetSocketAddress("127.0.0.1", serverPort)), 500, 30));
  }

  /** Asks on the loop and waits for the answer, checking it came on the loop. */
  DnsAnswer ask(DnsClient c, String name, RecordType type) throws Exception {
    CompletableFuture<DnsAnswer> f = new CompletableFuture<>();
    loop.eventLoop()
        .execute(
            () ->
                c.ask(
                    name,
                    type,
                    loop,
                    a -> {
                      if (!loop.eventLoop().inEventLoop()) {
                        f.completeExceptionally(new AssertionError("answer off the loop"));
                      }
                      f.complete(a);
                    }));
    return f.get(10, TimeUnit.SECONDS);
  }

  @Test
  void naptrSrvAndAddressRecordsAreDecoded() throws Exception {
    try (NettyDnsClient c = client(port)) {
      DnsAnswer naptr = ask(c, "example.test", RecordType.NAPTR);
      assertEquals(
          List.of(
              new NaptrRecord(10, 20, "S", "SIP+D2U", "_sip._udp.example.test."),
              new NaptrRecord(20, 20, "S", "SIP+D2T", "_sip._tcp.example.test.")),
          sorted(naptr.records()));
      assertEquals(42, naptr.ttlSeconds());
      DnsAnswer srv = ask(c, "_sip._udp.example.test.", RecordType.SRV);
      assertEquals(
          List.of(
              new SrvRecord(10, 60, 5070, "sip1.example.test."),
              new SrvRecord(20, 0, 5080, "sip2.example.test.")),
          sorted(srv.records()));
      DnsAnswer a = ask(c, "sip2.example.test.", RecordType.A);
      assertEquals(
          List.of(InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, 2})), a.records());
      DnsAnswer aaaa = ask(c, "sip2.example.test.", RecordType.AAAA);
      assertEquals(1, aaaa.records().size());
      assertEquals("2001:db8:0:0:0:0:0:2", ((InetAddress) aaaa.records().get(0)).getHostAddress());
      DnsAnswer none = ask(c, "nowhere.test", RecordType.A);
      assertEquals(List.of(), none.records());
      assertFalse(none.temporary(), "NXDOMAIN is an answer: " + none);
      assertNotNull(none.problem());
    }
  }

  @Test
  void aServerThatDoesNotAnswerIsATemporaryFailure() throws Exception {
    try (DatagramSocket silent = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        NettyDnsClient c = client(silent.getLocalPort())) {
      DnsAnswer a = ask(c, "example.test", RecordType.A);
      assertEquals(List.of(), a.records());
      assertTrue(a.temporary(), a.toString());
    }
  }

  @Test
  void theResolverOverTheClientGivesTheRfc3263Hops() throws Exception {
    Listener udp =
        new Listener("udp", Protocol.UDP, new InetSocketAddress("127.0.0.1", 5060), null);
    try (NettyDnsClient c = client(port)) {
      DnsResolver r =
          new DnsResolver(
              c, DnsSettings.DEFAULT, List.of(udp), Clock.SYSTEM, ThreadLocalRandom::current);
      CompletableFuture<List<Hop>> f = new CompletableFuture<>();
      loop.eventLoop()
          .execute(
              () ->
                  r.resolve(
                      new UriTarget("example.test", -1, null, false),
                      loop,
                      (hops, problem) -> f.complete(hops)));
      List<String> hops = new ArrayList<>();
      for (Hop h : f.get(10, TimeUnit.SECONDS)) {
        hops.add(
            h.protocol()
                + " "
                + h.address().getAddress().getHostAddress()
                + ":"
                + h.address().getPort());
      }
      assertEquals(List.of("UDP 192.0.2.1:5070", "UDP 192.0.2.2:5080"), hops);
    }
  }

  @Test
  void resolvConfNameservers() throws IOException {
    Path f = dir.resolve("resolv.conf");
    Files.writeString(
        f,
        "# comment\nsearch example.com\nnameserver 10.0.0.53\nnameserver\t::1\n"
            + "nameserver fe80::1%eth0\nnameserverx 10.9.9.9\noptions ndots:2\n");
    assertEquals(
        List.of(new InetSocketAddress("10.0.0.53", 53), new InetSocketAddress("::1", 53)),
        NettyDnsClient.nameServers(f));
    assertEquals(List.of(), NettyDnsClient.nameServers(dir.resolve("missing")));
  }

  private static List<Object> sorted(List<Object> records) {
    List<Object> l = new ArrayList<>(records);
    l.sort(
        (x, y) ->
            x instanceof SrvRecord s
                ? Integer.compare(s.priority(), ((SrvRecord) y).priority())
                : Integer.compare(((NaptrRecord) x).order(), ((NaptrRecord) y).order()));
    return l;
  }
}
