package io.sbc.runtime.auth;

/**
 * The highest nonce count seen per nonce (RFC 7616 section 3.4: a count not above the last one is a
 * replay), in a fixed-size table shared by the loops: buckets of 8 slots, one chosen by the nonce's
 * id, each bucket locked by its stripe. A slot is reused only once its nonce has expired, so a
 * replay is never accepted because its record was pushed out; when a window has no such slot the
 * nonce is not accepted and the client is told it is stale (it retries with a new nonce, which
 * lands elsewhere). Each replica keeps its own table: a replay sent to another replica within the
 * nonce's lifetime is not seen there.
 */
final class NonceCounts {
  private static final int PROBES = 8;
  private static final int STRIPES = 64;

  private final long[] ids;
  private final long[] expires;
  private final long[] counts;
  private final int mask;
  private final Object[] locks = new Object[STRIPES];

  /**
   * @param capacity the number of slots, a power of two
   */
  NonceCounts(int capacity) {
    if (Integer.bitCount(capacity) != 1 || capacity < PROBES) {
      throw new IllegalArgumentException("capacity must be a power of two: " + capacity);
    }
    ids = new long[capacity];
    expires = new long[capacity];
    counts = new long[capacity];
    mask = capacity - 1;
    for (int i = 0; i < STRIPES; i++) {
      locks[i] = new Object();
    }
  }

  /**
   * Records {@code nc} for the nonce if it is above every count used with it before.
   *
   * @return true when accepted; false for a replay, or when the table has no room for a new nonce
   */
  boolean accept(long id, long expiresAt, long nc, long now) {
    int home = (int) (id ^ (id >>> 29)) & mask & -PROBES;
    synchronized (locks[(home / PROBES) & (STRIPES - 1)]) {
      int free = -1;
      for (int p = 0; p < PROBES; p++) {
        int i = home + p;
        if (ids[i] == id && expires[i] > now) {
          if (nc <= counts[i]) {
            return false;
          }
          counts[i] = nc;
          return true;
        }
        if (free < 0 && expires[i] <= now) {
          free = i;
        }
      }
      if (free < 0) {
        return false;
      }
      ids[free] = id;
      expires[free] = expiresAt;
      counts[free] = nc;
      return true;
    }
  }
}
