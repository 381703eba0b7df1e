package io.sbc.runtime.accounting;

import io.sbc.runtime.persistence.AccountingRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The records waiting to be written, bounded: {@link #offer} never waits, and a record beyond the
 * bound is dropped and counted. Records taken for a batch still count against the bound until the
 * batch is written, so a database that stays down cannot make the process hold more than the bound.
 */
public final class AccountingQueue {
  private final int capacity;
  private final ConcurrentLinkedQueue<AccountingRecord> records = new ConcurrentLinkedQueue<>();

  /** Records queued or in a batch not yet written. */
  private final AtomicInteger held = new AtomicInteger();

  private final LongAdder queued = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private final LongAdder written = new LongAdder();

  public AccountingQueue(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1");
    }
    this.capacity = capacity;
  }

  /** Queues a record, or drops it when the bound is reached; returns whether it was queued. */
  public boolean offer(AccountingRecord r) {
    if (held.incrementAndGet() > capacity) {
      held.decrementAndGet();
      dropped.increment();
      return false;
    }
    records.add(r);
    queued.increment();
    return true;
  }

  /** Takes up to {@code max} records for a batch (they stay held until {@link #written}). */
  List<AccountingRecord> take(int max) {
    List<AccountingRecord> batch = new ArrayList<>(Math.min(max, 64));
    AccountingRecord r;
    while (batch.size() < max && (r = records.poll()) != null) {
      batch.add(r);
    }
    return batch;
  }

  /** A batch of {@code n} records taken earlier is in the database. */
  void written(int n) {
    held.addAndGet(-n);
    written.add(n);
  }

  /** Records queued or in a batch not yet written. */
  public int held() {
    return held.get();
  }

  public int capacity() {
    return capacity;
  }

  /** Records queued since the start. */
  public long queued() {
    return queued.sum();
  }

  /** Records dropped because the bound was reached. */
  public long dropped() {
    return dropped.sum();
  }

  /** Records written to the database. */
  public long written() {
    return written.sum();
  }
}
