package io.sbc.runtime.auth;

import io.sbc.runtime.seal.SealKeys;
import io.sbc.runtime.sip.timer.Clock;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Stateless digest nonces (RFC 7616 section 3.3 leaves their form to the server): the sealing key's
 * id, the wall-clock issue time, 8 random bytes and an HMAC-SHA256 (128 bits kept) of these and the
 * realm under a key derived from the gateway's secret, base64url. Any replica holding the secret
 * verifies a nonce another issued, a restarted one too; a nonce of another realm, tampered with or
 * under an unknown key is invalid, one older than the lifetime is stale (RFC 7616 section 3.3:
 * stale=true tells the client to retry with a new nonce, not to ask for a password).
 */
final class Nonces {
  enum State {
    VALID,
    STALE,
    INVALID
  }

  private static final int RAW = 1 + 8 + 8 + 16;

  /** The nonce's identity for the nonce-count table: its first 8 MAC bytes. */
  static final int ID_OFFSET = 17;

  private static final ThreadLocal<Mac> MAC =
      ThreadLocal.withInitial(
          () -> {
            try {
              return Mac.getInstance("HmacSHA256");
            } catch (GeneralSecurityException e) {
              throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
            }
          });

  private volatile SealKeys keys;
  private volatile SecretKeySpec[] specs;
  private final Clock wallClock;
  private final long lifetimeMillis;

  Nonces(SealKeys keys, Clock wallClock, long lifetimeMillis) {
    this.wallClock = wallClock;
    this.lifetimeMillis = lifetimeMillis;
    keys(keys);
  }

  /** Takes the keys of a new configuration (a rotation: the previous ones still verify). */
  void keys(SealKeys k) {
    SecretKeySpec[] s = new SecretKeySpec[k.keys().size()];
    for (int i = 0; i < s.length; i++) {
      s[i] = new SecretKeySpec(k.keys().get(i).digestNonceKey(), "HmacSHA256");
    }
    this.specs = s;
    this.keys = k;
  }

  long lifetimeMillis() {
    return lifetimeMillis;
  }

  /** A new nonce for {@code realm}. */
  String issue(String realm) {
    byte[] raw = new byte[RAW];
    SealKeys.Key k = keys.keys().get(0);
    raw[0] = k.id();
    putLong(raw, 1, wallClock.millis());
    putLong(raw, 9, ThreadLocalRandom.current().nextLong());
    byte[] mac = mac(specs[0], raw, realm);
    System.arraycopy(mac, 0, raw, 17, 16);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
  }

  /** Whether {@code nonce} was issued by a holder of the secret for {@code realm}, and is fresh. */
  State check(String nonce, String realm) {
    byte[] raw = decode(nonce);
    if (raw == null) {
      return State.INVALID;
    }
    SealKeys k = keys;
    SecretKeySpec[] s = specs;
    for (int i = 0; i < s.length && i < k.keys().size(); i++) {
      if (k.keys().get(i).id() != raw[0]) {
        continue;
      }
      byte[] mac = mac(s[i], raw, realm);
      if (MessageDigest.isEqual(java.util.Arrays.copyOf(mac, 16), slice(raw, 17, 16))) {
        long issued = getLong(raw, 1);
        long age = wallClock.millis() - issued;
        return age >= -5_000 && age <= lifetimeMillis ? State.VALID : State.STALE;
      }
    }
    return State.INVALID;
  }

  /** When a valid nonce stops being accepted (wall-clock milliseconds). */
  long expiresAt(String nonce) {
    byte[] raw = decode(nonce);
    return raw == null ? 0 : getLong(raw, 1) + lifetimeMillis;
  }

  /** A 64-bit identity of a valid nonce (part of its MAC: unpredictable, unique in practice). */
  static long id(String nonce) {
    byte[] raw = decode(nonce);
    return raw == null ? 0 : getLong(raw, ID_OFFSET);
  }

  private static byte[] decode(String nonce) {
    if (nonce.length() != 44) {
      return null;
    }
    try {
      byte[] raw = Base64.getUrlDecoder().decode(nonce);
      return raw.length == RAW ? raw : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static byte[] mac(SecretKeySpec key, byte[] raw, String realm) {
    Mac m = MAC.get();
    try {
      m.init(key);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
    m.update(raw, 0, 17);
    m.update(realm.toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.UTF_8));
    return m.doFinal();
  }

  private static byte[] slice(byte[] b, int from, int n) {
    return java.util.Arrays.copyOfRange(b, from, from + n);
  }

  private static void putLong(byte[] b, int at, long v) {
    for (int i = 7; i >= 0; i--) {
      b[at + i] = (byte) v;
      v >>>= 8;
    }
  }

  private static long getLong(byte[] b, int at) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (b[at + i] & 0xff);
    }
    return v;
  }
}
