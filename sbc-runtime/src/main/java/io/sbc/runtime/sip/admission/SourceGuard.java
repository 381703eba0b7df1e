package io.sbc.runtime.sip.admission;

import io.sbc.runtime.sip.timer.Clock;
import io.sbc.runtime.sip.transport.Listener;
import io.sbc.runtime.sip.transport.Loop;
import io.sbc.runtime.sip.transport.SourceFilter;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.jboss.logging.Logger;

/**
 * Decides for every framed message, before it is parsed and before any transaction exists, whether
 * its source is heard: the listener's allow and deny networks, the source's ban, its token bucket
 * (requests only), and scanner User-Agents (requests only). Refusals are silent and counted by
 * reason.
 *
 * <p>One {@link SourceTable} per event loop, made on that loop the first time a limit applies; the
 * policy is read through one volatile field, replaced whole on reload (buckets and bans stay).
 */
public final class SourceGuard implements SourceFilter {
  private static final Logger LOG = Logger.getLogger(SourceGuard.class);

  /** Why a message or a connection was refused. */
  public enum Refusal {
    /** The listener's allow or deny networks exclude the source. */
    DENIED,
    /** The source is banned (it went over its limit, or scanned). */
    BANNED,
    /** The request found no token in its source's bucket. */
    RATE_LIMITED,
    /** The request's User-Agent names a scanner. */
    SCANNER
  }

  /** Bans logged per minute at most (a flood of spoofed sources must not flood the log). */
  private static final int BANS_LOGGED_PER_MINUTE = 10;

  private static final int KEEPALIVE = 0;
  private static final int REQUEST = 1;
  private static final int RESPONSE = 2;

  private final Clock clock;
  private final int tableCapacity;
  private final int seed = new SecureRandom().nextInt();
  private final SourceTable[] tables;
  private volatile SourcePolicy policy;

  private final LongAdder[] refusedMessages = adders(Refusal.values().length);
  private final LongAdder[] refusedConnections = adders(Refusal.values().length);
  private final AtomicLong logMinute = new AtomicLong();
  private final AtomicLong loggedThisMinute = new AtomicLong();

  /**
   * @param loops how many event loops hand messages over (loop indexes 0..loops-1)
   * @param tableCapacity sources tracked per loop
   */
  public SourceGuard(int loops, int tableCapacity, SourcePolicy policy, Clock clock) {
    this.tables = new SourceTable[loops];
    this.tableCapacity = tableCapacity;
    this.policy = policy;
    this.clock = clock;
  }

  private static LongAdder[] adders(int n) {
    LongAdder[] a = new LongAdder[n];
    for (int i = 0; i < n; i++) {
      a[i] = new LongAdder();
    }
    return a;
  }

  /** Applies a new configuration's policy; buckets and bans in progress stay. */
  public void update(SourcePolicy next) {
    this.policy = next;
  }

  public SourcePolicy policy() {
    return policy;
  }

  @Override
  public boolean admitConnection(Loop loop, Listener listener, InetAddress source) {
    SourcePolicy p = policy;
    if (p.hasAccessRules() && !p.hears(listener.name(), source)) {
      refusedConnections[Refusal.DENIED.ordinal()].increment();
      return false;
    }
    SourcePolicy.AntiFlood af = p.antiFlood();
    if (af != null) {
      SourceTable t = tables[loop.index()];
      if (t != null && t.banned(source, source.hashCode(), clock.millis())) {
        refusedConnections[Refusal.BANNED.ordinal()].increment();
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean admitMessage(Loop loop, Listener listener, InetAddress source, byte[] data) {
    SourcePolicy p = policy;
    if (p.hasAccessRules() && !p.hears(listener.name(), source)) {
      return refuse(Refusal.DENIED);
    }
    int kind = kind(data);
    SourcePolicy.AntiFlood af = p.antiFlood();
    SourceTable t = null;
    long now = 0;
    if (af != null
        && kind != KEEPALIVE
        && (af.exempt().isEmpty() || !af.exempt().contains(source))) {
      t = table(loop);
      now = clock.millis();
      int hash = source.hashCode();
      if (kind == RESPONSE) {
        if (t.banned(source, hash, now)) {
          return refuse(Refusal.BANNED);
        }
      } else {
        long banBefore = t.bans;
        switch (t.take(
            source, hash, now, af.requestsPerSecond(), af.burst(), af.banSeconds() * 1000L)) {
          case BANNED:
            return refuse(Refusal.BANNED);
          case OVER_LIMIT:
            if (t.bans != banBefore) {
              logBan(source, listener, "went over " + af.requestsPerSecond() + " requests/s", af);
            }
            return refuse(Refusal.RATE_LIMITED);
          default:
            break;
        }
      }
    }
    if (kind == REQUEST && !p.scanners.isEmpty() && p.scanners.matches(data, 0, data.length)) {
      if (t != null && af.banSeconds() > 0) {
        // A scan is many requests: the next ones are dropped before the User-Agent is looked for.
        t.ban(
            source,
            source.hashCode(),
            now,
            af.banSeconds() * 1000L,
            af.requestsPerSecond(),
            af.burst());
        logBan(source, listener, "sent a scanner's User-Agent", af);
      }
      return refuse(Refusal.SCANNER);
    }
    return true;
  }

  private boolean refuse(Refusal r) {
    refusedMessages[r.ordinal()].increment();
    return false;
  }

  /** The table of the calling loop, made on first use. */
  private SourceTable table(Loop loop) {
    SourceTable t = tables[loop.index()];
    if (t == null) {
      t = new SourceTable(tableCapacity, seed);
      tables[loop.index()] = t;
    }
    return t;
  }

  /** A request, a response, or nothing but the CRLFs of a keepalive (RFC 5626 4.4.1). */
  private static int kind(byte[] d) {
    int i = 0;
    while (i < d.length && (d[i] == '\r' || d[i] == '\n')) {
      i++;
    }
    if (i == d.length) {
      return KEEPALIVE;
    }
    return d.length - i > 4 && d[i] == 'S' && d[i + 1] == 'I' && d[i + 2] == 'P' && d[i + 3] == '/'
        ? RESPONSE
        : REQUEST;
  }

  private void logBan(
      InetAddress source, Listener listener, String why, SourcePolicy.AntiFlood af) {
    long minute = clock.millis() / 60_000;
    long seen = logMinute.get();
    if (seen != minute && logMinute.compareAndSet(seen, minute)) {
      loggedThisMinute.set(0);
    }
    if (loggedThisMinute.incrementAndGet() <= BANS_LOGGED_PER_MINUTE) {
      LOG.warnf(
          "source %s on %s %s: banned for %d s (at most %d bans are logged a minute; all are"
              + " counted)",
          source.getHostAddress(), listener.name(), why, af.banSeconds(), BANS_LOGGED_PER_MINUTE);
    }
  }

  /** Messages refused for this reason so far. */
  public long refusedMessages(Refusal r) {
    return refusedMessages[r.ordinal()].sum();
  }

  /** Accepted connections closed at once for this reason (DENIED or BANNED). */
  public long refusedConnections(Refusal r) {
    return refusedConnections[r.ordinal()].sum();
  }

  /** Bans started so far (over the limit, or scanning). */
  public long bans() {
    long n = 0;
    for (SourceTable t : tables) {
      n += t == null ? 0 : t.bans;
    }
    return n;
  }

  /** Sources banned now, over every loop (read from another thread: may be slightly stale). */
  public int bannedNow() {
    long now = clock.millis();
    int n = 0;
    for (SourceTable t : tables) {
      n += t == null ? 0 : t.bannedNow(now);
    }
    return n;
  }

  /** Sources holding a slot in the loops' tables now. */
  public int trackedSources() {
    int n = 0;
    for (SourceTable t : tables) {
      n += t == null ? 0 : t.tracked();
    }
    return n;
  }

  /** Sources that lost their slot to another while still counted: the tables were too small. */
  public long evicted() {
    long n = 0;
    for (SourceTable t : tables) {
      n += t == null ? 0 : t.evicted;
    }
    return n;
  }
}
