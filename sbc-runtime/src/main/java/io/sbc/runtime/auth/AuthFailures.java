package io.sbc.runtime.auth;

import java.net.InetAddress;

/**
 * Failed authentications per source address, in a fixed-size table shared by the loops: more than
 * {@code maxFailures} within a minute blocks the source for {@code blockMillis}; while blocked its
 * requests to authenticating rules are refused without a challenge (a password guesser gets nothing
 * to try against). Buckets of 4 slots chosen by the address; a full bucket gives up the entry least
 * recently failed, so memory stays bounded whatever the number of sources. One lock: failures are
 * rare next to requests, and the check is a few comparisons.
 */
final class AuthFailures {
  private static final int WAYS = 4;
  private static final long WINDOW_MILLIS = 60_000;

  private final InetAddress[] sources;
  private final long[] windowStart;
  private final int[] failures;
  private final long[] blockedUntil;
  private final int mask;
  private final int maxFailures;
  private final long blockMillis;
  private volatile long blocks;

  AuthFailures(int capacity, int maxFailures, long blockMillis) {
    sources = new InetAddress[capacity];
    windowStart = new long[capacity];
    failures = new int[capacity];
    blockedUntil = new long[capacity];
    mask = capacity - 1;
    this.maxFailures = maxFailures;
    this.blockMillis = blockMillis;
  }

  /** Whether the source is blocked now. */
  boolean blocked(InetAddress source, long now) {
    int b = bucket(source);
    synchronized (sources) {
      for (int i = b; i < b + WAYS; i++) {
        if (source.equals(sources[i])) {
          return blockedUntil[i] > now;
        }
      }
      return false;
    }
  }

  /** Counts a failure; returns true when it made the source blocked. */
  boolean failed(InetAddress source, long now) {
    int b = bucket(source);
    synchronized (sources) {
      int slot = -1;
      int oldest = b;
      for (int i = b; i < b + WAYS; i++) {
        if (source.equals(sources[i])) {
          slot = i;
          break;
        }
        if (sources[i] == null) {
          slot = i;
          break;
        }
        if (windowStart[i] < windowStart[oldest] && blockedUntil[i] <= now) {
          oldest = i;
        }
      }
      if (slot < 0) {
        slot = oldest;
        sources[slot] = null;
      }
      if (sources[slot] == null || now - windowStart[slot] > WINDOW_MILLIS) {
        sources[slot] = source;
        windowStart[slot] = now;
        failures[slot] = 0;
      }
      failures[slot]++;
      if (failures[slot] > maxFailures && blockMillis > 0 && blockedUntil[slot] <= now) {
        blockedUntil[slot] = now + blockMillis;
        blocks++;
        return true;
      }
      return false;
    }
  }

  /** How many times a source was blocked since start. */
  long blocks() {
    return blocks;
  }

  private int bucket(InetAddress a) {
    int h = a.hashCode() * 0x9E3779B9;
    return (h ^ (h >>> 16)) & mask & -WAYS;
  }
}
