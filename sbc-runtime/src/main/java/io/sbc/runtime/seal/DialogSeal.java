package io.sbc.runtime.seal;

import io.netty.util.concurrent.FastThreadLocal;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Authenticated encryption (AES-128-GCM) of what topology hiding must restore later: the route set
 * and the true Contact of each side, and the Call-ID. Tokens are base64url text safe in a URI user
 * part, a URI parameter and a Call-ID; they open with any key the gateway holds (current or
 * previous), only for the dialog they were made for (the original Call-ID is the associated data),
 * and a tampered, truncated or foreign token never opens.
 *
 * <p>Layout before base64url: key id (1), nonce (12: a per-process random prefix and a counter, so
 * no two tokens of any replica share a nonce in practice), ciphertext, tag (12). The Call-ID mask
 * is deterministic instead (its nonce is a MAC of the Call-ID), so every message of a dialog, from
 * any replica, carries the same masked Call-ID, and it still opens back to the original.
 */
public final class DialogSeal {
  static final int NONCE = 12;
  static final int TAG = 12;

  /** What a token is for: a token of one kind never opens as another (associated data). */
  public enum Kind {
    CONTACT,
    ROUTES,
    REDIRECT,
    CALL_ID,
    VIA
  }

  private final SealKeys keys;
  private final byte[][] encKeys;
  private final byte[][] nonceKeys;
  private final byte[] noncePrefix = new byte[4];
  private final AtomicLong counter = new AtomicLong();

  private final FastThreadLocal<Cipher> ciphers =
      new FastThreadLocal<>() {
        @Override
        protected Cipher initialValue() throws GeneralSecurityException {
          return Cipher.getInstance("AES/GCM/NoPadding");
        }
      };

  private final FastThreadLocal<Mac[]> macs =
      new FastThreadLocal<>() {
        @Override
        protected Mac[] initialValue() throws GeneralSecurityException {
          Mac[] m = new Mac[nonceKeys.length];
          for (int i = 0; i < m.length; i++) {
            m[i] = Mac.getInstance("HmacSHA256");
            m[i].init(new SecretKeySpec(nonceKeys[i], "HmacSHA256"));
          }
          return m;
        }
      };

  public DialogSeal(SealKeys keys) {
    this.keys = keys;
    List<SealKeys.Key> ks = keys.keys();
    encKeys = new byte[ks.size()][];
    nonceKeys = new byte[ks.size()][];
    for (int i = 0; i < ks.size(); i++) {
      encKeys[i] = Arrays.copyOf(ks.get(i).dialogKey(), 16);
      nonceKeys[i] = ks.get(i).callIdNonceKey();
    }
    new SecureRandom().nextBytes(noncePrefix);
  }

  /**
   * Seals {@code plain} for the dialog whose original Call-ID is {@code callId[from, to)}.
   *
   * @return base64url text
   */
  public String seal(Kind kind, byte[] plain, byte[] callId, int from, int to) {
    byte[] nonce = new byte[NONCE];
    System.arraycopy(noncePrefix, 0, nonce, 0, 4);
    long c = counter.incrementAndGet();
    for (int i = 0; i < 8; i++) {
      nonce[4 + i] = (byte) (c >>> (56 - 8 * i));
    }
    return encrypt(0, kind, nonce, plain, callId, from, to);
  }

  /**
   * Opens a token read from {@code token[tFrom, tTo)}.
   *
   * @return the plain bytes, or null when it does not open (malformed, tampered, foreign key,
   *     another dialog, another kind)
   */
  public byte[] open(Kind kind, byte[] token, int tFrom, int tTo, byte[] callId, int from, int to) {
    if (tTo - tFrom < 4 || tTo - tFrom > 2048) {
      return null;
    }
    byte[] t;
    try {
      t = Base64.getUrlDecoder().decode(Arrays.copyOfRange(token, tFrom, tTo));
    } catch (IllegalArgumentException e) {
      return null;
    }
    if (t.length < 1 + NONCE + TAG) {
      return null;
    }
    List<SealKeys.Key> ks = keys.keys();
    for (int i = 0; i < ks.size(); i++) {
      if (ks.get(i).id() != t[0]) {
        continue;
      }
      try {
        Cipher cipher = ciphers.get();
        cipher.init(
            Cipher.DECRYPT_MODE,
            new SecretKeySpec(encKeys[i], "AES"),
            new GCMParameterSpec(TAG * 8, t, 1, NONCE));
        cipher.updateAAD(new byte[] {(byte) kind.ordinal()});
        if (callId != null) {
          cipher.updateAAD(callId, from, to - from);
        }
        return cipher.doFinal(t, 1 + NONCE, t.length - 1 - NONCE);
      } catch (GeneralSecurityException e) {
        // Not this key (an id collision), or not authentic: try the next one.
      }
    }
    return null;
  }

  /**
   * The Call-ID as the other side sees it: the same for every message of the dialog and every
   * replica (deterministic), and reversible with {@link #unmaskCallId}.
   */
  public String maskCallId(byte[] callId, int from, int to) {
    Mac mac = macs.get()[0];
    mac.update(callId, from, to - from);
    byte[] nonce = Arrays.copyOf(mac.doFinal(), NONCE);
    return encrypt(0, Kind.CALL_ID, nonce, Arrays.copyOfRange(callId, from, to), null, 0, 0);
  }

  /**
   * The original Call-ID of a masked one, or null when {@code b[from, to)} is not a mask of ours.
   */
  public byte[] unmaskCallId(byte[] b, int from, int to) {
    return open(Kind.CALL_ID, b, from, to, null, 0, 0);
  }

  private String encrypt(
      int keyIndex, Kind kind, byte[] nonce, byte[] plain, byte[] callId, int from, int to) {
    try {
      Cipher cipher = ciphers.get();
      cipher.init(
          Cipher.ENCRYPT_MODE,
          new SecretKeySpec(encKeys[keyIndex], "AES"),
          new GCMParameterSpec(TAG * 8, nonce));
      cipher.updateAAD(new byte[] {(byte) kind.ordinal()});
      if (callId != null) {
        cipher.updateAAD(callId, from, to - from);
      }
      byte[] out = new byte[1 + NONCE + plain.length + TAG];
      out[0] = keys.keys().get(keyIndex).id();
      System.arraycopy(nonce, 0, out, 1, NONCE);
      cipher.doFinal(plain, 0, plain.length, out, 1 + NONCE);
      return Base64.getUrlEncoder().withoutPadding().encodeToString(out);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is part of every JDK", e);
    }
  }
}
