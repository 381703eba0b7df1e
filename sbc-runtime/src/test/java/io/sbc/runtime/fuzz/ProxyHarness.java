package io.sbc.runtime.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.sbc.runtime.sip.message.SipLimits;
import io.sbc.runtime.sip.message.SipMessage;
import io.sbc.runtime.sip.message.SipMessageDecoder;
import io.sbc.runtime.sip.proxy.Proxy;
import io.sbc.runtime.sip.proxy.ProxySettings;
import io.sbc.runtime.sip.proxy.Responses;
import io.sbc.runtime.sip.proxy.RouteAction;
import io.sbc.runtime.sip.proxy.Router;
import io.sbc.runtime.sip.proxy.Target;
import io.sbc.runtime.sip.timer.ManualClock;
import io.sbc.runtime.sip.transaction.MessageSender;
import io.sbc.runtime.sip.transaction.TimerSettings;
import io.sbc.runtime.sip.transaction.TransactionLayer;
import io.sbc.runtime.sip.transport.Flow;
import io.sbc.runtime.sip.transport.Listener;
import io.sbc.runtime.sip.transport.Loop;
import io.sbc.runtime.sip.transport.Myself;
import io.sbc.runtime.sip.transport.Protocol;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * A proxy on a deterministic loop (no event loop, a {@link ManualClock}) whose sends are captured,
 * as in ProxyTest, driven by a {@link ProxyScript}; after each script it lets every timer run out
 * and checks that no transaction, timer or swallowed exception is left behind.
 */
final class ProxyHarness {
  /** RFC 3261 table 4 values; timer C at its 3-minute minimum (section 16.6 step 11). */
  static final TimerSettings TIMERS = new TimerSettings(500, 4000, 5000, 180_000);

  /** Past every timer: timer C, then 64*T1 for the CANCEL's answer, then timers H/L/M. */
  static final long DRAIN_LIMIT_MILLIS = 600_000;

  final ManualClock clock = new ManualClock(0);
  final Loop loop = new Loop(0, null, null, clock);
  final List<Sent> sent = new ArrayList<>();
  final List<Throwable> failures = new ArrayList<>();
  final Listener udp =
      new Listener("udp", Protocol.UDP, new InetSocketAddress("127.0.0.1", 5060), null);
  final Listener tcp =
      new Listener("tcp", Protocol.TCP, new InetSocketAddress("127.0.0.1", 5060), null);
  final InetSocketAddress caller = new InetSocketAddress("192.0.2.1", 5062);
  final InetSocketAddress addrA = new InetSocketAddress("10.0.0.2", 5060);
  final InetSocketAddress addrB = new InetSocketAddress("10.0.0.3", 5060);

  /** Sends to this address fail at once, as a refused TCP connection does. */
  final InetSocketAddress addrFail = new InetSocketAddress("10.0.0.9", 5060);

  final TransactionLayer transactions;
  final Proxy proxy;
  RouteAction action;

  /** True while a message that failed to decode is being handled: its 400 may copy its flaws. */
  private boolean malformedInput;

  private int answered;

  /** One message the proxy sent. */
  record Sent(Flow flow, byte[] data, boolean answersMalformed) {
    InetSocketAddress to() {
      return flow.remote();
    }
  }

  ProxyHarness(boolean stateless) {
    MessageSender sender =
        (l, flow, data, onFailure) -> {
          sent.add(new Sent(flow, data, malformedInput));
          if (flow.remote().equals(addrFail) && onFailure != null) {
            onFailure.run();
          }
        };
    transactions = new TransactionLayer(sender, TIMERS);
    Router router = (m, f) -> action;
    proxy =
        newProxy(
            transactions,
            new ProxySettings(stateless, 70),
            new Myself(List.of(udp, tcp), Set.of(), Set.of()),
            router,
            clock);
    loop.timers().setErrorHandler(failures::add);
    current = this; // what the proxy logs with an exception now fails this harness
  }

  /**
   * The one place a Proxy is built for fuzzing (and for the regression tests that replay what it
   * found): the decoder with the default limits, the transaction layer, settings and a router.
   */
  static Proxy newProxy(
      TransactionLayer transactions,
      ProxySettings settings,
      Myself myself,
      Router router,
      ManualClock clock) {
    return Proxy.builder()
        .decoder(new SipMessageDecoder(SipLimits.DEFAULT))
        .transactions(transactions)
        .settings(settings)
        .myself(myself)
        .router(router)
        .clock(clock)
        .build();
  }

  void route(ProxyScript s) {
    List<Target> targets = new ArrayList<>(3);
    if (s.failFirst) {
      targets.add(Target.parse("sip:10.0.0.9:5060", null));
    }
    targets.add(Target.parse("sip:10.0.0.2:5060", null));
    targets.add(
        s.targetBOverTcp
            ? Target.parse("sip:10.0.0.3:5060;transport=tcp", null)
            : Target.parse("sip:10.0.0.3:5060", null));
    action = RouteAction.forward(targets, s.fork, s.recordRoute);
  }

  /** Runs every step of the script, then lets all timers run out (see {@link #assertDrained}). */
  void run(ProxyScript s) {
    for (ProxyScript.Step step : s.steps) {
      advance(step.delayMillis());
      if (step.message().length > 0) {
        byte[] data = step.message();
        data = ProxyScript.replace(data, "@TX@", lastBranchTo(addrA));
        data = ProxyScript.replace(data, "@TXB@", lastBranchTo(addrB));
        InetSocketAddress from =
            switch (step.from()) {
              case CALLER -> caller;
              case TARGET_A -> addrA;
              case TARGET_B -> addrB;
            };
        deliver(step.tcp() ? tcp : udp, from, data);
      }
      if (step.answers() != null) {
        answer(step.answers());
      }
    }
    assertDrained();
  }

  void deliver(Listener l, InetSocketAddress from, byte[] data) {
    SipMessage m = MessageChecks.DECODER.decode(data, data.length, l.protocol().reliable());
    malformedInput = m != null && m.error() != null;
    if (m != null && m.error() == null && m.isResponse()) {
      TOTALS.responses++;
      if (transactions.findClient(m.topVia().branch()) != null) {
        TOTALS.matched++;
      }
    }
    try {
      proxy.receive(loop, new Flow(l, from, null), data);
    } finally {
      malformedInput = false;
    }
    TOTALS.messages++;
    TOTALS.peakServer = Math.max(TOTALS.peakServer, transactions.serverCount());
    TOTALS.peakClient = Math.max(TOTALS.peakClient, transactions.clientCount());
    rethrowFailures();
  }

  /** What every harness of this JVM did: the figures a fuzzing run reports (docs/fuzzing.md). */
  static final class Totals {
    long inputs;
    long messages;
    long responses;
    long matched;
    long sent;
    int peakServer;
    int peakClient;

    @Override
    public String toString() {
      return inputs
          + " inputs drained to 0 server and 0 client transactions and 0 timers; "
          + messages
          + " messages delivered ("
          + responses
          + " well-formed responses, "
          + matched
          + " of them to a client transaction of the proxy), "
          + sent
          + " sent by the proxy; peak during an input: "
          + peakServer
          + " server, "
          + peakClient
          + " client transactions";
    }
  }

  static final Totals TOTALS = new Totals();

  /** The downstream targets answer each request not yet answered, with {@code codes} in order. */
  void answer(int[] codes) {
    int upTo = sent.size();
    for (int i = answered; i < upTo; i++) {
      Sent s = sent.get(i);
      if (s.to().equals(caller) || s.to().equals(addrFail)) {
        continue;
      }
      SipMessage req = MessageChecks.DECODER.decode(s.data(), s.data().length, false);
      if (req == null || req.error() != null || !req.isRequest() || "ACK".equals(req.method())) {
        continue;
      }
      for (int code : codes) {
        String tag = code > 100 ? "down" + i : null;
        byte[] resp = Responses.build(req, code, Responses.reason(code), tag, null);
        deliver(s.flow().listener(), s.to(), resp);
      }
    }
    answered = Math.max(answered, upTo);
  }

  /** The branch of the top Via of the last request sent to {@code to}, or null. */
  String lastBranchTo(InetSocketAddress to) {
    for (int i = sent.size() - 1; i >= 0; i--) {
      Sent s = sent.get(i);
      if (s.to().equals(to)) {
        SipMessage m = MessageChecks.DECODER.decode(s.data(), s.data().length, false);
        if (m != null && m.error() == null && m.isRequest()) {
          return m.topVia().branch();
        }
      }
    }
    return null;
  }

  /**
   * Moves the clock by {@code millis}, firing timers on the way: in 10 ms steps over the first 2 s
   * (timers A, E and G at T1, 2*T1...), then in steps of 250 ms and, past 40 s, of 1 s. A timer
   * never fires early; a coarse step only saves retransmissions nobody waits for.
   */
  void advance(long millis) {
    long start = clock.millis();
    long until = start + millis;
    while (clock.millis() < until) {
      long elapsed = clock.millis() - start;
      long step = elapsed < 2000 ? 10 : elapsed < 40_000 ? 250 : 1000;
      clock.advance(Math.min(step, until - clock.millis()));
      loop.timers().advance();
    }
    rethrowFailures();
  }

  /**
   * Every message sent decodes (forwarded requests and responses, local answers to well-formed
   * requests), and once the timers have run out no transaction or timer is left.
   */
  void assertDrained() {
    for (Sent s : sent) {
      if (s.answersMalformed()) {
        continue;
      }
      SipMessage m = MessageChecks.DECODER.decode(s.data(), s.data().length, s.flow().reliable());
      assertNull(
          m.error(),
          () ->
              "the proxy sent a message that does not decode ("
                  + m.error().getMessage()
                  + "):\n"
                  + new String(s.data(), StandardCharsets.ISO_8859_1));
    }
    long start = clock.millis();
    while (clock.millis() - start < DRAIN_LIMIT_MILLIS
        && (transactions.serverCount() > 0
            || transactions.clientCount() > 0
            || loop.timers().size() > 0)) {
      clock.advance(clock.millis() - start < 2000 ? 100 : 2000);
      loop.timers().advance();
    }
    rethrowFailures();
    assertEquals(0, transactions.serverCount(), "server transactions left after all timers");
    assertEquals(0, transactions.clientCount(), "client transactions left after all timers");
    assertEquals(0, loop.timers().size(), "timers left after all transactions ended");
    TOTALS.inputs++;
    TOTALS.sent += sent.size();
  }

  private void rethrowFailures() {
    if (!failures.isEmpty()) {
      Throwable t = failures.get(0);
      AssertionError e = new AssertionError("the proxy swallowed an exception: " + t, t);
      failures.clear();
      throw e;
    }
  }

  // --- the proxy's error log: Proxy.receive logs what it catches, so a bug costs one message -----

  private static final Logger PROXY_LOG = Logger.getLogger(Proxy.class.getName());

  /** The harness built last (tests run one at a time: @FuzzTest holds a global resource lock). */
  private static ProxyHarness current;

  private static final Handler SWALLOWED =
      new Handler() {
        @Override
        public void publish(LogRecord r) {
          if (r.getThrown() != null && current != null) {
            current.failures.add(r.getThrown());
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  static {
    SWALLOWED.setLevel(Level.ALL);
    PROXY_LOG.addHandler(SWALLOWED);
  }
}
