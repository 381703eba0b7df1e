package io.sbc.runtime.dispatcher;

/** The hashes of the Hash algorithm, fixed here so every SBC instance and restart agrees. */
final class Hashing {
  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;

  private Hashing() {}

  /** 64-bit FNV-1a of a byte range: stable across JVMs, unlike String.hashCode's 32 bits. */
  static long fnv1a(byte[] b, int from, int to) {
    long h = FNV_OFFSET;
    for (int i = from; i < to; i++) {
      h ^= b[i] & 0xFF;
      h *= FNV_PRIME;
    }
    return h;
  }

  /** FNV-1a of a string's chars (ASCII URIs: the same as of their bytes). */
  static long fnv1a(String s) {
    long h = FNV_OFFSET;
    for (int i = 0; i < s.length(); i++) {
      h ^= s.charAt(i) & 0xFFFF;
      h *= FNV_PRIME;
    }
    return h;
  }

  /** MurmurHash3's finaliser: spreads every input bit over the result, a bijection. */
  static long fmix64(long k) {
    k ^= k >>> 33;
    k *= 0xff51afd7ed558ccdL;
    k ^= k >>> 33;
    k *= 0xc4ceb9fe1a85ec53L;
    k ^= k >>> 33;
    return k;
  }

  /** The rendezvous score of a key at a destination: the highest score wins. */
  static long score(long key, long seed) {
    return fmix64(key ^ seed);
  }
}
