package io.sbc.runtime.sip.timer;

/**
 * A timer scheduled on a {@link TimerWheel}, which is also its bucket list node; cancel is O(1).
 */
public final class Timeout {
  static final byte PENDING = 0;
  static final byte EXPIRED = 1;
  static final byte CANCELLED = 2;

  private final TimerWheel wheel;
  final Runnable task;
  final long deadline;
  long targetTick;
  Timeout prev;
  Timeout next;
  byte state;

  Timeout(TimerWheel wheel, Runnable task, long deadline) {
    this.wheel = wheel;
    this.task = task;
    this.deadline = deadline;
    // A sentinel is an empty circular list.
    this.prev = this;
    this.next = this;
  }

  /**
   * Cancels the timer if it has neither fired nor been cancelled; returns whether it did. Must be
   * called from the wheel's event loop.
   */
  public boolean cancel() {
    if (state != PENDING || wheel == null) {
      return false;
    }
    state = CANCELLED;
    unlink();
    wheel.size--;
    return true;
  }

  /** Whether the task has been run (or started running). */
  public boolean isExpired() {
    return state == EXPIRED;
  }

  public boolean isCancelled() {
    return state == CANCELLED;
  }

  public boolean isPending() {
    return state == PENDING && wheel != null;
  }

  /** The clock time in milliseconds at or after which the timer fires. */
  public long deadline() {
    return deadline;
  }

  void linkBefore(Timeout sentinel) {
    prev = sentinel.prev;
    next = sentinel;
    sentinel.prev.next = this;
    sentinel.prev = this;
  }

  void unlink() {
    prev.next = next;
    next.prev = prev;
    prev = null;
    next = null;
  }
}
