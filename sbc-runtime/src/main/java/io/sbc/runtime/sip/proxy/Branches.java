package io.sbc.runtime.sip.proxy;

import io.sbc.runtime.sip.message.HeaderName;
import io.sbc.runtime.sip.message.SipMessage;
import io.sbc.runtime.sip.message.Via;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The branch parameters this process writes into its Via (RFC 3261 section 8.1.1.7 and 16.6 step
 * 8): recognisable as the gateway's by a prefix every replica of the gateway shares (derived from
 * its name), carrying the loop-detection hash of the request (section 16.3 step 4), and otherwise
 * unpredictable: the unique part is a keyed pseudo-random function (SipHash-2-4 with a per-process
 * random key) of a counter, so that nobody who sees one branch can guess the next and answer a
 * transaction in the callee's place.
 *
 * <p>The prefix is the gateway's, not the process's, because a response may reach another replica
 * than the one that sent the request (a peer answering to the advertised address of the Service):
 * that replica takes the Via as its own and forwards the response statelessly (section 16.11), and
 * a request looping through two replicas is still seen as a loop.
 */
public final class Branches {
  private final byte[] prefix;
  private final String prefixText;
  private final String toTagPrefix;
  private final long k0;
  private final long k1;
  private final AtomicLong counter = new AtomicLong();

  /** Branches of a process that is the only one of its gateway (tests, tools). */
  public Branches() {
    this(null, new SecureRandom());
  }

  /** Branches of one replica of the gateway named {@code gateway}. */
  public Branches(String gateway) {
    this(gateway, new SecureRandom());
  }

  Branches(String gateway, java.util.Random random) {
    long idBits =
        gateway == null
            ? random.nextLong()
            : fnv(gateway.getBytes(StandardCharsets.UTF_8)); // the same for every replica
    String id = Long.toString(idBits & 0xFFFF_FFFFL, 36);
    this.prefixText = Via.MAGIC_COOKIE + "-sbc" + id + "-";
    this.prefix = prefixText.getBytes(StandardCharsets.ISO_8859_1);
    this.toTagPrefix = "sbc" + id;
    this.k0 = random.nextLong();
    this.k1 = random.nextLong();
  }

  /** A new branch for a request whose loop-detection hash is {@code loopHash}. */
  public String next(int loopHash) {
    return prefixText + hex8(loopHash) + Long.toHexString(sipHash(counter.incrementAndGet()));
  }

  /**
   * A branch for a request this SBC originates itself (dispatcher probes): ours, so responses reach
   * their client transaction, and never taken for a loop ('p' is not a hex digit of a loop hash).
   */
  public String nextProbe() {
    return prefixText + "p" + Long.toHexString(sipHash(counter.incrementAndGet()));
  }

  /** Stateless forwarding (16.11): the same incoming request always gets the same branch. */
  String stateless(SipMessage m, int loopHash) {
    Via v = m.topVia();
    int h = m.hash(v.start(), v.end());
    return prefixText + hex8(loopHash) + "s" + Integer.toHexString(h);
  }

  /** Whether the branch value at {@code b[from, to)} is one this process wrote. */
  public boolean isOurs(byte[] b, int from, int to) {
    if (from < 0 || to - from < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (b[from + i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether any Via of the request carries a branch of ours with this loop hash: the same request
   * came back unchanged, a loop rather than a spiral (section 16.3 step 4).
   */
  boolean loops(SipMessage m, int loopHash) {
    byte[] b = m.bytes();
    for (Via v : m.vias()) {
      int bs = v.branchValueStart();
      if (bs < 0
          || v.branchValueEnd() - bs < prefix.length + 9
          || !isOurs(b, bs, v.branchValueEnd())) {
        continue;
      }
      int p = bs + prefix.length;
      int h = 0;
      boolean hex = true;
      for (int i = 0; i < 8 && hex; i++) {
        int d = Character.digit(b[p + i], 16);
        hex = d >= 0;
        h = (h << 4) | Math.max(d, 0);
      }
      if (hex && h == loopHash) {
        return true;
      }
    }
    return false;
  }

  /**
   * A hash of what identifies this request at this hop (section 16.6 step 8): Request-URI, Call-ID,
   * CSeq number, tags and Proxy-Require. Not the top Via: it is the previous hop's, so a request
   * that loops back carries another top Via than when it first came.
   */
  static int loopHash(SipMessage m) {
    int h = m.hash(m.uriStart(), m.uriEnd());
    h = 31 * h + m.hash(m.headerValueStart(m.callIdHeader()), m.headerValueEnd(m.callIdHeader()));
    h = 31 * h + Long.hashCode(m.cseq());
    String ft = m.fromTag();
    h = 31 * h + (ft == null ? 0 : ft.hashCode());
    String tt = m.toTag();
    h = 31 * h + (tt == null ? 0 : tt.hashCode());
    int pr = m.findHeader(HeaderName.PROXY_REQUIRE);
    if (pr >= 0) {
      h = 31 * h + m.hash(m.headerValueStart(pr), m.headerValueEnd(pr));
    }
    return h;
  }

  /** A To tag for a response this proxy builds itself: the same for retransmissions. */
  String toTag(SipMessage req) {
    int c = req.callIdHeader();
    return toTagPrefix
        + Integer.toHexString(c < 0 ? 0 : req.hash(req.headerValueStart(c), req.headerValueEnd(c)));
  }

  private static String hex8(int v) {
    String s = Integer.toHexString(v);
    return "00000000".substring(s.length()) + s;
  }

  private static long fnv(byte[] b) {
    long h = 0xcbf29ce484222325L;
    for (byte x : b) {
      h = (h ^ (x & 0xFF)) * 0x100000001b3L;
    }
    return h;
  }

  /** SipHash-2-4 of one 64-bit word under the process key (Aumasson and Bernstein, 2012). */
  long sipHash(long m) {
    long v0 = k0 ^ 0x736f6d6570736575L;
    long v1 = k1 ^ 0x646f72616e646f6dL;
    long v2 = k0 ^ 0x6c7967656e657261L;
    long v3 = k1 ^ 0x7465646279746573L;
    v3 ^= m;
    for (int i = 0; i < 2; i++) {
      v0 += v1;
      v1 = Long.rotateLeft(v1, 13);
      v1 ^= v0;
      v0 = Long.rotateLeft(v0, 32);
      v2 += v3;
      v3 = Long.rotateLeft(v3, 16);
      v3 ^= v2;
      v0 += v3;
      v3 = Long.rotateLeft(v3, 21);
      v3 ^= v0;
      v2 += v1;
      v1 = Long.rotateLeft(v1, 17);
      v1 ^= v2;
      v2 = Long.rotateLeft(v2, 32);
    }
    v0 ^= m;
    long b = 8L << 56; // the message length in the last block
    v3 ^= b;
    for (int i = 0; i < 2; i++) {
      v0 += v1;
      v1 = Long.rotateLeft(v1, 13);
      v1 ^= v0;
      v0 = Long.rotateLeft(v0, 32);
      v2 += v3;
      v3 = Long.rotateLeft(v3, 16);
      v3 ^= v2;
      v0 += v3;
      v3 = Long.rotateLeft(v3, 21);
      v3 ^= v0;
      v2 += v1;
      v1 = Long.rotateLeft(v1, 17);
      v1 ^= v2;
      v2 = Long.rotateLeft(v2, 32);
    }
    v0 ^= b;
    v2 ^= 0xff;
    for (int i = 0; i < 4; i++) {
      v0 += v1;
      v1 = Long.rotateLeft(v1, 13);
      v1 ^= v0;
      v0 = Long.rotateLeft(v0, 32);
      v2 += v3;
      v3 = Long.rotateLeft(v3, 16);
      v3 ^= v2;
      v0 += v3;
      v3 = Long.rotateLeft(v3, 21);
      v3 ^= v0;
      v2 += v1;
      v1 = Long.rotateLeft(v1, 17);
      v1 ^= v2;
      v2 = Long.rotateLeft(v2, 32);
    }
    return v0 ^ v1 ^ v2 ^ v3;
  }
}
