package io.sbc.runtime.sip.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollEventLoop;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.jboss.logging.Logger;

/**
 * The SIP transports (RFC 3261 section 18) on the event loops that Vert.x owns: UDP with one
 * SO_REUSEPORT socket per loop, TCP with connection reuse, an idle timeout and a connection cap.
 */
public final class TransportLayer {
  private static final Logger LOG = Logger.getLogger(TransportLayer.class);

  private final List<Loop> loops;
  private final TransportConfig config;
  private final boolean epoll;
  private final Map<Listener, Channel[]> udp = new ConcurrentHashMap<>();

  /** The inbound handler of each distinct UDP socket of a listener, in socket order. */
  private final Map<Listener, UdpInbound[]> udpInbound = new ConcurrentHashMap<>();

  private final List<Channel> servers = new ArrayList<>();

  /** Where each bound listener's messages go (also those of connections the SBC opens). */
  private final Map<Listener, SipReceiver> receivers = new ConcurrentHashMap<>();

  private final Map<InetSocketAddress, Channel> connections = new ConcurrentHashMap<>();
  private final AtomicInteger openConnections = new AtomicInteger();
  private final LongAdder refusedConnections = new LongAdder();

  public TransportLayer(List<Loop> loops, TransportConfig config) {
    this.loops = loops;
    this.config = config;
    this.epoll = Epoll.isAvailable() && loops.get(0).eventLoop() instanceof EpollEventLoop;
  }

  /** Whether the native epoll transport (and so SO_REUSEPORT) is in use. */
  public boolean nativeTransport() {
    return epoll;
  }

  public int openConnections() {
    return openConnections.get();
  }

  public long refusedConnections() {
    return refusedConnections.sum();
  }

  /**
   * How many datagrams each socket of a UDP listener has received (one entry per socket: one per
   * event loop with SO_REUSEPORT, else one). Read from another thread the counts may be slightly
   * stale. Empty for a listener that is not a bound UDP listener.
   */
  public long[] udpDatagramCounts(Listener listener) {
    UdpInbound[] handlers = udpInbound.get(listener);
    if (handlers == null) {
      return new long[0];
    }
    long[] counts = new long[handlers.length];
    for (int i = 0; i < handlers.length; i++) {
      counts[i] = handlers[i].datagrams;
    }
    return counts;
  }

  /**
   * Binds a listener whose messages go to {@code receiver}; blocks the calling (non event loop)
   * thread until bound.
   */
  public void bind(Listener listener, SipReceiver receiver)
      throws InterruptedException, IOException {
    receivers.put(listener, receiver);
    switch (listener.protocol()) {
      case UDP -> bindUdp(listener, receiver);
      case TCP -> bindTcp(listener, receiver);
      default -> throw new IllegalArgumentException("unsupported " + listener.protocol());
    }
  }

  private void bindUdp(Listener listener, SipReceiver receiver)
      throws InterruptedException, IOException {
    // One socket per loop on the same port: the kernel spreads flows across them (SO_REUSEPORT).
    int n = epoll ? loops.size() : 1;
    if (epoll) {
      // SO_REUSEPORT lets any socket of the same user with the option join the port: a second SBC
      // (or anything else) on it bound silently and took a share of the datagrams. A plain bind,
      // closed at once, fails while anyone holds the port, so the listener reports it instead.
      new DatagramSocket(listener.bindAddress()).close();
    }
    Channel[] channels = new Channel[loops.size()];
    UdpInbound[] handlers = new UdpInbound[n];
    try {
      bindUdpSockets(listener, receiver, n, channels, handlers);
    } catch (Throwable e) { // Netty's sync() rethrows a BindException undeclared
      // Not yet in the udp map, so close() would not see them: nothing may stay bound.
      for (Channel ch : channels) {
        if (ch != null) {
          ch.close().syncUninterruptibly();
        }
      }
      throw e;
    }
    for (int i = n; i < channels.length; i++) {
      channels[i] = channels[0];
    }
    udp.put(listener, channels);
    udpInbound.put(listener, handlers);
    LOG.infof("listening on %s with %d socket(s)", listener, n);
  }

  private void bindUdpSockets(
      Listener listener, SipReceiver receiver, int n, Channel[] channels, UdpInbound[] handlers)
      throws InterruptedException {
    for (int i = 0; i < n; i++) {
      Loop loop = loops.get(i);
      Bootstrap b =
          new Bootstrap()
              .group(loop.eventLoop())
              .channel(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
              .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
              // One reused buffer of datagram size: no allocation (or zeroing) per read.
              .option(
                  ChannelOption.RCVBUF_ALLOCATOR,
                  new ReusedReceiveBuffer(config.maxMessageSize() + 1))
              .handler(handlers[i] = new UdpInbound(loop, listener, receiver));
      if (config.udpReceiveBuffer() > 0) {
        b.option(ChannelOption.SO_RCVBUF, config.udpReceiveBuffer());
      }
      if (epoll) {
        b.option(EpollChannelOption.SO_REUSEPORT, true);
      }
      channels[i] = b.bind(listener.bindAddress()).sync().channel();
    }
  }

  private void bindTcp(Listener listener, SipReceiver receiver) throws InterruptedException {
    ServerBootstrap b =
        new ServerBootstrap()
            .group(loops.get(0).eventLoop().parent(), loops.get(0).eventLoop().parent())
            .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    initStream(ch, listener, receiver, true);
                  }
                });
    servers.add(b.bind(listener.bindAddress()).sync().channel());
    LOG.infof("listening on %s", listener);
  }

  private void initStream(Channel ch, Listener listener, SipReceiver receiver, boolean accepted) {
    if (openConnections.incrementAndGet() > config.maxTcpConnections()) {
      openConnections.decrementAndGet();
      refusedConnections.increment();
      ch.close();
      return;
    }
    ch.closeFuture()
        .addListener(
            f -> {
              openConnections.decrementAndGet();
              InetSocketAddress r = (InetSocketAddress) ch.remoteAddress();
              if (r != null) {
                connections.remove(r, ch);
              }
            });
    Loop loop = loopOf(ch.eventLoop());
    ch.pipeline()
        .addLast(new IdleStateHandler(0, 0, config.tcpIdleSeconds()))
        .addLast(new StreamFramer(config.maxMessageSize()))
        .addLast(new StreamInbound(loop, listener, receiver));
  }

  private Loop loopOf(EventLoop el) {
    for (Loop l : loops) {
      if (l.eventLoop() == el) {
        return l;
      }
    }
    return loops.get(0);
  }

  /**
   * Sends a message. On UDP it leaves from the socket of the current loop; on TCP over the given
   * connection, else a connection already open to the destination, else a new one.
   *
   * @param onFailure run on the loop when a stream cannot be opened or written (null: ignore)
   */
  public void send(Loop loop, Flow flow, byte[] data, Runnable onFailure) {
    Listener listener = flow.listener();
    if (listener.protocol() == Protocol.UDP) {
      Channel[] chs = udp.get(listener);
      Channel ch = chs[loop.index() < chs.length ? loop.index() : 0];
      ch.writeAndFlush(
          new DatagramPacket(Unpooled.wrappedBuffer(data), flow.remote()), ch.voidPromise());
      return;
    }
    Channel conn = flow.connection();
    if (conn == null || !conn.isActive()) {
      conn = connections.get(flow.remote());
    }
    if (conn != null && conn.isActive()) {
      write(loop, conn, data, onFailure);
      return;
    }
    connect(loop, listener, flow.remote(), data, onFailure);
  }

  private void write(Loop loop, Channel conn, byte[] data, Runnable onFailure) {
    ChannelFuture f = conn.writeAndFlush(Unpooled.wrappedBuffer(data));
    if (onFailure != null) {
      f.addListener(
          r -> {
            if (!r.isSuccess()) {
              loop.execute(onFailure);
            }
          });
    }
  }

  private void connect(
      Loop loop, Listener listener, InetSocketAddress remote, byte[] data, Runnable onFailure) {
    Bootstrap b =
        new Bootstrap()
            .group(loop.eventLoop())
            .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    initStream(ch, listener, receivers.get(listener), false);
                  }
                });
    b.connect(remote)
        .addListener(
            (ChannelFuture f) -> {
              if (f.isSuccess()) {
                Channel prev = connections.putIfAbsent(remote, f.channel());
                write(loop, f.channel(), data, onFailure);
                if (prev != null && prev != f.channel()) {
                  LOG.debugf("second connection to %s", remote);
                }
              } else if (onFailure != null) {
                loop.execute(onFailure);
              }
            });
  }

  /** Closes every socket and connection. */
  public void close() {
    for (Channel[] chs : udp.values()) {
      for (Channel ch : chs) {
        ch.close().syncUninterruptibly();
      }
    }
    for (Channel ch : servers) {
      ch.close().syncUninterruptibly();
    }
    for (Channel ch : connections.values()) {
      ch.close();
    }
    // Once the sockets are closed (synchronously above) the counts are final. The system tests
    // read this line to see how the kernel spread datagrams over the SO_REUSEPORT sockets.
    for (Listener l : udpInbound.keySet()) {
      LOG.infof(
          "udp listener %s datagrams per socket: %s",
          l.name(), java.util.Arrays.toString(udpDatagramCounts(l)));
    }
  }

  private final class UdpInbound extends SimpleChannelInboundHandler<DatagramPacket> {
    private final Loop loop;
    private final Listener listener;

    /** Datagrams this socket received; written only by its event loop (see udpDatagramCounts). */
    long datagrams;

    private final SipReceiver receiver;

    UdpInbound(Loop loop, Listener listener, SipReceiver receiver) {
      this.loop = loop;
      this.listener = listener;
      this.receiver = receiver;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
      datagrams++;
      ByteBuf content = packet.content();
      int n = content.readableBytes();
      if (n == 0 || n > config.maxMessageSize()) {
        return; // a datagram that filled the buffer may have been cut: not a message
      }
      byte[] data = new byte[n];
      content.readBytes(data);
      Flow flow = new Flow(listener, packet.sender(), null);
      loop.deliver(receiver, flow, data);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      LOG.debugf("UDP %s: %s", listener, cause.toString());
    }
  }

  private final class StreamInbound extends ChannelInboundHandlerAdapter {
    private final Loop loop;
    private final Listener listener;
    private InetSocketAddress remote;

    private final SipReceiver receiver;

    StreamInbound(Loop loop, Listener listener, SipReceiver receiver) {
      this.loop = loop;
      this.listener = listener;
      this.receiver = receiver;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      remote = (InetSocketAddress) ctx.channel().remoteAddress();
      connections.putIfAbsent(remote, ctx.channel());
      ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (remote == null) {
        remote = (InetSocketAddress) ctx.channel().remoteAddress();
      }
      byte[] data = (byte[]) msg;
      Flow flow = new Flow(listener, remote, ctx.channel());
      loop.deliver(receiver, flow, data);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof IdleStateEvent) {
        ctx.close();
      } else {
        ctx.fireUserEventTriggered(evt);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      LOG.debugf("TCP %s from %s closed: %s", listener, remote, cause.toString());
      ctx.close();
    }
  }
}
