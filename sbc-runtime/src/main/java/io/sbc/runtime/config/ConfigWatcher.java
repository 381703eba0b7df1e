package io.sbc.runtime.config;

import io.sbc.api.ConfigException;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Watches the configuration file and hands every valid new version to the running gateway; an
 * invalid one is refused with its errors and the running configuration keeps serving.
 *
 * <p>It polls (a content digest, once per interval) rather than using inotify: editors replace
 * files by rename, ConfigMaps mounted into pods change through symlink swaps, and a poll sees both.
 * Reading and compiling run on a worker thread, never on an event loop.
 */
public final class ConfigWatcher implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ConfigWatcher.class);

  private final Vertx vertx;
  private final Path file;
  private final String gateway;
  private final ConfigApplier apply;
  private final long timerId;
  private byte[] digest;
  private volatile boolean busy;

  /**
   * @param apply called on a worker thread with each valid new configuration
   */
  public ConfigWatcher(
      Vertx vertx, Path file, String gateway, long intervalMillis, ConfigApplier apply) {
    this.vertx = vertx;
    this.file = file;
    this.gateway = gateway;
    this.apply = apply;
    this.digest = digestOf(file);
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
              check();
              return null;
            },
            false)
        .onComplete(r -> busy = false);
  }

  /**
   * Loads the file again and applies it even though it did not change (a secret file it names did),
   * on a worker thread.
   */
  public void reapply() {
    vertx.executeBlocking(
        () -> {
          synchronized (this) {
            load();
          }
          return null;
        },
        false);
  }

  /** Reads the file; when its content changed, loads it and applies it or refuses it. */
  synchronized void check() {
    byte[] d = digestOf(file);
    if (d == null || Arrays.equals(d, digest)) {
      return;
    }
    digest = d;
    load();
  }

  private void load() {
    GatewayConfig next;
    try {
      next = GatewayConfig.load(file, gateway);
    } catch (ConfigException e) {
      LOG.errorf(
          "configuration %s changed but is refused; the running configuration stays:%n  %s",
          file, String.join("\n  ", e.errors()));
      apply.refused(e.errors());
      return;
    }
    try {
      apply.apply(next);
      LOG.infof("configuration %s reloaded", file);
    } catch (ConfigException e) {
      LOG.errorf(
          "configuration %s changed but is refused; the running configuration stays:%n  %s",
          file, String.join("\n  ", e.errors()));
      apply.refused(e.errors());
    } catch (RuntimeException e) {
      LOG.errorf(e, "configuration %s could not be applied; the running configuration stays", file);
      apply.refused(List.of(file + ": could not be applied: " + e));
    }
  }

  private static byte[] digestOf(Path file) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
    } catch (IOException e) {
      return null; // being replaced: the next poll sees the new file
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    vertx.cancelTimer(timerId);
  }
}
