package io.sbc.runtime.management.api;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The bearer token of the management API: {@code sbc.management.token} ({@code
 * SBC_MANAGEMENT_TOKEN}) or the content of the file {@code sbc.management.token-file} ({@code
 * SBC_MANAGEMENT_TOKEN_FILE}, a mounted Secret: read again when it changes, so a rotated Secret
 * takes effect without a restart). Tokens are compared through their SHA-256 digests with {@link
 * MessageDigest#isEqual}: the time taken says nothing of the token, not even its length.
 */
@ApplicationScoped
public class ManagementToken {
  private static final Logger LOG = Logger.getLogger(ManagementToken.class);

  /** Shorter tokens are refused: they could be guessed. */
  static final int MIN_LENGTH = 16;

  @Inject
  @ConfigProperty(name = "sbc.management.token")
  Optional<String> token;

  @Inject
  @ConfigProperty(name = "sbc.management.token-file")
  Optional<String> tokenFile;

  private record Loaded(FileTime modified, byte[] digest) {}

  private volatile Loaded fromFile;
  private volatile long checkedAt;

  /** Whether a usable token is configured (otherwise the API refuses every call). */
  public boolean configured() {
    return expected() != null;
  }

  /** Whether {@code presented} is the token. */
  public boolean matches(String presented) {
    byte[] want = expected();
    return want != null && presented != null && MessageDigest.isEqual(want, digest(presented));
  }

  private byte[] expected() {
    if (tokenFile.isPresent() && !tokenFile.get().isBlank()) {
      return fromFile(Path.of(tokenFile.get().strip()));
    }
    String t = token.map(String::strip).orElse("");
    return t.length() >= MIN_LENGTH ? digest(t) : null;
  }

  /** The file's token, read again at most once a second when its modification time changed. */
  private byte[] fromFile(Path file) {
    Loaded l = fromFile;
    long now = System.currentTimeMillis();
    if (l != null && now - checkedAt < 1000) {
      return l.digest;
    }
    checkedAt = now;
    try {
      FileTime m = Files.getLastModifiedTime(file);
      if (l != null && m.equals(l.modified)) {
        return l.digest;
      }
      String t = Files.readString(file, StandardCharsets.UTF_8).strip();
      if (t.length() < MIN_LENGTH) {
        LOG.warnf(
            "management token file %s holds fewer than %d characters: the API is closed",
            file, MIN_LENGTH);
        fromFile = new Loaded(m, null);
        return null;
      }
      fromFile = new Loaded(m, digest(t));
      return fromFile.digest;
    } catch (IOException e) {
      if (l == null || l.digest != null) {
        LOG.warnf("management token file %s cannot be read: the API is closed", file);
      }
      fromFile = new Loaded(FileTime.fromMillis(0), null);
      return null;
    }
  }

  static byte[] digest(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
