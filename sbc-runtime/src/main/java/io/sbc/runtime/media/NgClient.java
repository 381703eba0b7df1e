package io.sbc.runtime.media;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollEventLoop;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.sbc.runtime.sip.timer.Timeout;
import io.sbc.runtime.sip.transport.Loop;
import io.sbc.runtime.sip.transport.ReusedReceiveBuffer;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.jboss.logging.Logger;

/**
 * The ng control protocol's client side over UDP, on the event loops: one socket per loop, so a
 * command sent from a loop gets its reply on that loop's socket and its callback on that loop, with
 * no lock and no hand-over. A reply is matched by its cookie and must come from the address the
 * command went to; an unanswered command is sent again, byte for byte with the same cookie (so
 * RTPengine answers a retransmission from its cache instead of acting twice), every {@code
 * timeoutMillis}, and fails after {@code retries} repetitions.
 */
public final class NgClient implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(NgClient.class);

  /** The largest reply read (a UDP datagram); a larger one is cut and fails to decode. */
  private static final int MAX_REPLY = 65_535;

  /** A cookie is short: a reply whose first space is further away is not one of ours. */
  private static final int MAX_COOKIE = 64;

  /** How a command ended: its reply dictionary, or why there is none. */
  public interface Callback {
    /**
     * @param reply the reply's dictionary (its {@code result} may be {@code error}); null on
     *     failure
     * @param failure why there is no reply (no answer after every try, a malformed reply), or null
     */
    void done(Map<String, Object> reply, String failure);
  }

  /** Counters for metrics and tests. */
  public static final class Stats {
    public final LongAdder commands = new LongAdder();
    public final LongAdder retransmissions = new LongAdder();
    public final LongAdder timeouts = new LongAdder();
    public final LongAdder replies = new LongAdder();
    public final LongAdder malformedReplies = new LongAdder();
    public final LongAdder unmatchedReplies = new LongAdder();
  }

  private final long timeoutMillis;
  private final int retries;
  private final Endpoint[] endpoints;
  private final String cookiePrefix;
  private final BencodeDecoder decoder = new BencodeDecoder();
  private final Stats stats = new Stats();

  private NgClient(List<Loop> loops, long timeoutMillis, int retries) {
    this.timeoutMillis = timeoutMillis;
    this.retries = retries;
    this.endpoints = new Endpoint[loops.size()];
    // Unpredictable per process: another process's (or replica's) cookies never collide with ours
    // at a shared RTPengine, whose retransmission cache is keyed by cookie.
    long r = new SecureRandom().nextLong();
    this.cookiePrefix = Long.toString(r & Long.MAX_VALUE, 36);
  }

  /**
   * Opens one UDP socket per loop (on an ephemeral port of every address).
   *
   * @param timeoutMillis how long a command waits before it is sent again
   * @param retries how many times it is sent again before it fails
   */
  public static NgClient open(List<Loop> loops, long timeoutMillis, int retries)
      throws InterruptedException {
    NgClient c = new NgClient(loops, timeoutMillis, retries);
    boolean epoll = Epoll.isAvailable() && loops.get(0).eventLoop() instanceof EpollEventLoop;
    try {
      for (int i = 0; i < loops.size(); i++) {
        Loop loop = loops.get(i);
        Endpoint e = c.new Endpoint(loop);
        e.channel =
            new Bootstrap()
                .group(loop.eventLoop())
                .channel(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new ReusedReceiveBuffer(MAX_REPLY + 1))
                .handler(e)
                .bind(new InetSocketAddress(0))
                .sync()
                .channel();
        c.endpoints[i] = e;
      }
    } catch (InterruptedException | RuntimeException e) {
      c.close();
      throw e;
    }
    return c;
  }

  public Stats stats() {
    return stats;
  }

  /** How long a command may take in all: every try and its timeout. */
  public long maxCommandMillis() {
    return timeoutMillis * (retries + 1);
  }

  /**
   * Sends a command to an RTPengine from {@code loop} (the caller runs on it); {@code callback}
   * runs later on the same loop, exactly once.
   */
  public void send(
      Loop loop, InetSocketAddress to, Map<String, Object> command, Callback callback) {
    Endpoint e = endpoints[loop.index()];
    String cookie = cookiePrefix + "_" + loop.index() + "_" + Long.toString(++e.counter, 36);
    ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    byte[] c = cookie.getBytes(StandardCharsets.ISO_8859_1);
    out.write(c, 0, c.length);
    out.write(' ');
    BencodeEncoder.encode(command, out);
    Pending p = new Pending(cookie, to, out.toByteArray(), callback);
    e.pending.put(cookie, p);
    stats.commands.increment();
    e.write(p);
    p.timer = loop.timers().schedule(() -> e.expired(p), timeoutMillis);
  }

  @Override
  public void close() {
    for (Endpoint e : endpoints) {
      if (e != null && e.channel != null) {
        e.channel.close().syncUninterruptibly();
      }
    }
  }

  private static final class Pending {
    final String cookie;
    final InetSocketAddress to;
    final byte[] bytes;
    final Callback callback;
    int tries = 1;
    Timeout timer;

    Pending(String cookie, InetSocketAddress to, byte[] bytes, Callback callback) {
      this.cookie = cookie;
      this.to = to;
      this.bytes = bytes;
      this.callback = callback;
    }
  }

  /** One loop's socket and the commands it waits for (touched only on that loop). */
  private final class Endpoint extends SimpleChannelInboundHandler<DatagramPacket> {
    final Loop loop;
    final HashMap<String, Pending> pending = new HashMap<>();
    long counter;
    Channel channel;

    Endpoint(Loop loop) {
      this.loop = loop;
    }

    void write(Pending p) {
      channel.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(p.bytes), p.to));
    }

    void expired(Pending p) {
      if (pending.get(p.cookie) != p) {
        return;
      }
      if (p.tries <= retries) {
        p.tries++;
        stats.retransmissions.increment();
        write(p);
        p.timer = loop.timers().schedule(() -> expired(p), timeoutMillis);
        return;
      }
      pending.remove(p.cookie);
      stats.timeouts.increment();
      complete(p, null, "no answer from RTPengine " + p.to + " after " + p.tries + " tries");
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
      ByteBuf content = packet.content();
      int n = content.readableBytes();
      if (n == 0 || n > MAX_REPLY) {
        stats.malformedReplies.increment();
        return;
      }
      byte[] data = new byte[n];
      content.readBytes(data);
      InetSocketAddress from = packet.sender();
      loop.dispatch(() -> onReply(from, data));
    }

    private void onReply(InetSocketAddress from, byte[] data) {
      int space = -1;
      for (int i = 0; i < Math.min(data.length, MAX_COOKIE + 1); i++) {
        if (data[i] == ' ') {
          space = i;
          break;
        }
      }
      if (space <= 0) {
        stats.malformedReplies.increment();
        return;
      }
      String cookie = new String(data, 0, space, StandardCharsets.ISO_8859_1);
      Pending p = pending.get(cookie);
      if (p == null || !sameEndpoint(from, p.to)) {
        // A late reply to a command already answered or failed, a duplicate, or someone else.
        stats.unmatchedReplies.increment();
        return;
      }
      pending.remove(cookie);
      p.timer.cancel();
      stats.replies.increment();
      Map<String, Object> reply;
      try {
        reply = decoder.decodeDictionary(data, space + 1, data.length);
      } catch (BencodeException e) {
        stats.malformedReplies.increment();
        complete(p, null, "malformed reply from RTPengine " + p.to + ": " + e.getMessage());
        return;
      }
      complete(p, reply, null);
    }

    private void complete(Pending p, Map<String, Object> reply, String failure) {
      try {
        p.callback.done(reply, failure);
      } catch (RuntimeException e) {
        LOG.errorf(e, "an ng command's callback failed");
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      LOG.debugf("ng socket: %s", cause.toString());
    }
  }

  /** The same port and address (an IPv4 address may come back as IPv4-mapped IPv6). */
  static boolean sameEndpoint(InetSocketAddress a, InetSocketAddress b) {
    if (a.getPort() != b.getPort()) {
      return false;
    }
    InetAddress x = a.getAddress();
    InetAddress y = b.getAddress();
    if (x == null || y == null) {
      return false;
    }
    if (x.equals(y)) {
      return true;
    }
    byte[] p = x.getAddress();
    byte[] q = y.getAddress();
    return java.util.Arrays.equals(v4(p), v4(q));
  }

  private static byte[] v4(byte[] a) {
    if (a.length == 16) {
      for (int i = 0; i < 10; i++) {
        if (a[i] != 0) {
          return a;
        }
      }
      if (a[10] == (byte) 0xFF && a[11] == (byte) 0xFF) {
        return java.util.Arrays.copyOfRange(a, 12, 16);
      }
    }
    return a;
  }
}
