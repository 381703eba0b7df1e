package io.sbc.runtime.accounting;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sbc.runtime.persistence.Database;
import io.sbc.runtime.sip.proxy.CallEvents;
import io.sbc.runtime.sip.timer.Clock;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Accounting for this process: on when a database is configured, off otherwise. Its queue, writer
 * and metrics ({@code sbc_accounting_records_total{result}}, {@code sbc_accounting_held}).
 */
@ApplicationScoped
public class Accounting {
  private static final Logger LOG = Logger.getLogger(Accounting.class);

  @Inject Database database;
  @Inject Vertx vertx;
  @Inject MeterRegistry registry;

  @Inject
  @ConfigProperty(name = "sbc.accounting.enabled", defaultValue = "true")
  boolean enabled;

  /** Records held at most while the database is away (about 300 bytes each). */
  @Inject
  @ConfigProperty(name = "sbc.accounting.queue-capacity", defaultValue = "100000")
  int capacity;

  @Inject
  @ConfigProperty(name = "sbc.accounting.batch-size", defaultValue = "200")
  int batchSize;

  @Inject
  @ConfigProperty(name = "sbc.accounting.interval-ms", defaultValue = "500")
  long intervalMillis;

  @Inject
  @ConfigProperty(name = "sbc.accounting.max-backoff-ms", defaultValue = "5000")
  long maxBackoffMillis;

  private volatile AccountingQueue queue;
  private volatile AccountingWriter writer;
  private volatile CallAccounting calls;

  /**
   * Starts accounting for a gateway; returns the subscriber to its call events, or null when there
   * is no database (or accounting is turned off).
   */
  public synchronized CallEvents start(String gateway) {
    if (calls != null) {
      return calls;
    }
    if (!enabled || !database.active()) {
      return null;
    }
    queue = new AccountingQueue(capacity);
    String replica = System.getenv().getOrDefault("HOSTNAME", "local");
    calls = new CallAccounting(gateway, replica, Clock.SYSTEM, queue);
    writer =
        new AccountingWriter(
            vertx, database.sessions(), queue, batchSize, intervalMillis, maxBackoffMillis);
    warmUp();
    writer.start();
    bindMetrics();
    LOG.infof(
        "accounting records to %s (batches of %d, at most %d held)",
        database.describe(), batchSize, capacity);
    return calls;
  }

  /**
   * Opens one session and asks the database a trivial question, waiting here (the main thread, at
   * start) at most a few seconds: Hibernate's first session loads and initialises classes for long
   * enough to stall an event loop, so it happens before SIP traffic, not on a call's loop. A
   * database that does not answer is logged, not fatal: records wait in the queue.
   */
  private void warmUp() {
    java.util.concurrent.CompletableFuture<Object> done =
        new java.util.concurrent.CompletableFuture<>();
    AccountingWriter.safeContext(vertx)
        .runOnContext(
            v ->
                io.smallrye.mutiny.Uni.createFrom()
                    .deferred(
                        () ->
                            database
                                .sessions()
                                .withStatelessSession(
                                    s ->
                                        // The shape of the API's query: its translation
                                        // loads what the others need too.
                                        s.createSelectionQuery(
                                                "from AccountingRecord r where r.startedAt >= :from"
                                                    + " and r.startedAt < :to and r.caller like"
                                                    + " :caller escape '!' order by r.startedAt"
                                                    + " desc",
                                                io.sbc.runtime.persistence.AccountingRecord.class)
                                            .setParameter("from", java.time.Instant.EPOCH)
                                            .setParameter("to", java.time.Instant.EPOCH)
                                            .setParameter("caller", "!")
                                            .setMaxResults(1)
                                            .getResultList()))
                    .subscribe()
                    .with(done::complete, done::completeExceptionally));
    try {
      done.get(10, java.util.concurrent.TimeUnit.SECONDS);
      LOG.infof("accounting: database %s answers", database.describe());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      LOG.warnf(
          "accounting: database %s does not answer yet (%s); records wait in the queue",
          database.describe(), e.getCause() == null ? e.toString() : e.getCause().toString());
    }
  }

  private void bindMetrics() {
    AccountingQueue q = queue;
    String records = "Accounting records: written to the database, or dropped (the queue was full)";
    FunctionCounter.builder("sbc_accounting_records", q, AccountingQueue::written)
        .description(records)
        .tag("result", "written")
        .register(registry);
    FunctionCounter.builder("sbc_accounting_records", q, AccountingQueue::dropped)
        .description(records)
        .tag("result", "dropped")
        .register(registry);
    Gauge.builder("sbc_accounting_held", q, AccountingQueue::held)
        .description("Accounting records waiting to be written")
        .register(registry);
    FunctionCounter.builder("sbc_accounting_write_failures", writer, AccountingWriter::failures)
        .description("Batches of accounting records the database did not take (tried again)")
        .register(registry);
  }

  /** The queue, null when accounting is off. */
  public AccountingQueue queue() {
    return queue;
  }

  /** Whether records are being kept. */
  public boolean active() {
    return calls != null;
  }

  /** Writes what is held (at most {@code waitMillis}) and stops; logs what could not be. */
  public void stop(long waitMillis) throws InterruptedException {
    AccountingWriter w = writer;
    if (w == null) {
      return;
    }
    int left = w.drain(waitMillis);
    if (left > 0) {
      LOG.warnf(
          "accounting: %d records not written at exit (the database did not take them)", left);
    }
    w.close();
  }
}
