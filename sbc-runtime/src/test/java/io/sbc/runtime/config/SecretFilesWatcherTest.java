package io.sbc.runtime.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A rotated secret file (content changed, or a previous file appearing) asks for a reload. */
class SecretFilesWatcherTest {
  @TempDir Path dir;

  @Test
  void aChangedOrNewSecretFileAsksForAReload() throws Exception {
    Path secret = dir.resolve("secret");
    Path previous = dir.resolve("previous");
    Files.writeString(secret, "first secret of the gateway");
    Vertx vertx = Vertx.vertx();
    AtomicInteger reloads = new AtomicInteger();
    try (SecretFilesWatcher w =
        new SecretFilesWatcher(
            vertx,
            () -> List.of(secret.toString(), previous.toString()),
            50,
            reloads::incrementAndGet)) {
      Thread.sleep(300);
      assertEquals(0, reloads.get(), "nothing changed");
      Files.writeString(previous, "first secret of the gateway");
      Files.writeString(secret, "second secret, after rotation");
      long deadline = System.currentTimeMillis() + 5000;
      while (reloads.get() == 0 && System.currentTimeMillis() < deadline) {
        Thread.sleep(20);
      }
      assertTrue(reloads.get() >= 1, "the rotation was seen");
      // Two files were written: a poll between the writes sees them as two changes.
      Thread.sleep(300);
      int seen = reloads.get();
      assertTrue(seen <= 2, "at most once per file changed: " + seen);
      Thread.sleep(300);
      assertEquals(seen, reloads.get(), "nothing more while nothing changes");
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
  }
}
