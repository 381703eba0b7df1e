package io.sbc.runtime.sip.transport;

import io.netty.channel.EventLoop;
import io.sbc.runtime.sip.timer.Clock;
import io.sbc.runtime.sip.timer.TimerWheel;
import io.vertx.core.impl.ContextInternal;

/**
 * One Vert.x event loop as the SIP layers see it: its index, its timer wheel and the Vert.x context
 * that SIP work is dispatched on (so Vert.x's blocked-thread checker watches it).
 *
 * <p>Everything on a loop is single-threaded: state owned by a loop is only touched from it; other
 * loops hand work over with {@link #execute(Runnable)}.
 */
public final class Loop {
  private final int index;
  private final EventLoop eventLoop;
  private final ContextInternal context;
  private final TimerWheel wheel;

  /** Where tasks from other loops go, and whether the caller runs on this loop. */
  private final java.util.concurrent.Executor executor;

  private final java.util.function.BooleanSupplier inLoop;

  public Loop(int index, EventLoop eventLoop, ContextInternal context, Clock clock) {
    this.index = index;
    this.eventLoop = eventLoop;
    this.context = context;
    this.wheel = new TimerWheel(clock, 10, 1024);
    this.executor = eventLoop;
    this.inLoop = eventLoop == null ? () -> true : eventLoop::inEventLoop;
  }

  /**
   * A loop driven by its caller (deterministic tests of work handed between loops): tasks from
   * another loop go to {@code executor}, and {@code inLoop} says whether the caller is on it.
   */
  public static Loop driven(
      int index,
      java.util.concurrent.Executor executor,
      java.util.function.BooleanSupplier inLoop,
      Clock clock) {
    return new Loop(index, executor, inLoop, clock);
  }

  private Loop(
      int index,
      java.util.concurrent.Executor executor,
      java.util.function.BooleanSupplier inLoop,
      Clock clock) {
    this.index = index;
    this.eventLoop = null;
    this.context = null;
    this.wheel = new TimerWheel(clock, 10, 1024);
    this.executor = executor;
    this.inLoop = inLoop;
  }

  public int index() {
    return index;
  }

  public EventLoop eventLoop() {
    return eventLoop;
  }

  public ContextInternal context() {
    return context;
  }

  public TimerWheel timers() {
    return wheel;
  }

  private volatile long heartbeat = System.nanoTime();

  /** A tick this late after the previous one means the loop (or the whole process) was stopped. */
  static final long STALL_NANOS = 50_000_000L;

  private volatile long stalls;

  /** Advances the timer wheel and notes that the loop is alive (called on the loop). */
  public void tick() {
    long now = System.nanoTime();
    if (now - heartbeat > STALL_NANOS) {
      stalls = stalls + 1; // one writer, the loop itself
    }
    heartbeat = now;
    wheel.advance();
  }

  /**
   * How often a tick (every 10 ms) came more than 50 ms after the previous one: the loop was
   * blocked, or the process paused (GC), as Vert.x's blocked-thread warning would say.
   */
  public long stalls() {
    return stalls;
  }

  /** Milliseconds since the loop last ticked: a loop that stops ticking is stuck. */
  public long sinceLastTickMillis() {
    return (System.nanoTime() - heartbeat) / 1_000_000;
  }

  public boolean inLoop() {
    return inLoop.getAsBoolean();
  }

  /** Runs the task on this loop, at once when already on it. */
  public void execute(Runnable task) {
    if (inLoop()) {
      task.run();
    } else {
      executor.execute(() -> dispatch(task));
    }
  }

  /**
   * Hands a received message to the SIP layers inside this loop's Vert.x context (the caller is on
   * the loop); the same as {@link #dispatch(Runnable)} without a task object per message.
   */
  public void deliver(SipReceiver receiver, Flow flow, byte[] data) {
    if (context == null) {
      receiver.receive(this, flow, data);
      return;
    }
    ContextInternal prev = context.beginDispatch();
    try {
      receiver.receive(this, flow, data);
    } finally {
      context.endDispatch(prev);
    }
  }

  /** Runs a task inside the Vert.x context of this loop (the caller is on the loop). */
  public void dispatch(Runnable task) {
    if (context == null) {
      task.run();
      return;
    }
    ContextInternal prev = context.beginDispatch();
    try {
      task.run();
    } finally {
      context.endDispatch(prev);
    }
  }
}
