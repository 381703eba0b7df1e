package io.sbc.runtime.accounting;

import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.sbc.runtime.persistence.AccountingRecord;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

/**
 * Writes the queued accounting records to PostgreSQL in batches, one batch at a time, each in a
 * stateless session on a duplicated Vert.x context (Hibernate Reactive's rule: the pg client's
 * callbacks, never a waiting thread). A batch that fails stays the next batch, tried again after a
 * back-off that grows to {@code maxBackoffMillis}; a retried batch first asks which of its ids are
 * already in (a commit whose answer was lost) and inserts only the others.
 */
public final class AccountingWriter implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(AccountingWriter.class);

  private final Vertx vertx;
  private final Mutiny.SessionFactory sessions;
  private final AccountingQueue queue;
  private final int batchSize;
  private final long intervalMillis;
  private final long maxBackoffMillis;

  /** A batch is being written; only one at a time. */
  private final AtomicBoolean writing = new AtomicBoolean();

  /** The batch that failed last, to be written before anything else; touched while writing. */
  private List<AccountingRecord> pending;

  private int failuresInARow;
  private volatile long notBefore;
  private volatile long timer = -1;
  private volatile boolean closed;

  final LongAdder batches = new LongAdder();
  final LongAdder failures = new LongAdder();

  public AccountingWriter(
      Vertx vertx,
      Mutiny.SessionFactory sessions,
      AccountingQueue queue,
      int batchSize,
      long intervalMillis,
      long maxBackoffMillis) {
    this.vertx = vertx;
    this.sessions = sessions;
    this.queue = queue;
    this.batchSize = batchSize;
    this.intervalMillis = intervalMillis;
    this.maxBackoffMillis = maxBackoffMillis;
  }

  /** Writes every {@code intervalMillis}, and at once again while full batches wait. */
  public void start() {
    timer = vertx.setPeriodic(intervalMillis, id -> flush());
  }

  /** Batches written since the start. */
  public long batches() {
    return batches.sum();
  }

  /** Batches that failed (each tried again). */
  public long failures() {
    return failures.sum();
  }

  /** Starts writing the next batch unless one is being written or a back-off runs. */
  void flush() {
    if (System.currentTimeMillis() < notBefore || !writing.compareAndSet(false, true)) {
      return;
    }
    boolean retry = pending != null;
    List<AccountingRecord> batch = retry ? pending : queue.take(batchSize);
    if (batch.isEmpty()) {
      writing.set(false);
      return;
    }
    pending = batch;
    Context context = safeContext(vertx);
    context.runOnContext(
        v ->
            Uni.createFrom()
                .deferred(() -> write(batch, retry))
                .subscribe()
                .with(
                    written -> {
                      pending = null;
                      queue.written(batch.size());
                      batches.increment();
                      if (failuresInARow > 0) {
                        LOG.infof(
                            "accounting: the database takes records again (%d failed tries)",
                            failuresInARow);
                      }
                      failuresInARow = 0;
                      notBefore = 0;
                      writing.set(false);
                      if (batch.size() == batchSize && !closed) {
                        context.runOnContext(
                            x -> flush()); // more wait: no need to wait the interval
                      }
                    },
                    failure -> {
                      failures.increment();
                      failuresInARow++;
                      long backoff =
                          Math.min(maxBackoffMillis, intervalMillis << Math.min(failuresInARow, 6));
                      notBefore = System.currentTimeMillis() + backoff;
                      if (failuresInARow == 1) {
                        LOG.warnf(
                            "accounting: %d records not written (%s); kept, trying again",
                            batch.size(), failure.toString());
                      }
                      writing.set(false);
                    }));
  }

  /**
   * A new duplicated context of an event loop, flagged safe: Hibernate Reactive keeps its session
   * there and refuses a context that others could share.
   */
  static Context safeContext(Vertx vertx) {
    // An event loop's: Hibernate Reactive refuses any other thread (HR000068).
    Context context = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
    VertxContextSafetyToggle.setContextSafe(context, true);
    return context;
  }

  private Uni<Integer> write(List<AccountingRecord> batch, boolean retry) {
    return sessions.withStatelessTransaction(
        s -> {
          if (!retry) {
            return s.insertMultiple(batch).replaceWith(batch.size());
          }
          List<UUID> ids = new ArrayList<>(batch.size());
          batch.forEach(r -> ids.add(r.id));
          return s.createSelectionQuery(
                  "select r.id from AccountingRecord r where r.id in :ids", UUID.class)
              .setParameter("ids", ids)
              .getResultList()
              .flatMap(
                  present -> {
                    Set<UUID> in = new HashSet<>(present);
                    List<AccountingRecord> missing = new ArrayList<>(batch.size());
                    for (AccountingRecord r : batch) {
                      if (!in.contains(r.id)) {
                        missing.add(r);
                      }
                    }
                    return missing.isEmpty()
                        ? Uni.createFrom().item(0)
                        : s.insertMultiple(missing).replaceWith(missing.size());
                  });
        });
  }

  /**
   * Stops the timer and writes what is held, waiting at most {@code waitMillis} (on the caller's
   * thread, never a loop); returns the records left unwritten.
   */
  public int drain(long waitMillis) throws InterruptedException {
    long t = timer;
    if (t >= 0) {
      vertx.cancelTimer(t);
    }
    long end = System.currentTimeMillis() + waitMillis;
    while (queue.held() > 0 && System.currentTimeMillis() < end) {
      notBefore = Math.min(notBefore, System.currentTimeMillis() + 200);
      flush();
      Thread.sleep(50);
    }
    closed = true;
    return queue.held();
  }

  @Override
  public void close() {
    closed = true;
    long t = timer;
    if (t >= 0) {
      vertx.cancelTimer(t);
    }
  }
}
