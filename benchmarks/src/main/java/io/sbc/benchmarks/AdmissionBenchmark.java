package io.sbc.benchmarks;

import io.sbc.api.Defaults;
import io.sbc.runtime.routing.CidrSet;
import io.sbc.runtime.sip.admission.SourceGuard;
import io.sbc.runtime.sip.admission.SourcePolicy;
import io.sbc.runtime.sip.message.SipLimits;
import io.sbc.runtime.sip.message.SipMessage;
import io.sbc.runtime.sip.message.SipMessageDecoder;
import io.sbc.runtime.sip.timer.Clock;
import io.sbc.runtime.sip.transport.Listener;
import io.sbc.runtime.sip.transport.Loop;
import io.sbc.runtime.sip.transport.Protocol;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What admission before parsing costs a legitimate INVITE (anti-flood bucket and scanner User-Agent
 * search, on the same bytes the decoder gets) next to decoding it, and what refusing a banned
 * source's request costs. Run with {@code bench/jmh.sh AdmissionBenchmark}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class AdmissionBenchmark {
  static final String INVITE =
      "INVITE sip:+15551234567@sbc.example.com SIP/2.0\r\n"
          + "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport\r\n"
          + "Max-Forwards: 70\r\n"
          + "From: \"Alice\" <sip:alice@example.com>;tag=1928301774\r\n"
          + "To: <sip:+15551234567@sbc.example.com>\r\n"
          + "Call-ID: a84b4c76e66710@pc33.example.com\r\n"
          + "CSeq: 314159 INVITE\r\n"
          + "Contact: <sip:alice@192.0.2.10:5060>\r\n"
          + "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS\r\n"
          + "Supported: replaces, timer\r\n"
          + "User-Agent: Acme SoftPhone 4.2.1\r\n"
          + "Content-Type: application/sdp\r\n"
          + "Content-Length: 142\r\n\r\n"
          + "v=0\r\no=alice 2890844526 2890844526 IN IP4 192.0.2.10\r\ns=-\r\n"
          + "c=IN IP4 192.0.2.10\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

  byte[] invite;
  SipMessageDecoder decoder;
  SourceGuard guard;
  SourceGuard open;
  Loop loop;
  Listener udp;
  InetAddress caller;
  InetAddress flooder;

  @Setup
  public void setup() throws Exception {
    invite = INVITE.getBytes(StandardCharsets.ISO_8859_1);
    decoder = new SipMessageDecoder(SipLimits.DEFAULT);
    loop = Loop.driven(0, Runnable::run, () -> true, Clock.SYSTEM);
    udp = new Listener("udp", Protocol.UDP, new InetSocketAddress("127.0.0.1", 5060), null);
    caller = InetAddress.getByName("192.0.2.10");
    flooder = InetAddress.getByName("198.51.100.7");
    guard =
        new SourceGuard(
            1,
            Defaults.ANTI_FLOOD_TRACKED_SOURCES,
            new SourcePolicy(
                Map.of(),
                // Far above what one thread can send: every request finds a token (the run
                // measures admission, not refusals).
                new SourcePolicy.AntiFlood(
                    1_000_000_000, 1_000_000_000, 600, CidrSet.of(List.of())),
                Defaults.SCANNER_USER_AGENTS),
            Clock.SYSTEM);
    open =
        new SourceGuard(
            1, 1024, new SourcePolicy(Map.of(), null, Defaults.SCANNER_USER_AGENTS), Clock.SYSTEM);
    // The flooder is banned for the whole run.
    SourceGuard strict =
        new SourceGuard(
            1,
            1024,
            new SourcePolicy(
                Map.of(),
                new SourcePolicy.AntiFlood(1, 1, 3600, CidrSet.of(List.of())),
                Defaults.SCANNER_USER_AGENTS),
            Clock.SYSTEM);
    strict.admitMessage(loop, udp, flooder, invite);
    strict.admitMessage(loop, udp, flooder, invite);
    banned = strict;
  }

  SourceGuard banned;

  /** Anti-flood (a bucket that never runs dry) and the scanner search, for a caller's INVITE. */
  @Benchmark
  public boolean admitWithAntiFloodAndScanners() {
    if (!guard.admitMessage(loop, udp, caller, invite)) {
      throw new IllegalStateException("refused: the run would measure refusals");
    }
    return true;
  }

  /** The defaults: no anti-flood, scanners blocked (the User-Agent search only). */
  @Benchmark
  public boolean admitWithScannersOnly() {
    return open.admitMessage(loop, udp, caller, invite);
  }

  /** A banned source's request: refused from its address, the bytes never read. */
  @Benchmark
  public boolean refuseBanned() {
    return banned.admitMessage(loop, udp, flooder, invite);
  }

  /** What the same INVITE costs to decode (the next step of an admitted message). */
  @Benchmark
  public SipMessage decode() {
    return decoder.decode(invite, invite.length, false);
  }
}
