package io.sbc.runtime.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sbc.runtime.registrar.Binding;
import io.sbc.runtime.registrar.BindingChange;
import io.sbc.runtime.registrar.InMemoryLocationStore;
import io.sbc.runtime.sip.timer.Clock;
import io.sbc.runtime.sip.transport.Loop;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Two replicas' location stores on one PostgreSQL: a registration through A is found by B (which
 * learns it only through LISTEN/NOTIFY: it never asks the database on a lookup), removals too, and
 * a store opened later (a restarted replica) finds every binding. Prints the propagation times.
 */
@QuarkusTest
@QuarkusTestResource(value = TestDatabase.class, restrictToAnnotatedClass = true)
class PgLocationStoreTest {
  @Inject Database database;
  @Inject Vertx vertx;

  @ConfigProperty(name = "quarkus.datasource.reactive.url")
  String url;

  private PgLocationStore open() {
    PgConnectOptions listen = PgConnectOptions.fromUri(url).setUser(TestDatabase.USER);
    Loop loop = Loop.driven(0, Runnable::run, () -> true, Clock.SYSTEM);
    return PgLocationStore.open(
        vertx,
        database.sessions(),
        listen,
        new InMemoryLocationStore(System::currentTimeMillis, loop, 100_000),
        System::currentTimeMillis,
        10);
  }

  private static Binding binding(String aor, String contact, long expiresAt) {
    long now = System.currentTimeMillis();
    return new Binding(aor, contact, null, 0, 1000, expiresAt, "cid-" + contact, 1, List.of(),
        "127.0.0.1", 5060, "udp", "127.0.0.1:5060", "a", null, "test", now);
  }

  private static BindingChange.Result update(PgLocationStore s, String aor, List<Binding> next)
      throws Exception {
    CompletableFuture<BindingChange.Result> f = new CompletableFuture<>();
    s.update(aor, (current, now) -> BindingChange.Result.applied(next), null,
        (r, e) -> { if (e != null) f.completeExceptionally(e); else f.complete(r); });
    return f.get(20, TimeUnit.SECONDS);
  }

  private static List<Binding> lookup(PgLocationStore s, String aor) {
    List<List<Binding>> out = new ArrayList<>();
    s.lookup(aor, null, (r, e) -> out.add(r)); // from memory: answered before it returns
    return out.get(0);
  }

  @Test
  void aRegistrationThroughOneReplicaIsFoundByTheOther() throws Exception {
    try (PgLocationStore a = open(); PgLocationStore b = open()) {
      Thread.sleep(500); // both listening
      List<Long> micros = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        String aor = "sip:user" + i + "@example.com";
        long expires = System.currentTimeMillis() + 3_600_000;
        assertTrue(update(a, aor, List.of(binding(aor, "sip:u@10.0.0." + i, expires))).isApplied());
        long t0 = System.nanoTime();
        long deadline = t0 + 10_000_000_000L;
        while (lookup(b, aor).isEmpty() && System.nanoTime() < deadline) {
          Thread.onSpinWait();
        }
        micros.add((System.nanoTime() - t0) / 1000);
        assertEquals("sip:u@10.0.0." + i, lookup(b, aor).get(0).contact(), "B found A's binding");
      }
      Collections.sort(micros);
      System.out.printf(
          "location propagation A -> B after A's commit: median %d us, max %d us over %d%n",
          micros.get(micros.size() / 2), micros.get(micros.size() - 1), micros.size());
      // A removal propagates too.
      update(a, "sip:user0@example.com", List.of());
      long end = System.currentTimeMillis() + 10_000;
      while (!lookup(b, "sip:user0@example.com").isEmpty() && System.currentTimeMillis() < end) {
        Thread.sleep(5);
      }
      assertTrue(lookup(b, "sip:user0@example.com").isEmpty(), "B saw the removal");
    }
    // A replica started afterwards (or restarted) loads what is registered.
    try (PgLocationStore c = open()) {
      long end = System.currentTimeMillis() + 10_000;
      while (lookup(c, "sip:user29@example.com").isEmpty() && System.currentTimeMillis() < end) {
        Thread.sleep(10);
      }
      assertEquals("sip:u@10.0.0.29", lookup(c, "sip:user29@example.com").get(0).contact());
      assertEquals(29, c.size());
    }
  }
}
