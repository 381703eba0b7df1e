package io.sbc.runtime.dispatcher;

import io.sbc.runtime.sip.message.SipMessage;
import io.sbc.runtime.sip.timer.Timeout;
import io.sbc.runtime.sip.transaction.ClientTransaction;
import io.sbc.runtime.sip.transport.Flow;
import io.sbc.runtime.sip.transport.Listener;
import io.sbc.runtime.sip.transport.Loop;
import java.nio.charset.StandardCharsets;

/**
 * Sends a dispatcher's OPTIONS probes every interval, as a UAC through the transaction layer, and
 * reports each outcome to its destination (Kamailio's ds_ping_interval).
 *
 * <p>Runs on the environment's loop only; its fields need no synchronisation.
 */
final class Prober implements Runnable {
  private static final org.jboss.logging.Logger LOG =
      org.jboss.logging.Logger.getLogger(Prober.class);
  private final Dispatcher dispatcher;
  private final ProbeEnvironment env;
  private Timeout tick;
  private boolean closed;
  private long cseq;

  Prober(Dispatcher dispatcher, ProbeEnvironment env) {
    this.dispatcher = dispatcher;
    this.env = env;
  }

  Loop loop() {
    return env.loop();
  }

  /** Probes at once (a restart learns the destinations' health quickly), then every interval. */
  void start() {
    env.loop().execute(() -> reschedule(0));
  }

  void close() {
    env.loop()
        .execute(
            () -> {
              closed = true;
              if (tick != null) {
                tick.cancel();
                tick = null;
              }
            });
  }

  /** The interval changed on reload: the next round comes after the new interval. */
  void intervalChanged() {
    env.loop().execute(() -> reschedule(dispatcher.probe().intervalMillis()));
  }

  private void reschedule(long delay) {
    if (closed) {
      return;
    }
    if (tick != null) {
      tick.cancel();
    }
    tick = env.loop().timers().schedule(this, delay);
  }

  /** One round: a probe to every destination that has none awaiting an answer. */
  @Override
  public void run() {
    tick = null;
    if (closed) {
      return;
    }
    ProbeSettings s = dispatcher.probe();
    if (s.enabled()) {
      for (Destination d : dispatcher.destinations()) {
        if (d.inFlight == null) {
          try {
            send(d, s);
          } catch (RuntimeException e) {
            // One destination's failure to send must not stop the probing of the others, nor
            // the next rounds (the round is rescheduled below).
            LOG.warnf("dispatcher %s: probe to %s not sent: %s", dispatcher.name(), d.uri(), e);
          }
        }
      }
    }
    tick = env.loop().timers().schedule(this, s.intervalMillis());
  }

  private void send(Destination d, ProbeSettings s) {
    var t = d.target();
    if (t.hop() != null) {
      send(d, s, t.hop());
      return;
    }
    // A destination named by host name is probed where calls to it would go first (RFC 3263);
    // the answer comes on this loop, at once when the name is cached.
    Probe p = new Probe(d, d.callFailureGeneration());
    d.inFlight = p; // no second probe while the name resolves
    env.resolver()
        .resolve(
            t.where(),
            env.loop(),
            (hops, problem) -> {
              if (d.inFlight == p) {
                d.inFlight = null;
              }
              if (closed) {
                return;
              }
              if (hops.isEmpty()) {
                d.probeFailed("not resolved: " + problem);
                return;
              }
              try {
                send(d, s, hops.get(0));
              } catch (RuntimeException e) {
                LOG.warnf("dispatcher %s: probe to %s not sent: %s", dispatcher.name(), d.uri(), e);
              }
            });
  }

  private void send(Destination d, ProbeSettings s, io.sbc.runtime.sip.locate.Hop hop) {
    Listener l = env.listenerFor(hop);
    if (l == null) {
      // Calls could not reach it either: the proxy needs the same kind of listener.
      d.probeFailed("no " + hop.protocol() + " listener");
      return;
    }
    String branch = env.branches().get();
    Probe p = new Probe(d, d.callFailureGeneration());
    d.inFlight = p;
    d.probeSent();
    p.timer = env.loop().timers().schedule(p, s.timeoutMillis());
    Listener.Names names =
        l.names(
            l.advertisesInterfaceAddress()
                ? env.sources().sourceFor(hop.address().getAddress())
                : null);
    byte[] bytes = options(d, names, l.advertisedPort(), branch, ++cseq);
    Flow flow = new Flow(l, hop.address(), null);
    ClientTransaction tx =
        env.transactions().startClient(env.loop(), branch, false, flow, bytes, p);
    if (!p.done) {
      p.tx = tx;
    }
  }

  /** An OPTIONS of its own dialog-less transaction (RFC 3261 section 11), with a fresh Call-ID. */
  static byte[] options(Destination d, Listener.Names names, int port, String branch, long cseq) {
    String uri = d.uri();
    String hostPort = names.host() + ":" + port;
    StringBuilder sb = new StringBuilder(400);
    sb.append("OPTIONS ").append(uri).append(" SIP/2.0\r\n");
    sb.append(new String(names.viaPrefix(), StandardCharsets.ISO_8859_1)).append(branch);
    sb.append("\r\nMax-Forwards: 70\r\n");
    sb.append("From: <sip:sbc@")
        .append(hostPort)
        .append(">;tag=")
        .append(branch.hashCode() & 0x7fffffff);
    sb.append("\r\nTo: <").append(uri).append(">\r\n");
    sb.append("Call-ID: ").append(branch).append('@').append(hostPort).append("\r\n");
    sb.append("CSeq: ").append(cseq).append(" OPTIONS\r\n");
    sb.append("Content-Length: 0\r\n\r\n");
    return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  /** One probe in flight: its transaction, its own timeout, and its outcome once known. */
  static final class Probe implements ClientTransaction.Owner, Runnable {
    private final Destination destination;
    private final long generation;
    Timeout timer;
    ClientTransaction tx;
    boolean done;

    Probe(Destination destination, long generation) {
      this.destination = destination;
      this.generation = generation;
    }

    @Override
    public void onResponse(ClientTransaction t, SipMessage response) {
      int code = response.status();
      if (code < 200) {
        return; // a provisional answer proves the transport, not the server: wait for a final
      }
      // Any answer shows the destination alive (as Kamailio), unless it says it cannot serve.
      if (code < 500) {
        succeed(code);
      } else {
        fail(code + " from probe");
      }
    }

    @Override
    public void onTimeout(ClientTransaction t) {
      fail("timeout");
    }

    @Override
    public void onTransportError(ClientTransaction t) {
      fail("transport error");
    }

    /** The probe's own timeout: shorter than timer F, and the transaction is abandoned. */
    @Override
    public void run() {
      timer = null;
      if (done) {
        return;
      }
      if (tx != null) {
        tx.terminate(); // a late answer then finds no transaction and is dropped
      }
      fail("timeout");
    }

    private boolean finish() {
      if (done) {
        return false;
      }
      done = true;
      if (timer != null) {
        timer.cancel();
        timer = null;
      }
      tx = null;
      if (destination.inFlight == this) {
        destination.inFlight = null;
      }
      return true;
    }

    private void succeed(int code) {
      if (finish()) {
        destination.probeSucceeded(code, generation);
      }
    }

    private void fail(String reason) {
      if (finish()) {
        destination.probeFailed(reason);
      }
    }
  }
}
