package io.sbc.runtime.sip.proxy;

import io.sbc.runtime.sip.locate.Hop;
import io.sbc.runtime.sip.locate.LiteralResolver;
import io.sbc.runtime.sip.locate.UriTarget;
import io.sbc.runtime.sip.message.SipMessage;
import io.sbc.runtime.sip.timer.Timeout;
import io.sbc.runtime.sip.transaction.ClientTransaction;
import io.sbc.runtime.sip.transaction.TransactionLayer;
import io.sbc.runtime.sip.transport.Flow;
import io.sbc.runtime.sip.transport.Listener;
import io.sbc.runtime.sip.transport.Loop;
import io.sbc.runtime.sip.transport.Myself;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;
import org.jboss.logging.Logger;

/**
 * Keeps the NAT bindings of the NATed ends of calls in progress open (Kamailio's nathelper pinging,
 * for every transport: OPTIONS over UDP, a CRLF keepalive over TCP, RFC 5626 3.5.1), so that a BYE
 * or re-INVITE late in a long call still gets through. The replica that answered a call pings its
 * peers; a peer in several calls is pinged once. A peer that stops answering is reported (logged
 * once, counted) after {@link #MISSES} missed OPTIONS in a row.
 *
 * <p>Calls come and go on any loop (call events); the pinging runs on one loop, which owns the
 * table.
 */
public final class NatKeepalive implements CallEvents {
  private static final Logger LOG = Logger.getLogger(NatKeepalive.class);

  /** Missed OPTIONS in a row after which a peer is reported unreachable. */
  static final int MISSES = 3;

  private record Change(boolean add, UriTarget peer, int seconds) {}

  private static final class Peer {
    final UriTarget where;
    int calls;
    int seconds;
    long due;
    int misses;
    boolean inFlight;
    boolean reported;

    Peer(UriTarget where, int seconds) {
      this.where = where;
      this.seconds = seconds;
    }
  }

  private final TransactionLayer transactions;
  private final Myself myself;
  private final Branches branches;
  private final io.sbc.runtime.sip.timer.Clock clock;
  private final ConcurrentLinkedQueue<Change> changes = new ConcurrentLinkedQueue<>();
  private final Map<UriTarget, Peer> peers = new HashMap<>();
  private Loop loop;
  private Timeout tick;
  private long cseq;

  public final LongAdder sent = new LongAdder();
  public final LongAdder unreachable = new LongAdder();

  public NatKeepalive(
      TransactionLayer transactions,
      Myself myself,
      Branches branches,
      io.sbc.runtime.sip.timer.Clock clock) {
    this.transactions = transactions;
    this.myself = myself;
    this.branches = branches;
    this.clock = clock;
  }

  /** Starts pinging on {@code loop} (its timer wheel), once a second. */
  public void start(Loop loop) {
    this.loop = loop;
    loop.execute(this::schedule);
  }

  public void stop() {
    Loop l = loop;
    if (l != null) {
      l.execute(
          () -> {
            if (tick != null) {
              tick.cancel();
              tick = null;
            }
            loop = null;
          });
    }
  }

  /** Peers pinged now (on the pinging loop; approximate elsewhere). */
  public int size() {
    return peers.size();
  }

  @Override
  public void callAnswered(Call call, Target target) {
    if (call instanceof NatPeers n && n.keepaliveSeconds() > 0) {
      for (UriTarget p : n.natPeers()) {
        changes.add(new Change(true, p, n.keepaliveSeconds()));
      }
    }
  }

  @Override
  public void callEnded(Call call, Target answeredBy, EndReason reason, int status) {
    if (reason == EndReason.FAILED || reason == EndReason.CANCELLED) {
      return; // never answered: never added
    }
    if (call instanceof NatPeers n && n.keepaliveSeconds() > 0) {
      for (UriTarget p : n.natPeers()) {
        changes.add(new Change(false, p, 0));
      }
    }
  }

  /** A call that knows which of its ends are behind NAT. */
  interface NatPeers {
    List<UriTarget> natPeers();

    int keepaliveSeconds();
  }

  private void schedule() {
    if (loop != null) {
      tick = loop.timers().schedule(this::run, 1000);
    }
  }

  /** On the pinging loop: apply the calls' changes, then ping the peers that are due. */
  void run() {
    tick = null;
    long now = clock.millis();
    for (Change next = changes.poll(); next != null; next = changes.poll()) {
      Change c = next;
      if (c.add()) {
        Peer p = peers.computeIfAbsent(c.peer(), w -> new Peer(w, c.seconds()));
        if (p.calls++ == 0) {
          p.due = now + c.seconds() * 1000L;
        }
        p.seconds = Math.min(p.seconds, c.seconds());
      } else {
        Peer p = peers.get(c.peer());
        if (p != null && --p.calls <= 0) {
          peers.remove(c.peer());
        }
      }
    }
    for (Peer p : peers.values()) {
      if (!p.inFlight && now >= p.due) {
        p.due = now + p.seconds * 1000L;
        ping(p);
      }
    }
    schedule();
  }

  private void ping(Peer p) {
    Hop hop = LiteralResolver.literalHop(p.where);
    if (hop == null || hop.protocol().websocket()) {
      return; // a WebSocket peer is pinged by its connection (WebSocket pings), not by a message
    }
    Listener l = listenerFor(hop);
    if (l == null) {
      return;
    }
    Flow flow = new Flow(l, hop.address(), null);
    sent.increment();
    if (hop.protocol().reliable()) {
      // RFC 5626 3.5.1: a double CRLF over the connection; the transport keeps it open.
      transactions
          .sender()
          .send(loop, flow, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), null);
      return;
    }
    String branch = branches.nextProbe();
    Listener.Names names = l.names(null);
    String host = names.host() + ":" + l.advertisedPort();
    String uri = "sip:" + p.where.host() + ":" + p.where.port();
    String options =
        "OPTIONS "
            + uri
            + " SIP/2.0\r\n"
            + new String(names.viaPrefix(), StandardCharsets.ISO_8859_1)
            + branch
            + "\r\nMax-Forwards: 70\r\nFrom: <sip:keepalive@"
            + host
            + ">;tag="
            + Integer.toHexString(branch.hashCode())
            + "\r\nTo: <"
            + uri
            + ">\r\nCall-ID: "
            + branch
            + "@"
            + host
            + "\r\nCSeq: "
            + (++cseq)
            + " OPTIONS\r\nContent-Length: 0\r\n\r\n";
    p.inFlight = true;
    transactions.startClient(
        loop,
        branch,
        false,
        flow,
        options.getBytes(StandardCharsets.ISO_8859_1),
        new ClientTransaction.Owner() {
          @Override
          public void onResponse(ClientTransaction tx, SipMessage response) {
            if (response.status() >= 200) {
              p.inFlight = false;
              p.misses = 0;
              if (p.reported) {
                p.reported = false;
                LOG.infof("NAT peer %s:%d answers again", p.where.host(), p.where.port());
              }
            }
          }

          @Override
          public void onTimeout(ClientTransaction tx) {
            missed(p);
          }

          @Override
          public void onTransportError(ClientTransaction tx) {
            missed(p);
          }
        });
  }

  private void missed(Peer p) {
    p.inFlight = false;
    if (++p.misses >= MISSES && !p.reported) {
      p.reported = true;
      unreachable.increment();
      LOG.warnf(
          "NAT peer %s:%d of a call in progress answers no keepalive (%d missed): unreachable",
          p.where.host(), p.where.port(), p.misses);
    }
  }

  private Listener listenerFor(Hop hop) {
    boolean v6 = hop.address().getAddress() instanceof java.net.Inet6Address;
    for (Listener l : myself.listeners()) {
      if (l.protocol() == hop.protocol() && l.isIpv6() == v6) {
        return l;
      }
    }
    return null;
  }
}
