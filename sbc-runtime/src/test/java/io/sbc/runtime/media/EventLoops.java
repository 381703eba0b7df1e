package io.sbc.runtime.media;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.sbc.runtime.sip.timer.Clock;
import io.sbc.runtime.sip.transport.Loop;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.impl.VertxInternal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Real Vert.x event loops as the SIP layers see them, ticking their timer wheels, for tests. */
final class EventLoops implements AutoCloseable {
  final Vertx vertx;
  final List<Loop> loops = new ArrayList<>();
  private final List<ScheduledFuture<?>> ticks = new ArrayList<>();

  EventLoops(int n) {
    vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true).setEventLoopPoolSize(n));
    VertxInternal vx = (VertxInternal) vertx;
    for (EventExecutor e : vx.getEventLoopGroup()) {
      EventLoop el = (EventLoop) e;
      Loop loop =
          new Loop(
              loops.size(),
              el,
              vx.createEventLoopContext(el, null, EventLoops.class.getClassLoader()),
              Clock.SYSTEM);
      loops.add(loop);
      ticks.add(
          el.scheduleAtFixedRate(() -> loop.dispatch(loop::tick), 10, 10, TimeUnit.MILLISECONDS));
    }
  }

  /** Runs {@code task} on {@code loop} and waits for its result. */
  <T> T on(Loop loop, Callable<T> task) throws Exception {
    CompletableFuture<T> f = new CompletableFuture<>();
    loop.eventLoop()
        .execute(
            () ->
                loop.dispatch(
                    () -> {
                      try {
                        f.complete(task.call());
                      } catch (Throwable t) {
                        f.completeExceptionally(t);
                      }
                    }));
    return f.get(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws Exception {
    for (ScheduledFuture<?> t : ticks) {
      t.cancel(false);
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
