package io.sbc.runtime.config;

import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * Watches the secret files the running configuration names (the sealing secret, as a mounted
 * Kubernetes Secret changes under a rotation) and asks for the configuration to be loaded again
 * when their content changes, so a rotated secret takes effect without a restart.
 *
 * <p>Polls a digest of the files' contents once per interval, on a worker thread (a Secret volume
 * changes through a symlink swap, which a poll sees and inotify on the file does not).
 */
public final class SecretFilesWatcher implements AutoCloseable {
  private final Vertx vertx;
  private final Supplier<List<String>> files;
  private final Runnable reload;
  private final long timerId;
  private volatile byte[] digest;
  private volatile boolean busy;

  /**
   * @param files the files to watch, read anew each time (a reload may name others)
   * @param reload what to do when their content changed
   */
  public SecretFilesWatcher(
      Vertx vertx, Supplier<List<String>> files, long intervalMillis, Runnable reload) {
    this.vertx = vertx;
    this.files = files;
    this.reload = reload;
    this.digest = digestOf(files.get());
    this.timerId = vertx.setPeriodic(intervalMillis, id -> poll());
  }

  private void poll() {
    if (busy) {
      return;
    }
    busy = true;
    vertx
        .executeBlocking(
            () -> {
              byte[] d = digestOf(files.get());
              if (!Arrays.equals(d, digest)) {
                digest = d;
                reload.run();
              }
              return null;
            },
            false)
        .onComplete(r -> busy = false);
  }

  /** One digest over every file's name and content (a missing file counts as absent). */
  static byte[] digestOf(List<String> paths) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (String p : paths) {
        md.update(p.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        md.update((byte) 0);
        try {
          md.update(Files.readAllBytes(Path.of(p)));
          md.update((byte) 1);
        } catch (IOException e) {
          md.update((byte) 2); // absent or unreadable: a change when it appears
        }
      }
      return md.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    vertx.cancelTimer(timerId);
  }
}
