package io.sbc.runtime.seal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The secrets a gateway's replicas share, the current one first; the others are still accepted
 * while a rotation is under way. Each secret yields keys for separate purposes (HKDF-style
 * derivation with HMAC-SHA256), so that a token of one kind never verifies as another.
 */
public final class SealKeys {
  /** A secret shorter than this is refused: 128 bits is the least a MAC key should have. */
  public static final int MIN_SECRET_BYTES = 16;

  /**
   * One secret's derived keys and its one-byte id (which key sealed a token): for the Record-Route
   * MAC, for the encryption of hidden dialog state, for the nonce of the Call-ID mask, and for the
   * MAC of digest authentication nonces (every replica verifies the nonces another issued).
   */
  public record Key(
      byte id, byte[] routeKey, byte[] dialogKey, byte[] callIdNonceKey, byte[] digestNonceKey) {}

  private final List<Key> keys;
  private final boolean generated;

  private SealKeys(List<Key> keys, boolean generated) {
    this.keys = List.copyOf(keys);
    this.generated = generated;
  }

  /**
   * Keys from secrets, current first.
   *
   * @throws IllegalArgumentException for a secret shorter than {@link #MIN_SECRET_BYTES}
   */
  public static SealKeys of(List<byte[]> secrets) {
    if (secrets.isEmpty()) {
      throw new IllegalArgumentException("no secret");
    }
    List<Key> ks = new ArrayList<>();
    for (byte[] s : secrets) {
      if (s.length < MIN_SECRET_BYTES) {
        throw new IllegalArgumentException(
            "a sealing secret must have at least " + MIN_SECRET_BYTES + " bytes");
      }
      byte[] id = derive(s, "sbc key id");
      ks.add(
          new Key(
              id[0],
              derive(s, "sbc route seal v1"),
              derive(s, "sbc dialog seal v1"),
              derive(s, "sbc call-id nonce v1"),
              derive(s, "sbc digest nonce v1")));
    }
    return new SealKeys(ks, false);
  }

  /**
   * A random secret of this process only: nothing it seals survives a restart or another replica.
   */
  public static SealKeys generated() {
    byte[] s = new byte[32];
    new SecureRandom().nextBytes(s);
    return new SealKeys(of(List.of(s)).keys, true);
  }

  /** Whether the secret was generated at start (no shared key configured). */
  public boolean isGenerated() {
    return generated;
  }

  /** The keys, current first (the one that seals), then those still accepted. */
  public List<Key> keys() {
    return keys;
  }

  static byte[] derive(byte[] secret, String purpose) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return mac.doFinal(purpose.getBytes(StandardCharsets.US_ASCII));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }
}
