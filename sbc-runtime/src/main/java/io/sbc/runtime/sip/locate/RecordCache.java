package io.sbc.runtime.sip.locate;

import io.sbc.runtime.sip.timer.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * DNS answers kept for their TTL, shared by every loop: positive answers for the smallest TTL of
 * their set (RFC 2181 section 5.2; a TTL of 0 is used for the lookup in progress only, RFC 1035
 * section 3.2.1), names without records for the negative period (RFC 2308), unanswered questions
 * for a few seconds. Bounded: when full, what has expired goes, and a new name waits for room
 * rather than pushing out names in use.
 */
final class RecordCache {
  /** One question: a name (lower case, as asked) and a type. */
  record Key(String name, RecordType type) {}

  /**
   * One answer as kept: records sorted as RFC 3263 reads them (SRV by priority, NAPTR by order and
   * preference), or none with the problem.
   */
  static final class Entry {
    final List<Object> records;
    final String problem;
    final long expiresAt;

    Entry(List<Object> records, String problem, long expiresAt) {
      this.records = records;
      this.problem = problem;
      this.expiresAt = expiresAt;
    }
  }

  /** Records of one set that are kept: an answer listing thousands costs no more than this. */
  static final int MAX_RECORDS = 16;

  /** How long an unanswered question (timeout, unreachable server) is remembered. */
  static final long TEMPORARY_MILLIS = 5_000;

  /** The longest a positive answer is kept, whatever its TTL says: a day. */
  static final long MAX_TTL_MILLIS = 86_400_000L;

  private static final Comparator<Object> RFC3263_ORDER =
      (a, b) -> {
        if (a instanceof SrvRecord x && b instanceof SrvRecord y) {
          return Integer.compare(x.priority(), y.priority());
        }
        if (a instanceof NaptrRecord x && b instanceof NaptrRecord y) {
          int c = Integer.compare(x.order(), y.order());
          return c != 0 ? c : Integer.compare(x.preference(), y.preference());
        }
        return 0;
      };

  private final ConcurrentHashMap<Key, Entry> entries = new ConcurrentHashMap<>();
  private final Clock clock;
  private final int maxEntries;
  private final long negativeMillis;
  private volatile long lastPurge;

  RecordCache(Clock clock, int maxEntries, long negativeMillis) {
    this.clock = clock;
    this.maxEntries = maxEntries;
    this.negativeMillis = negativeMillis;
    this.lastPurge = clock.millis();
  }

  /** The answer to this question while it is fresh, else null. */
  Entry get(Key k) {
    Entry e = entries.get(k);
    return e != null && clock.millis() < e.expiresAt ? e : null;
  }

  /** Keeps an answer (when its TTL allows and there is room) and returns it as kept. */
  Entry put(Key k, DnsAnswer a) {
    long now = clock.millis();
    long ttl;
    List<Object> records;
    if (a.records().isEmpty()) {
      records = List.of();
      ttl = a.temporary() ? Math.min(TEMPORARY_MILLIS, negativeMillis) : negativeMillis;
    } else {
      List<Object> sorted = new ArrayList<>(a.records());
      sorted.sort(RFC3263_ORDER); // stable: the server's order within a priority
      records = List.copyOf(sorted.size() > MAX_RECORDS ? sorted.subList(0, MAX_RECORDS) : sorted);
      ttl = Math.min(Math.max(0, a.ttlSeconds()) * 1000, MAX_TTL_MILLIS);
    }
    Entry e = new Entry(records, records.isEmpty() ? problemOf(k, a) : null, now + ttl);
    if (ttl <= 0) {
      entries.remove(k);
      return e;
    }
    if (entries.size() >= maxEntries && !entries.containsKey(k)) {
      purge(now);
      if (entries.size() >= maxEntries) {
        return e; // full of fresh answers: this one serves the lookup in progress only
      }
    }
    entries.put(k, e);
    return e;
  }

  /** Drops expired answers, at most once a second (a full cache must not cost a scan per put). */
  private void purge(long now) {
    if (now - lastPurge < 1000) {
      return;
    }
    lastPurge = now;
    entries.values().removeIf(e -> e.expiresAt <= now);
  }

  int size() {
    return entries.size();
  }

  private static String problemOf(Key k, DnsAnswer a) {
    String p = a.problem() != null ? a.problem() : "no records";
    return k.type() + " " + k.name() + ": " + p;
  }
}
