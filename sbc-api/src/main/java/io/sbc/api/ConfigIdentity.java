package io.sbc.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * How a runtime tells which configuration it runs: the SHA-256 of the configuration text it applied
 * last, reported by its management API at {@value #STATUS_PATH} as {@code
 * {"config":{"sha256":"..."}}}; the operator compares it with the text it wrote into the ConfigMap.
 */
public final class ConfigIdentity {
  private ConfigIdentity() {}

  /** The management endpoint that reports it. */
  public static final String STATUS_PATH = "/sbc/status";

  /** The object of the status document that describes the running configuration. */
  public static final String STATUS_FIELD = "config";

  /** The field of {@link #STATUS_FIELD} holding the hash. */
  public static final String SHA256_FIELD = "sha256";

  /** The lowercase hex SHA-256 of the configuration text (UTF-8). */
  public static String sha256(String configText) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256")
                  .digest(configText.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
