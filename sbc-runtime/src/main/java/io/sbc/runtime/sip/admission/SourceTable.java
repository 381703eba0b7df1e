package io.sbc.runtime.sip.admission;

import java.net.InetAddress;

/**
 * The token buckets and bans of the sources one event loop hears, in a fixed-size open-addressing
 * table keyed by address: memory is bounded whatever the number of sources, and nothing is
 * allocated per message.
 *
 * <p>Single-threaded: only its loop touches it (status readers see counts that may be slightly
 * stale). Slots are never emptied, only taken over: a source is looked for in a window of {@link
 * #PROBES} slots from its hash, and a new source takes the first empty slot of its window, else the
 * one whose loss matters least (an idle source whose bucket is full again is as good as absent; a
 * banned source goes last).
 */
final class SourceTable {
  /** Slots looked at per lookup: a new source may displace one of these, never more. */
  static final int PROBES = 8;

  /** What a request from a source may do. */
  enum Verdict {
    ADMIT,
    /** Over the limit: this request is dropped (and the source banned, when bans are on). */
    OVER_LIMIT,
    /** Banned: everything from the source is dropped until the ban ends. */
    BANNED
  }

  private final int mask;
  private final int seed;
  private final InetAddress[] keys;
  private final int[] hashes;

  /** Tokens left, in thousandths of a request (a request costs 1000). */
  private final long[] tokens;

  /** When the tokens were last brought up to date, in clock milliseconds. */
  private final long[] refilledAt;

  /** When the ban ends, in clock milliseconds; 0 when never banned. */
  private final long[] bannedUntil;

  /** Sources that had to give up their slot while still counted (the table was too small). */
  long evicted;

  /** Bans started. */
  long bans;

  SourceTable(int capacity, int seed) {
    int n = Integer.highestOneBit(Math.max(PROBES, capacity - 1)) << 1;
    this.mask = n - 1;
    this.seed = seed;
    this.keys = new InetAddress[n];
    this.hashes = new int[n];
    this.tokens = new long[n];
    this.refilledAt = new long[n];
    this.bannedUntil = new long[n];
  }

  int capacity() {
    return keys.length;
  }

  /**
   * Takes a token for one request of {@code source}: ADMIT while it has one, OVER_LIMIT when it has
   * none (which starts a ban of {@code banMillis} when that is above 0), BANNED while a ban runs.
   *
   * @param perSecond tokens coming back per second (requests per second)
   * @param burst the most tokens a source holds
   */
  Verdict take(InetAddress source, int hash, long now, int perSecond, int burst, long banMillis) {
    int i = find(source, hash);
    if (i < 0) {
      i = claim(source, hash, now, perSecond, burst);
      tokens[i] = burst * 1000L;
      refilledAt[i] = now;
      bannedUntil[i] = 0;
    } else if (bannedUntil[i] > now) {
      return Verdict.BANNED;
    }
    long cap = burst * 1000L;
    long t = tokens[i] + Math.max(0, now - refilledAt[i]) * perSecond;
    if (t > cap || t < 0) {
      t = cap;
    }
    refilledAt[i] = now;
    if (t >= 1000) {
      tokens[i] = t - 1000;
      return Verdict.ADMIT;
    }
    tokens[i] = t;
    if (banMillis > 0) {
      bannedUntil[i] = now + banMillis;
      bans++;
    }
    return Verdict.OVER_LIMIT;
  }

  /** Whether a ban of {@code source} runs now (never creates an entry). */
  boolean banned(InetAddress source, int hash, long now) {
    int i = find(source, hash);
    return i >= 0 && bannedUntil[i] > now;
  }

  /** Bans {@code source} from now for {@code banMillis} (a scanner), with an empty bucket. */
  void ban(InetAddress source, int hash, long now, long banMillis, int perSecond, int burst) {
    int i = find(source, hash);
    if (i < 0) {
      i = claim(source, hash, now, perSecond, burst);
      bannedUntil[i] = 0;
    }
    tokens[i] = 0;
    refilledAt[i] = now;
    if (bannedUntil[i] <= now) {
      bans++;
    }
    bannedUntil[i] = now + banMillis;
  }

  /** Sources with a slot now (idle ones included until another source takes their slot). */
  int tracked() {
    int n = 0;
    for (InetAddress k : keys) {
      if (k != null) {
        n++;
      }
    }
    return n;
  }

  /** Sources banned now. */
  int bannedNow(long now) {
    int n = 0;
    for (int i = 0; i < keys.length; i++) {
      if (keys[i] != null && bannedUntil[i] > now) {
        n++;
      }
    }
    return n;
  }

  private int start(int hash) {
    // Murmur3's finalizer over the address hash and a per-process seed: sources that an attacker
    // picks cannot be made to share one window on purpose.
    int h = hash ^ seed;
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h & mask;
  }

  /** The slot of {@code source}, or -1. An empty slot ends the search: slots are never emptied. */
  private int find(InetAddress source, int hash) {
    int s = start(hash);
    for (int k = 0; k < PROBES; k++) {
      int i = (s + k) & mask;
      InetAddress key = keys[i];
      if (key == null) {
        return -1;
      }
      if (hashes[i] == hash && key.equals(source)) {
        return i;
      }
    }
    return -1;
  }

  /**
   * A slot for a new source: the first empty one of its window, else an idle source whose bucket is
   * full again (nothing is lost), else the source with the oldest activity that is not banned, else
   * the ban that ends first.
   */
  private int claim(InetAddress source, int hash, long now, int perSecond, int burst) {
    int s = start(hash);
    int victim = -1;
    long victimScore = Long.MAX_VALUE;
    long cap = burst * 1000L;
    for (int k = 0; k < PROBES; k++) {
      int i = (s + k) & mask;
      if (keys[i] == null) {
        victim = i;
        victimScore = Long.MIN_VALUE;
        break;
      }
      long score;
      if (bannedUntil[i] > now) {
        score = Long.MAX_VALUE / 2 + (bannedUntil[i] - now); // banned: last, shortest ban first
      } else if (tokens[i] + Math.max(0, now - refilledAt[i]) * (long) perSecond >= cap) {
        score = Long.MIN_VALUE + 1; // full again: as good as absent
      } else {
        score = refilledAt[i]; // oldest activity first
      }
      if (score < victimScore) {
        victimScore = score;
        victim = i;
      }
    }
    if (victimScore != Long.MIN_VALUE && victimScore != Long.MIN_VALUE + 1) {
      evicted++;
    }
    keys[victim] = source;
    hashes[victim] = hash;
    return victim;
  }
}
