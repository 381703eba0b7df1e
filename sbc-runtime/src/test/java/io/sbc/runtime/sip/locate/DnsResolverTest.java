package io.sbc.runtime.sip.locate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sbc.runtime.sip.timer.ManualClock;
import io.sbc.runtime.sip.transport.Listener;
import io.sbc.runtime.sip.transport.Loop;
import io.sbc.runtime.sip.transport.Protocol;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * RFC 3263 resolution over an in-memory zone: which questions are asked in which order, the hops
 * that come out, what the cache keeps and for how long (a manual clock), and that every answer
 * comes exactly once.
 */
class DnsResolverTest {
  static final Listener UDP =
      new Listener("udp", Protocol.UDP, new InetSocketAddress("127.0.0.1", 5060), null);
  static final Listener TCP =
      new Listener("tcp", Protocol.TCP, new InetSocketAddress("127.0.0.1", 5060), null);

  static final Listener TLS =
      new Listener("tls", Protocol.TLS, new InetSocketAddress("127.0.0.1", 5061), null);

  final ManualClock clock = new ManualClock(1_000_000);
  final Loop loop = new Loop(0, null, null, clock);
  final Zone zone = new Zone();
  DnsResolver resolver = resolver(List.of(UDP, TCP), 42);

  DnsResolver resolver(List<Listener> listeners, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    return new DnsResolver(zone, DnsSettings.DEFAULT, listeners, clock, () -> r);
  }

  /** What one resolution answered, and how often. */
  static final class Result {
    List<Hop> hops;
    String problem;
    int answers;

    NextHopResolver.Answer answer() {
      return (h, p) -> {
        hops = h;
        problem = p;
        answers++;
      };
    }

    List<String> hops() {
      List<String> r = new ArrayList<>();
      for (Hop h : hops) {
        r.add(
            h.protocol()
                + " "
                + h.address().getAddress().getHostAddress()
                + ":"
                + h.address().getPort());
      }
      return r;
    }
  }

  Result resolve(String host, int port, Protocol p) {
    Result r = new Result();
    resolver.resolve(new UriTarget(host, port, p, false), loop, r.answer());
    return r;
  }

  /** The example domain: NAPTR for UDP and TCP, SRV with two priorities, A records. */
  void exampleZone() {
    zone.naptr(
            "example.test",
            3600,
            new NaptrRecord(10, 10, "s", "SIP+D2U", "_sip._udp.example.test."),
            new NaptrRecord(20, 10, "s", "SIP+D2T", "_sip._tcp.example.test."),
            new NaptrRecord(5, 10, "s", "SIPS+D2T", "_sips._tcp.example.test."))
        .srv(
            "_sip._udp.example.test.",
            300,
            new SrvRecord(20, 0, 5080, "b.example.test."),
            new SrvRecord(10, 0, 5070, "a.example.test."))
        .srv("_sip._tcp.example.test.", 300, new SrvRecord(10, 0, 5090, "c.example.test."))
        .a("a.example.test.", 60, "192.0.2.1")
        .a("b.example.test.", 60, "192.0.2.2")
        .a("c.example.test.", 60, "192.0.2.3");
  }

  @Test
  void anIpLiteralIsAnsweredAtOnceWithoutAQuestion() {
    Result r = resolve("192.0.2.9", -1, null);
    assertEquals(List.of("UDP 192.0.2.9:5060"), r.hops());
    assertEquals(1, r.answers);
    assertEquals(List.of(), zone.asked());
  }

  @Test
  void aPeersHostWithAnUnderscoreIsResolvedButNotGarbage() {
    zone.a("pbx_1.example.test", 60, "192.0.2.40");
    assertEquals(List.of("UDP 192.0.2.40:5060"), resolve("pbx_1.example.test", 5060, null).hops());
    Result r = resolve("bad host", 5060, null);
    assertEquals(List.of(), r.hops);
    assertTrue(r.problem.contains("neither an IP address nor a host name"), r.problem);
  }

  @Test
  void localhostIsTheLoopbackAddressWithoutAQuestion() {
    Result r = resolve("localhost", 5090, null);
    assertEquals(List.of("UDP 127.0.0.1:5090"), r.hops());
    assertEquals(1, r.answers);
    r = resolve("pbx.LOCALHOST", -1, Protocol.TCP);
    assertEquals(List.of("TCP 127.0.0.1:5060"), r.hops());
    assertEquals(List.of(), zone.asked());
  }

  @Test
  void naptrThenSrvThenAddressesInPriorityOrder() {
    exampleZone();
    zone.hold();
    Result r = resolve("example.test", -1, null);
    assertEquals(0, r.answers, "nothing is known yet: the answer comes later");
    assertEquals(List.of("NAPTR example.test"), zone.asked());
    zone.releaseOnce();
    // SIPS+D2T needs TLS, which is not served: its SRV name is never asked.
    assertEquals(
        List.of("SRV _sip._udp.example.test.", "SRV _sip._tcp.example.test."), zone.asked());
    zone.releaseOnce();
    assertEquals(
        List.of("A a.example.test.", "A b.example.test.", "A c.example.test."), zone.asked());
    assertEquals(0, r.answers);
    zone.releaseOnce();
    assertEquals(1, r.answers);
    assertNull(r.problem);
    // NAPTR order (UDP before TCP), then SRV priority within each.
    assertEquals(
        List.of("UDP 192.0.2.1:5070", "UDP 192.0.2.2:5080", "TCP 192.0.2.3:5090"), r.hops());
    assertEquals("example.test", r.hops.get(0).name(), "hops carry the domain they came from");

    Result again = resolve("example.test", -1, null);
    assertEquals(1, again.answers, "cached: answered before resolve returns");
    assertEquals(r.hops(), again.hops());
    assertEquals(List.of(), zone.asked());
  }

  @Test
  void answersAreKeptForTheirTtlOnly() {
    exampleZone();
    zone.hold();
    resolve("example.test", -1, null);
    zone.release();
    zone.asked();
    clock.advance(59_999);
    assertEquals(1, resolve("example.test", -1, null).answers);
    assertEquals(List.of(), zone.asked());
    clock.advance(1); // the A records (TTL 60) are stale, NAPTR (3600) and SRV (300) are not
    Result r = resolve("example.test", -1, null);
    assertEquals(0, r.answers);
    assertEquals(
        List.of("A a.example.test.", "A b.example.test.", "A c.example.test."), zone.asked());
    zone.release();
    assertEquals(1, r.answers);
    assertEquals(3, r.hops.size());
    clock.advance(300_000); // SRV stale too
    r = resolve("example.test", -1, null);
    assertEquals(
        List.of("SRV _sip._udp.example.test.", "SRV _sip._tcp.example.test."), zone.asked());
    zone.release();
    assertEquals(1, r.answers);
  }

  @Test
  void aTtlOfZeroServesTheLookupInProgressOnly() {
    zone.a("zero.test", 0, "192.0.2.7");
    Result r = resolve("zero.test", 5070, null);
    assertEquals(List.of("UDP 192.0.2.7:5070"), r.hops());
    assertEquals(List.of("A zero.test"), zone.asked());
    resolve("zero.test", 5070, null);
    assertEquals(List.of("A zero.test"), zone.asked(), "asked again: nothing kept");
  }

  @Test
  void aNameWithoutRecordsIsRememberedForTheNegativePeriod() {
    Result r = resolve("nowhere.test", -1, null);
    assertEquals(1, r.answers);
    assertEquals(List.of(), r.hops);
    assertNotNull(r.problem);
    assertTrue(r.problem.contains("nowhere.test"), r.problem);
    // No NAPTR: SRV for each transport served; no SRV: A at the default port.
    assertEquals(
        List.of(
            "NAPTR nowhere.test",
            "SRV _sip._udp.nowhere.test",
            "SRV _sip._tcp.nowhere.test",
            "A nowhere.test"),
        zone.asked());
    clock.advance(29_999);
    Result again = resolve("nowhere.test", -1, null);
    assertEquals(1, again.answers);
    assertEquals(r.problem, again.problem);
    assertEquals(List.of(), zone.asked(), "negative answers cached (RFC 2308)");
    clock.advance(1);
    resolve("nowhere.test", -1, null);
    assertEquals(4, zone.asked().size());
  }

  @Test
  void anUnansweredQuestionIsAskedAgainAfterFiveSeconds() {
    zone.silent("down.test", RecordType.A);
    Result r = resolve("down.test", 5060, null);
    assertEquals(List.of(), r.hops);
    assertTrue(r.problem.contains("no answer"), r.problem);
    assertEquals(List.of("A down.test"), zone.asked());
    clock.advance(4_999);
    resolve("down.test", 5060, null);
    assertEquals(List.of(), zone.asked());
    clock.advance(1);
    resolve("down.test", 5060, null);
    assertEquals(List.of("A down.test"), zone.asked());
  }

  @Test
  void withoutNaptrTheSrvOfEachTransportInOrderThenTheHostsAddresses() {
    zone.srv("_sip._tcp.pbx.test", 60, new SrvRecord(1, 0, 5061, "pbx1.pbx.test."))
        .a("pbx1.pbx.test.", 60, "192.0.2.11")
        .a("pbx.test", 60, "192.0.2.99");
    Result r = resolve("pbx.test", -1, null);
    assertEquals(List.of("TCP 192.0.2.11:5061"), r.hops(), "SRV found: the host's A is not used");
    zone.a("plain.test", 60, "192.0.2.12", "192.0.2.13");
    r = resolve("plain.test", -1, null);
    assertEquals(List.of("UDP 192.0.2.12:5060", "UDP 192.0.2.13:5060"), r.hops());
  }

  @Test
  void aPortMeansAddressesOnlyAndATransportMeansItsSrv() {
    exampleZone();
    zone.a("example.test", 60, "192.0.2.50");
    Result r = resolve("example.test", 5099, Protocol.TCP);
    assertEquals(List.of("TCP 192.0.2.50:5099"), r.hops());
    assertEquals(List.of("A example.test"), zone.asked(), "RFC 3263 4.2: no NAPTR, no SRV");
    r = resolve("example.test", -1, Protocol.TCP);
    assertEquals(List.of("TCP 192.0.2.3:5090"), r.hops());
    assertEquals(List.of("SRV _sip._tcp.example.test", "A c.example.test."), zone.asked());
    zone.a("nosrv.test", 60, "192.0.2.51");
    r = resolve("nosrv.test", -1, Protocol.UDP);
    assertEquals(List.of("UDP 192.0.2.51:5060"), r.hops());
    assertEquals(List.of("SRV _sip._udp.nosrv.test", "A nosrv.test"), zone.asked());
  }

  @Test
  void onlyServedTransportsAndFamilies() {
    exampleZone();
    zone.a("a.example.test.", 60, "2001:db8::1"); // AAAA: no IPv6 listener, never asked
    resolver = resolver(List.of(UDP), 1);
    Result r = resolve("example.test", -1, null);
    assertEquals(List.of("UDP 192.0.2.1:5070", "UDP 192.0.2.2:5080"), r.hops());
    assertTrue(zone.asked().stream().noneMatch(q -> q.startsWith("AAAA") || q.contains("_tcp")));
    r = resolve("example.test", -1, Protocol.TCP);
    assertEquals(List.of(), r.hops);
    assertTrue(r.problem.contains("no TCP listener"), r.problem);
    r = new Result();
    resolver.resolve(new UriTarget("example.test", -1, null, true), loop, r.answer());
    assertTrue(r.problem.contains("sips:"), r.problem);
  }

  @Test
  void aSipsUriTakesOnlyTheSipsNaptrRecordsAndKeepsTheDomainAsTheTlsName() {
    exampleZone();
    zone.srv("_sips._tcp.example.test.", 300, new SrvRecord(10, 0, 5071, "a.example.test."));
    resolver = resolver(List.of(UDP, TCP, TLS), 1);
    Result r = new Result();
    resolver.resolve(new UriTarget("example.test", -1, null, true), loop, r.answer());
    assertEquals(List.of("TLS 192.0.2.1:5071"), r.hops());
    // RFC 5922 7.2: the certificate is checked against the URI's domain, not the SRV target.
    assertEquals("example.test", r.hops.get(0).name());
    assertTrue(zone.asked().stream().noneMatch(q -> q.contains("_sip._")), zone.asked().toString());
  }

  @Test
  void aSipsUriWithoutNaptrOrSrvIsTlsOnPort5061() {
    zone.a("pbx.example.test.", 60, "192.0.2.50");
    resolver = resolver(List.of(UDP, TLS), 1);
    Result r = new Result();
    resolver.resolve(new UriTarget("pbx.example.test", -1, null, true), loop, r.answer());
    assertEquals(List.of("TLS 192.0.2.50:5061"), r.hops());
    assertTrue(zone.asked().contains("SRV _sips._tcp.pbx.example.test"), zone.asked().toString());
    assertTrue(zone.asked().stream().noneMatch(q -> q.contains("_sip._")), zone.asked().toString());
  }

  @Test
  void transportTlsAndSipsLiteralsUseTls() {
    resolver = resolver(List.of(UDP, TLS), 1);
    Result r = new Result();
    resolver.resolve(new UriTarget("192.0.2.7", -1, null, true), loop, r.answer());
    assertEquals(List.of("TLS 192.0.2.7:5061"), r.hops());
    r = new Result();
    resolver.resolve(new UriTarget("192.0.2.7", -1, Protocol.TLS, false), loop, r.answer());
    assertEquals(List.of("TLS 192.0.2.7:5061"), r.hops());
    assertEquals(List.of(), zone.asked());
  }

  @Test
  void aTargetOfDotMeansTheServiceIsNotOffered() {
    zone.srv("_sip._udp.none.test", 60, new SrvRecord(0, 0, 5060, "."))
        .a("none.test", 60, "192.0.2.1");
    Result r = resolve("none.test", -1, Protocol.UDP);
    assertEquals(List.of(), r.hops, "no fallback to the domain's A record");
    assertNotNull(r.problem);
  }

  @Test
  void oneQuestionForManyWaitingLookups() {
    exampleZone();
    zone.hold();
    Result first = resolve("example.test", -1, null);
    Result second = resolve("example.test", -1, null);
    assertEquals(List.of("NAPTR example.test"), zone.asked());
    zone.release();
    assertEquals(1, first.answers);
    assertEquals(1, second.answers);
    assertEquals(first.hops(), second.hops());
    assertEquals(5, zone.asked().size(), "two SRV and three A questions, each asked once");
  }

  @Test
  void sentByWithoutPortUsesTheSrvOfItsTransport() {
    zone.srv("_sip._udp.proxy.test", 60, new SrvRecord(0, 0, 5070, "p1.proxy.test."))
        .a("p1.proxy.test.", 60, "192.0.2.30");
    Result r = new Result();
    resolver.resolveSentBy("proxy.test", -1, Protocol.UDP, loop, r.answer());
    assertEquals(List.of("UDP 192.0.2.30:5070"), r.hops());
  }

  @Test
  void weightsChooseTheFirstTargetInProportionAndASeedReplaysTheOrder() {
    zone.srv(
            "_sip._udp.w.test",
            3600,
            new SrvRecord(10, 60, 5060, "a.w.test."),
            new SrvRecord(10, 20, 5060, "b.w.test."),
            new SrvRecord(10, 20, 5060, "c.w.test."),
            new SrvRecord(20, 100, 5060, "d.w.test."))
        .a("a.w.test.", 3600, "192.0.2.1")
        .a("b.w.test.", 3600, "192.0.2.2")
        .a("c.w.test.", 3600, "192.0.2.3")
        .a("d.w.test.", 3600, "192.0.2.4");
    int[] first = new int[5];
    List<List<String>> orders = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      Result r = resolve("w.test", -1, Protocol.UDP);
      List<String> h = r.hops();
      assertEquals(4, h.size());
      assertEquals("UDP 192.0.2.4:5060", h.get(3), "the higher priority value comes last");
      first[h.get(0).charAt(12) - '0']++;
      if (i < 20) {
        orders.add(h);
      }
    }
    assertTrue(Math.abs(first[1] - 6000) < 300, "a first about 60%: " + first[1]);
    assertTrue(Math.abs(first[2] - 2000) < 300, "b first about 20%: " + first[2]);
    assertTrue(Math.abs(first[3] - 2000) < 300, "c first about 20%: " + first[3]);
    resolver = resolver(List.of(UDP, TCP), 42);
    for (List<String> o : orders) {
      assertEquals(o, resolve("w.test", -1, Protocol.UDP).hops(), "same seed, same orders");
    }
  }

  @Test
  void aLoopHoldsABoundedNumberOfQuestions() {
    zone.hold();
    for (int i = 0; i < DnsResolver.MAX_QUESTIONS_IN_FLIGHT; i++) {
      resolve("n" + i + ".test", 5060, null);
    }
    Result r = resolve("one-more.test", 5060, null);
    assertEquals(1, r.answers, "refused at once, not queued");
    assertTrue(r.problem.contains("too many DNS questions"), r.problem);
    zone.release();
    Result again = resolve("one-more.test", 5060, null);
    assertEquals(
        List.of("A one-more.test"),
        zone.asked()
            .subList(DnsResolver.MAX_QUESTIONS_IN_FLIGHT, DnsResolver.MAX_QUESTIONS_IN_FLIGHT + 1));
    zone.release();
    assertEquals(1, again.answers);
    assertTrue(again.problem.contains("no such records"), again.problem);
  }

  @Test
  void hostileSetsAreBounded() {
    SrvRecord[] many = new SrvRecord[100];
    for (int i = 0; i < many.length; i++) {
      many[i] = new SrvRecord(i, 0, 5060, "h" + i + ".big.test.");
      zone.a("h" + i + ".big.test.", 60, "192.0.2." + (i + 1));
    }
    zone.srv("_sip._udp.big.test", 60, many);
    Result r = resolve("big.test", -1, Protocol.UDP);
    assertEquals(RecordCache.MAX_RECORDS, r.hops.size());
    assertEquals(RecordCache.MAX_RECORDS + 1, zone.asked().size());
  }
}
