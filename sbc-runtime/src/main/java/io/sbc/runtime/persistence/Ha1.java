package io.sbc.runtime.persistence;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * HA1, what a digest server keeps instead of the password: H(username ":" realm ":" password) in
 * lower-case hex (RFC 7616 section 3.4.2; RFC 3261 section 22.4 for MD5, RFC 8760 for SHA-256).
 */
public final class Ha1 {
  private Ha1() {}

  public static String md5(String username, String realm, String password) {
    return hash("MD5", username, realm, password);
  }

  public static String sha256(String username, String realm, String password) {
    return hash("SHA-256", username, realm, password);
  }

  private static String hash(String algorithm, String username, String realm, String password) {
    try {
      MessageDigest d = MessageDigest.getInstance(algorithm);
      return HexFormat.of()
          .formatHex(
              d.digest((username + ":" + realm + ":" + password).getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
