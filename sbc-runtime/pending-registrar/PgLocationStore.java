package io.sbc.runtime.persistence;

import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.sbc.runtime.registrar.Binding;
import io.sbc.runtime.registrar.BindingChange;
import io.sbc.runtime.registrar.InMemoryLocationStore;
import io.sbc.runtime.registrar.LocationStore;
import io.sbc.runtime.registrar.StoreAnswer;
import io.sbc.runtime.sip.timer.Clock;
import io.sbc.runtime.sip.transport.Loop;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

/**
 * The registrar's bindings in PostgreSQL, shared by every replica, each replica answering lookups
 * from its own copy in memory (an {@link InMemoryLocationStore}, which also expires bindings on
 * time): lookups never wait for the database, and keep working while it is away.
 *
 * <p>An update runs in one transaction: an advisory lock on the address-of-record (so replicas
 * changing the same one take turns, and one that has no row yet is locked too), its rows read, the
 * {@link BindingChange} applied, the rows replaced, and {@code NOTIFY sbc_locations, aor}, which
 * PostgreSQL delivers at commit. Every replica LISTENs: a notification reloads that
 * address-of-record into its copy. At start, and after the listening connection comes back from
 * an outage (notifications missed), every row is loaded again.
 */
public final class PgLocationStore implements LocationStore, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(PgLocationStore.class);

  /** The channel of the notifications; the payload is the address-of-record. */
  public static final String CHANNEL = "sbc_locations";

  private final Vertx vertx;
  private final Mutiny.SessionFactory sessions;
  private final InMemoryLocationStore memory;
  private final Clock wallClock;
  private final PgSubscriber subscriber;
  private volatile boolean closed;
  private volatile long purgeTimer = -1;

  /** Notifications received, reloads done. */
  public final LongAdder notifications = new LongAdder();

  public final LongAdder updateFailures = new LongAdder();

  private PgLocationStore(
      Vertx vertx,
      Mutiny.SessionFactory sessions,
      PgConnectOptions listen,
      InMemoryLocationStore memory,
      Clock wallClock) {
    this.vertx = vertx;
    this.sessions = sessions;
    this.memory = memory;
    this.wallClock = wallClock;
    this.subscriber = PgSubscriber.subscriber(vertx, listen);
    subscriber.reconnectPolicy(retries -> closed ? -1L : 1000L);
    subscriber
        .channel(CHANNEL)
        .handler(this::reload)
        // (Re)subscribed: at start, and after the connection came back, missed notifications
        // included: everything is read again.
        .subscribeHandler(v -> loadAll());
  }

  /**
   * Opens the store: loads every binding that has not expired (waiting here, off the loops, at most
   * {@code waitSeconds}) and listens for the other replicas' changes.
   */
  public static PgLocationStore open(
      Vertx vertx,
      Mutiny.SessionFactory sessions,
      PgConnectOptions listen,
      InMemoryLocationStore memory,
      Clock wallClock,
      long waitSeconds) {
    PgLocationStore s = new PgLocationStore(vertx, sessions, listen, memory, wallClock);
    CompletableFuture<Void> connected = new CompletableFuture<>();
    s.subscriber
        .connect()
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                connected.complete(null);
              } else {
                connected.completeExceptionally(ar.cause());
              }
            });
    // Rows of bindings nobody refreshed: each replica expires its copy in memory on time; the
    // rows go here, once a minute, from any replica (deleting twice is harmless).
    s.purgeTimer = vertx.setPeriodic(60_000, id -> s.purgeExpired());
    try {
      connected.get(waitSeconds, TimeUnit.SECONDS);
    } catch (Exception e) {
      // Not fatal: lookups answer from memory and the subscriber keeps reconnecting.
      LOG.warnf("locations: cannot LISTEN yet (%s); retrying", e.toString());
    }
    return s;
  }

  @Override
  public void lookup(String aor, Loop loop, StoreAnswer<List<Binding>> answer) {
    memory.lookup(aor, loop, answer);
  }

  @Override
  public void list(String afterAor, int limit, Loop loop, StoreAnswer<List<Binding>> answer) {
    memory.list(afterAor, limit, loop, answer);
  }

  @Override
  public long size() {
    return memory.size();
  }

  @Override
  public void update(
      String aor, BindingChange change, Loop loop, StoreAnswer<BindingChange.Result> answer) {
    safeContext()
        .runOnContext(
            v ->
                Uni.createFrom()
                    .deferred(() -> write(aor, change))
                    .subscribe()
                    .with(
                        r -> {
                          if (r.isApplied()) {
                            replace(aor, r.bindings());
                          }
                          answerOn(loop, answer, r, null);
                        },
                        f -> {
                          updateFailures.increment();
                          answerOn(loop, answer, null, f);
                        }));
  }

  private Uni<BindingChange.Result> write(String aor, BindingChange change) {
    return sessions.withStatelessTransaction(
        s ->
            s.createNativeQuery(
                    "select count(*) from (select pg_advisory_xact_lock(hashtext(:aor))) l",
                    Long.class)
                .setParameter("aor", aor)
                .getSingleResult()
                .chain(
                    locked ->
                        s.createSelectionQuery(
                                "from LocationRow where aor = :aor order by position",
                                LocationRow.class)
                            .setParameter("aor", aor)
                            .getResultList())
                .chain(
                    rows -> {
                      long now = wallClock.millis();
                      List<Binding> current = new ArrayList<>(rows.size());
                      for (LocationRow r : rows) {
                        if (r.expiresAt > now) {
                          current.add(r.binding());
                        }
                      }
                      BindingChange.Result result = change.apply(current, now);
                      if (!result.isApplied()) {
                        return Uni.createFrom().item(result);
                      }
                      List<LocationRow> next = new ArrayList<>(result.bindings().size());
                      int position = 0;
                      for (Binding b : result.bindings()) {
                        if (b.expiresAt() > now) {
                          next.add(LocationRow.of(b, position++));
                        }
                      }
                      return s.createMutationQuery("delete from LocationRow where aor = :aor")
                          .setParameter("aor", aor)
                          .executeUpdate()
                          .chain(
                              n ->
                                  next.isEmpty()
                                      ? Uni.createFrom().voidItem()
                                      : s.insertMultiple(next))
                          .chain(
                              x ->
                                  s.createNativeQuery(
                                          "select count(*) from (select pg_notify(:channel,"
                                              + " :aor)) n",
                                          Long.class)
                                      .setParameter("channel", CHANNEL)
                                      .setParameter("aor", aor)
                                      .getSingleResult())
                          .replaceWith(result);
                    }));
  }

  /** Another replica (or this one) changed {@code aor}: its rows replace this replica's copy. */
  private void reload(String aor) {
    notifications.increment();
    safeContext()
        .runOnContext(
            v ->
                Uni.createFrom()
                    .deferred(
                        () ->
                            sessions.withStatelessSession(
                                s ->
                                    s.createSelectionQuery(
                                            "from LocationRow where aor = :aor order by position",
                                            LocationRow.class)
                                        .setParameter("aor", aor)
                                        .getResultList()))
                    .subscribe()
                    .with(
                        rows -> replace(aor, bindings(rows)),
                        f -> LOG.warnf("locations: cannot reload %s (%s)", aor, f.toString())));
  }

  private void purgeExpired() {
    safeContext()
        .runOnContext(
            v ->
                Uni.createFrom()
                    .deferred(
                        () ->
                            sessions.withStatelessTransaction(
                                s ->
                                    s.createMutationQuery(
                                            "delete from LocationRow where expiresAt <= :now")
                                        .setParameter("now", wallClock.millis())
                                        .executeUpdate()))
                    .subscribe()
                    .with(n -> {}, f -> {}));
  }

  /** Reads every binding that has not expired into this replica's copy. */
  private void loadAll() {
    safeContext()
        .runOnContext(
            v ->
                Uni.createFrom()
                    .deferred(
                        () ->
                            sessions.withStatelessSession(
                                s ->
                                    s.createSelectionQuery(
                                            "from LocationRow where expiresAt > :now order by aor,"
                                                + " position",
                                            LocationRow.class)
                                        .setParameter("now", wallClock.millis())
                                        .getResultList()))
                    .subscribe()
                    .with(
                        rows -> {
                          Map<String, List<LocationRow>> byAor = new LinkedHashMap<>();
                          for (LocationRow r : rows) {
                            byAor.computeIfAbsent(r.aor, k -> new ArrayList<>()).add(r);
                          }
                          byAor.forEach((aor, list) -> replace(aor, bindings(list)));
                          LOG.infof(
                              "locations: %d bindings of %d addresses-of-record loaded",
                              rows.size(), byAor.size());
                        },
                        f -> LOG.warnf("locations: cannot load the bindings (%s)", f.toString())));
  }

  private List<Binding> bindings(List<LocationRow> rows) {
    long now = wallClock.millis();
    List<Binding> l = new ArrayList<>(rows.size());
    for (LocationRow r : rows) {
      if (r.expiresAt > now) {
        l.add(r.binding());
      }
    }
    return l;
  }

  /** This replica's copy of {@code aor} becomes {@code bindings}. */
  private void replace(String aor, List<Binding> bindings) {
    memory.update(aor, (current, now) -> BindingChange.Result.applied(bindings), null, (r, f) -> {});
  }

  private static <T> void answerOn(Loop loop, StoreAnswer<T> answer, T result, Throwable failure) {
    if (loop == null) {
      answer.answered(result, failure);
    } else {
      loop.execute(() -> answer.answered(result, failure));
    }
  }

  private Context safeContext() {
    Context c = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
    VertxContextSafetyToggle.setContextSafe(c, true);
    return c;
  }

  @Override
  public void close() {
    closed = true;
    if (purgeTimer >= 0) {
      vertx.cancelTimer(purgeTimer);
    }
    subscriber.close();
  }
}
