package io.sbc.systemtest;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An abusive TCP peer: from one source address it opens many connections to a target and holds
 * them, every other one with half a SIP request written (a header block that never ends); the rest
 * send nothing. Connections the target closes are counted and, while {@link #reconnect} allows it,
 * opened again at a bounded rate, so that the target stays under pressure. One thread and one
 * selector for all of them.
 */
final class TcpFlood implements AutoCloseable {
  static final byte[] HALF_REQUEST = ("INVITE sip:victim@127.0.0.1 SIP/2.0\r\n"
      + "Via: SIP/2.0/TCP 127.0.0.5:5060;branch=z9hG4bK-flood\r\n"
      + "Max-Forwards: 70\r\n"
      + "From: <sip:flood@127.0.0.5>;tag=flood\r\n"
      + "To: <sip:victim@127.0.0.1>\r\n").getBytes(StandardCharsets.US_ASCII);

  /** Connects in flight at once: the kernel's SYN backlog is finite, and so is this machine. */
  private static final int MAX_CONNECTING = 500;

  private final InetAddress from;
  private final InetSocketAddress to;
  private final int connections;
  private final Selector selector;
  private final Set<SocketChannel> live = new HashSet<>();
  private final Thread thread;
  private final AtomicBoolean stop = new AtomicBoolean();
  private volatile int reconnectsPerSecond;

  private final AtomicInteger attempts = new AtomicInteger();
  private final AtomicInteger established = new AtomicInteger();
  private final AtomicInteger connectFailures = new AtomicInteger();
  private final AtomicInteger closedByTarget = new AtomicInteger();
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicInteger connecting = new AtomicInteger();
  private volatile Throwable failure;

  TcpFlood(InetAddress from, InetSocketAddress to, int connections) throws IOException {
    this.from = from;
    this.to = to;
    this.connections = connections;
    this.selector = Selector.open();
    this.thread = new Thread(this::run, "tcp-flood-" + from.getHostAddress());
    thread.setDaemon(true);
  }

  TcpFlood start() {
    thread.start();
    return this;
  }

  /** Reopen connections the target closed, at most this many per second (0: do not). */
  void reconnect(int perSecond) {
    reconnectsPerSecond = perSecond;
  }

  int attempts() {
    return attempts.get();
  }

  int established() {
    return established.get();
  }

  int connectFailures() {
    return connectFailures.get();
  }

  int closedByTarget() {
    return closedByTarget.get();
  }

  /** Connections established and not (yet seen) closed by the target. */
  int open() {
    return open.get();
  }

  /** Whether every first-round connect has ended (established or failed) and none is in flight. */
  boolean firstRoundDone() {
    return attempts.get() >= connections && connecting.get() == 0;
  }

  @Override
  public String toString() {
    return "flood from " + from.getHostAddress() + ": attempts=" + attempts + " established="
        + established + " connectFailures=" + connectFailures + " closedByTarget=" + closedByTarget
        + " open=" + open + (failure != null ? " failure=" + failure : "");
  }

  private void run() {
    ByteBuffer sink = ByteBuffer.allocate(4096);
    long second = System.nanoTime();
    int reconnectsThisSecond = 0;
    try {
      while (!stop.get()) {
        long now = System.nanoTime();
        if (now - second >= TimeUnit.SECONDS.toNanos(1)) {
          second = now;
          reconnectsThisSecond = 0;
        }
        while (live.size() < connections && connecting.get() < MAX_CONNECTING) {
          boolean firstRound = attempts.get() < connections;
          if (!firstRound) {
            if (reconnectsThisSecond >= reconnectsPerSecond) {
              break;
            }
            reconnectsThisSecond++;
          }
          openOne();
        }
        selector.select(10);
        for (SelectionKey key : selector.selectedKeys()) {
          SocketChannel ch = (SocketChannel) key.channel();
          if (!key.isValid()) {
            continue;
          }
          if (key.isConnectable()) {
            connecting.decrementAndGet();
            try {
              ch.finishConnect();
            } catch (IOException e) {
              connectFailures.incrementAndGet();
              drop(ch);
              continue;
            }
            established(ch, (Integer) key.attachment());
          } else if (key.isReadable()) {
            sink.clear();
            int n;
            try {
              n = ch.read(sink);
            } catch (IOException e) {
              n = -1; // reset
            }
            if (n < 0) {
              closed(ch);
            }
          }
        }
        selector.selectedKeys().clear();
      }
    } catch (Throwable t) {
      failure = t;
    } finally {
      for (SocketChannel ch : new ArrayList<>(live)) {
        drop(ch);
      }
      try {
        selector.close();
      } catch (IOException e) {
        // closing
      }
    }
  }

  private void openOne() throws IOException {
    int n = attempts.getAndIncrement();
    SocketChannel ch = SocketChannel.open();
    live.add(ch);
    boolean done;
    try {
      ch.configureBlocking(false);
      ch.bind(new InetSocketAddress(from, 0));
      done = ch.connect(to);
    } catch (IOException e) {
      connectFailures.incrementAndGet();
      drop(ch);
      return;
    }
    if (done) {
      ch.register(selector, 0, n);
      established(ch, n);
    } else {
      connecting.incrementAndGet();
      ch.register(selector, SelectionKey.OP_CONNECT, n);
    }
  }

  /** A connection is up: every other one writes half a request; then it only waits for a close. */
  private void established(SocketChannel ch, int n) throws IOException {
    established.incrementAndGet();
    open.incrementAndGet();
    if ((n & 1) == 0) {
      try {
        ch.write(ByteBuffer.wrap(HALF_REQUEST));
      } catch (IOException e) {
        closed(ch);
        return;
      }
    }
    ch.keyFor(selector).interestOps(SelectionKey.OP_READ);
  }

  private void closed(SocketChannel ch) {
    closedByTarget.incrementAndGet();
    open.decrementAndGet();
    drop(ch);
  }

  private void drop(SocketChannel ch) {
    live.remove(ch);
    try {
      ch.close();
    } catch (IOException e) {
      // gone already
    }
  }

  /** Stops the thread, which closes every connection it holds. */
  @Override
  public void close() throws InterruptedException {
    stop.set(true);
    selector.wakeup();
    thread.join(10_000);
  }

  /** A failure of the flood's own thread (it must not silently stop). */
  Throwable failure() {
    return failure;
  }
}
