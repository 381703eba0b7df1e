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
import io.netty.channel.WriteBufferWaterMark;
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
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.sbc.runtime.sip.timer.Clock;
import io.sbc.runtime.sip.transport.tls.TlsContexts;
import io.sbc.runtime.sip.transport.ws.WebSocketPipeline;
import io.sbc.runtime.sip.transport.ws.WebSocketSettings;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.jboss.logging.Logger;

/**
 * The SIP transports (RFC 3261 section 18) on the event loops that Vert.x owns: UDP with one
 * SO_REUSEPORT socket per loop, TCP with connection reuse, one connect at a time per destination,
 * caps on accepted, per-source and outbound connections, a bounded write queue per connection, an
 * idle timeout and a timeout for incomplete messages; TLS (RFC 3261 section 26.2) on the same
 * streams, its handshakes from {@link TlsContexts}; WebSocket (RFC 7118) on the same accepted
 * connections and limits (WSS behind the same TLS), with the upgrade and frames ahead of the same
 * stream handler.
 *
 * <p>Every accepted connection is a flow (RFC 5626): it has a number, and {@link #flow(int,
 * InetSocketAddress)} finds it while it is open, so that requests for a client reached only through
 * its connection (a WebSocket client, a TCP client behind NAT) go down that connection.
 */
public final class TransportLayer implements FlowTable {
  private static final Logger LOG = Logger.getLogger(TransportLayer.class);

  private final List<Loop> loops;
  private final TransportConfig config;

  /** Who is heard: asked for every accepted connection and every framed message. */
  private final SourceFilter filter;

  /** Where each bound listener's messages go (also those of connections the SBC opens). */
  private final Map<Listener, SipReceiver> receivers = new ConcurrentHashMap<>();

  private final boolean epoll;
  private final Map<Listener, Channel[]> udp = new ConcurrentHashMap<>();

  /** The inbound handler of each distinct UDP socket of a listener, in socket order. */
  private final Map<Listener, UdpInbound[]> udpInbound = new ConcurrentHashMap<>();

  private final List<Channel> servers = new ArrayList<>();

  /** Certificates of TLS listeners and the client side of TLS connections. */
  private final TlsContexts tls;

  /** Open connections by what reuses them (RFC 5923 section 5: transport, address, TLS name). */
  private final Map<StreamKey, Channel> connections = new ConcurrentHashMap<>();

  private final Map<StreamKey, Connecting> connecting = new ConcurrentHashMap<>();

  /** Accepted connections by flow number, while open. */
  private final Map<Integer, Flow> flows = new ConcurrentHashMap<>();

  /**
   * Flow numbers: a counter from a random start, so that a restarted process does not hand out the
   * numbers its predecessor did (a token naming a flow of the old process finds nothing).
   */
  private final AtomicInteger flowNumbers =
      new AtomicInteger(new java.security.SecureRandom().nextInt());

  /** Accepted connections open per source address (absent: none). */
  private final Map<InetAddress, Integer> perSource = new ConcurrentHashMap<>();

  private final AtomicInteger inbound = new AtomicInteger();
  private final AtomicInteger outbound = new AtomicInteger();
  private final LongAdder refusedInbound = new LongAdder();
  private final LongAdder refusedPerSource = new LongAdder();
  private final LongAdder refusedOutbound = new LongAdder();
  private final LongAdder closedSlowWriter = new LongAdder();
  private final LongAdder closedHalfSent = new LongAdder();
  private final LongAdder closedIdle = new LongAdder();
  private final LongAdder droppedWhileConnecting = new LongAdder();

  public TransportLayer(List<Loop> loops, TransportConfig config) {
    this(loops, config, SourceFilter.NONE);
  }

  /**
   * @param filter asked, before anything is parsed, whether a connection or a message from a source
   *     is heard
   */
  public TransportLayer(List<Loop> loops, TransportConfig config, SourceFilter filter) {
    this(loops, config, filter, TlsContexts.NONE);
  }

  /**
   * @param tls the certificates of the TLS listeners (by listener name) and the client side of TLS
   */
  public TransportLayer(
      List<Loop> loops, TransportConfig config, SourceFilter filter, TlsContexts tls) {
    this.tls = tls;
    this.loops = loops;
    this.config = config;
    this.filter = filter;
    this.epoll = Epoll.isAvailable() && loops.get(0).eventLoop() instanceof EpollEventLoop;
  }

  /** The TLS contexts the TLS listeners and outbound TLS connections use. */
  public TlsContexts tls() {
    return tls;
  }

  /** Whether the native epoll transport (and so SO_REUSEPORT) is in use. */
  public boolean nativeTransport() {
    return epoll;
  }

  /** TCP connections open now, accepted and outbound (outbound ones still connecting count). */
  public int openConnections() {
    return inbound.get() + outbound.get();
  }

  /** Accepted TCP connections open now. */
  public int inboundConnections() {
    return inbound.get();
  }

  /** TCP connections the SBC opened (or is opening) that are not closed. */
  public int outboundConnections() {
    return outbound.get();
  }

  /** Every connection refused so far, for any of the reasons counted below. */
  public long refusedConnections() {
    return refusedInbound.sum() + refusedPerSource.sum() + refusedOutbound.sum();
  }

  /** Accepted connections closed at once because maxInboundTcpConnections were open. */
  public long refusedInbound() {
    return refusedInbound.sum();
  }

  /** Accepted connections closed at once because their source address had its share open. */
  public long refusedPerSource() {
    return refusedPerSource.sum();
  }

  /** Connects not attempted because maxOutboundTcpConnections were open (their sends failed). */
  public long refusedOutbound() {
    return refusedOutbound.sum();
  }

  /** Connections closed because a send would have passed the write queue cap: peers not reading. */
  public long closedSlowWriter() {
    return closedSlowWriter.sum();
  }

  /** Connections closed holding an incomplete message (or none yet) past the message timeout. */
  public long closedHalfSent() {
    return closedHalfSent.sum();
  }

  /** Connections closed after the idle timeout. */
  public long closedIdle() {
    return closedIdle.sum();
  }

  /**
   * The open connection a peer opened with this flow number from {@code remote}, or null when it is
   * closed (RFC 5626 section 5.3: the flow failed) or was never this process's.
   */
  @Override
  public Flow flow(int id, InetSocketAddress remote) {
    Flow f = flows.get(id);
    return f != null && f.remote().equals(remote) && f.connection().isActive() ? f : null;
  }

  /** Accepted connections open now per transport: WebSocket (WS and WSS) ones. */
  public int webSocketConnections() {
    int n = 0;
    for (Flow f : flows.values()) {
      n += f.protocol().websocket() ? 1 : 0;
    }
    return n;
  }

  /** Sends failed because the bytes waiting for a connect to their destination reached the cap. */
  public long droppedWhileConnecting() {
    return droppedWhileConnecting.sum();
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
      case UDP -> bindUdp(listener);
      case TCP, WS -> bindTcp(listener);
      case TLS, WSS -> {
        if (!tls.serves(listener.name())) {
          throw new IllegalArgumentException("TLS listener " + listener + " has no certificate");
        }
        bindTcp(listener);
      }
      default -> throw new IllegalArgumentException("unsupported " + listener.protocol());
    }
  }

  private void bindUdp(Listener listener) throws InterruptedException, IOException {
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
      bindUdpSockets(listener, n, channels, handlers);
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

  private void bindUdpSockets(Listener listener, int n, Channel[] channels, UdpInbound[] handlers)
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
              .handler(handlers[i] = new UdpInbound(loop, listener));
      if (config.udpReceiveBuffer() > 0) {
        b.option(ChannelOption.SO_RCVBUF, config.udpReceiveBuffer());
      }
      if (epoll) {
        b.option(EpollChannelOption.SO_REUSEPORT, true);
      }
      channels[i] = b.bind(listener.bindAddress()).sync().channel();
    }
  }

  private void bindTcp(Listener listener) throws InterruptedException {
    ServerBootstrap b =
        new ServerBootstrap()
            .group(loops.get(0).eventLoop().parent(), loops.get(0).eventLoop().parent())
            .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
            .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, writeQueueMark())
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    accepted(ch, listener);
                  }
                });
    servers.add(b.bind(listener.bindAddress()).sync().channel());
    LOG.infof("listening on %s", listener);
  }

  /**
   * The write queue's high mark is the cap: {@link Channel#bytesBeforeUnwritable()} then says how
   * much more a connection may queue. Low equal to high: no band in which a connection already
   * below the cap reads as unwritable.
   */
  private WriteBufferWaterMark writeQueueMark() {
    return new WriteBufferWaterMark(config.maxTcpWriteQueueBytes(), config.maxTcpWriteQueueBytes());
  }

  /**
   * Admits an accepted connection or closes it at once: the cap per source address comes first, so
   * one address holding many connections (idle, or trickling half a message) cannot take the slots
   * every other peer needs; the cap on all accepted connections bounds the sockets.
   */
  private void accepted(SocketChannel ch, Listener listener) {
    InetSocketAddress remote = ch.remoteAddress();
    InetAddress source = remote.getAddress();
    // A denied or banned source is refused before it takes a slot of its own share.
    if (!filter.admitConnection(loopOf(ch.eventLoop()), listener, source)) {
      ch.close();
      return;
    }
    if (perSource.merge(source, 1, Integer::sum) > config.maxTcpConnectionsPerSource()) {
      releaseSource(source);
      refusedPerSource.increment();
      ch.close();
      return;
    }
    if (inbound.incrementAndGet() > config.maxInboundTcpConnections()) {
      inbound.decrementAndGet();
      releaseSource(source);
      refusedInbound.increment();
      ch.close();
      return;
    }
    int id;
    do {
      id = flowNumbers.incrementAndGet();
    } while (id == 0 || flows.containsKey(id));
    Flow flow = new Flow(listener, remote, ch, id);
    flows.put(id, flow);
    int flowId = id;
    ch.closeFuture()
        .addListener(
            f -> {
              inbound.decrementAndGet();
              releaseSource(source);
              connections.remove(new StreamKey(remote, listener.protocol(), null), ch);
              flows.remove(flowId, flow);
            });
    initStream(ch, listener, flow, null, remote);
  }

  private void releaseSource(InetAddress source) {
    perSource.computeIfPresent(source, (a, n) -> n > 1 ? n - 1 : null);
  }

  /**
   * @param accepted the flow of a connection a peer opened, null for one the SBC opened
   * @param serverName for TLS the SBC opens, the name the server's certificate must show
   */
  private void initStream(
      Channel ch, Listener listener, Flow accepted, String serverName, InetSocketAddress remote) {
    Loop loop = loopOf(ch.eventLoop());
    if (listener.protocol().secure()) {
      // TLS first (SIP-TLS, and WSS's TLS): the framer or the HTTP codec see plain text.
      ch.pipeline()
          .addLast(
              accepted != null
                  ? tls.serverHandler(listener.name(), ch)
                  : tls.clientHandler(ch, serverName, remote));
    }
    if (listener.protocol().websocket()) {
      WebSocketPipeline.install(
          ch.pipeline(),
          new WebSocketSettings(
              config.maxMessageSize(),
              WEBSOCKET_HANDSHAKE_BYTES,
              TimeUnit.SECONDS.toMillis(config.tcpMessageSeconds()),
              Math.min(config.webSocketPingSeconds(), config.tcpIdleSeconds()),
              config.tcpIdleSeconds()));
      ch.pipeline().addLast(new StreamInbound(loop, listener, accepted));
      return;
    }
    ch.pipeline()
        .addLast(new IdleStateHandler(0, 0, config.tcpIdleSeconds()))
        .addLast(
            new StreamFramer(
                config.maxMessageSize(),
                TimeUnit.SECONDS.toMillis(config.tcpMessageSeconds()),
                accepted != null,
                Clock.SYSTEM))
        .addLast(new StreamInbound(loop, listener, accepted));
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
   * connection, else a connection already open to the destination, else the connect in progress to
   * it, else a new one.
   *
   * @param onFailure run on the loop, later, when a stream cannot be opened or written: refused by
   *     a cap, failed, closed, or closed by this send because the peer does not read (null: ignore)
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
    if (conn != null && conn.isActive()) {
      write(loop, conn, data, onFailure);
      return;
    }
    StreamKey key = new StreamKey(flow.remote(), listener.protocol(), flow.serverName());
    conn = connections.get(key);
    if (conn != null && conn.isActive()) {
      write(loop, conn, data, onFailure);
      return;
    }
    if (listener.protocol().websocket()) {
      // RFC 7118 section 5: the SBC is no WebSocket client; without the peer's connection there
      // is no way to reach it.
      failLater(loop, onFailure);
      return;
    }
    Connecting c = connecting.get(key);
    if (c == null) {
      Connecting mine = new Connecting(loop, key);
      c = connecting.putIfAbsent(key, mine);
      if (c == null) {
        mine.offer(loop, data, onFailure);
        connect(mine, listener);
        return;
      }
    }
    c.enqueue(loop, data, onFailure);
  }

  /**
   * Writes unless the connection's write queue would pass its cap: a peer that does not read is
   * dropped rather than buffered for without bound, and every send still queued on it fails with
   * the close.
   */
  private void write(Loop loop, Channel conn, byte[] data, Runnable onFailure) {
    // bytesBeforeUnwritable is (cap - queued + 1) while writable, 0 after; writes from other
    // loops count as queued from the moment they are handed over.
    if (data.length >= conn.bytesBeforeUnwritable()) {
      if (conn.isOpen()) {
        closedSlowWriter.increment();
        LOG.debugf(
            "TCP %s does not read: %d bytes would pass the %d byte write queue cap, closed",
            conn.remoteAddress(), data.length, config.maxTcpWriteQueueBytes());
        conn.close();
      }
      failLater(loop, onFailure);
      return;
    }
    ChannelFuture f = conn.writeAndFlush(Unpooled.wrappedBuffer(data));
    if (onFailure != null) {
      f.addListener(
          r -> {
            if (!r.isSuccess()) {
              failLater(loop, onFailure);
            }
          });
    }
  }

  /** Runs a send's failure on its loop, never inside the send itself. */
  private static void failLater(Loop loop, Runnable onFailure) {
    if (onFailure != null) {
      loop.eventLoop().execute(() -> loop.dispatch(onFailure));
    }
  }

  private void connect(Connecting c, Listener listener) {
    if (outbound.incrementAndGet() > config.maxOutboundTcpConnections()) {
      outbound.decrementAndGet();
      refusedOutbound.increment();
      c.failed();
      return;
    }
    Bootstrap b =
        new Bootstrap()
            .group(c.loop.eventLoop())
            .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
            .option(ChannelOption.WRITE_BUFFER_WATER_MARK, writeQueueMark())
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    initStream(ch, listener, null, c.key.serverName(), c.key.remote());
                  }
                });
    ChannelFuture f = b.connect(c.key.remote());
    // The slot is given back once, by whichever comes first: the close of a channel that was
    // created, or the failure of a connect that never had one (no file descriptor left).
    AtomicBoolean released = new AtomicBoolean();
    Runnable release =
        () -> {
          if (released.compareAndSet(false, true)) {
            outbound.decrementAndGet();
          }
        };
    f.channel().closeFuture().addListener(x -> release.run());
    f.addListener(
        (ChannelFuture r) -> {
          if (r.isSuccess()) {
            Channel ch = r.channel();
            connections.putIfAbsent(c.key, ch);
            ch.closeFuture().addListener(x -> connections.remove(c.key, ch));
            if (c.key.serverName() != null) {
              // A later request to the address itself (an in-dialog request following a
              // Record-Route that names the peer's IP) takes this connection: its peer proved an
              // identity at that very address.
              StreamKey byAddress = new StreamKey(c.key.remote(), c.key.protocol(), null);
              connections.putIfAbsent(byAddress, ch);
              ch.closeFuture().addListener(x -> connections.remove(byAddress, ch));
            }
            c.connected(ch);
          } else {
            release.run();
            LOG.debugf("TCP connect to %s failed: %s", c.key.remote(), r.cause());
            c.failed();
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
    // Once the sockets are closed (synchronously above) the counts are final: how the kernel
    // spread datagrams over the SO_REUSEPORT sockets, for whoever reads the log at the end (the
    // running counts are in /sbc/status).
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

    UdpInbound(Loop loop, Listener listener) {
      this.receiver = receivers.get(listener);
      this.loop = loop;
      this.listener = listener;
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
      InetSocketAddress sender = packet.sender();
      if (!filter.admitMessage(loop, listener, sender.getAddress(), data)) {
        return; // refused silently: no answer teaches a flood or a scan anything
      }
      Flow flow = new Flow(listener, sender, null);
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

    /** The flow of an accepted connection, the same for each of its messages; null otherwise. */
    private final Flow flow;

    private final SipReceiver receiver;

    StreamInbound(Loop loop, Listener listener, Flow flow) {
      this.receiver = receivers.get(listener);
      this.loop = loop;
      this.listener = listener;
      this.flow = flow;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      remote = (InetSocketAddress) ctx.channel().remoteAddress();
      if (accepted(ctx.channel())) {
        connections.putIfAbsent(new StreamKey(remote, listener.protocol(), null), ctx.channel());
      }
      ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (remote == null) {
        remote = (InetSocketAddress) ctx.channel().remoteAddress();
      }
      byte[] data = (byte[]) msg;
      if (!filter.admitMessage(loop, listener, remote.getAddress(), data)) {
        // A stream gives no second chance: what follows on it is from the same source.
        ctx.close();
        return;
      }
      loop.deliver(receiver, flow != null ? flow : new Flow(listener, remote, ctx.channel()), data);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof IdleStateEvent) {
        closedIdle.increment();
        ctx.close();
      } else if (evt instanceof SslHandshakeCompletionEvent h && !h.isSuccess()) {
        tls.handshakeFailed();
        LOG.debugf(
            "TLS %s with %s: handshake failed: %s",
            listener, ctx.channel().remoteAddress(), h.cause().toString());
        ctx.close();
      } else if (evt == StreamFramer.MESSAGE_TIMEOUT
          || evt == WebSocketPipeline.HANDSHAKE_TIMEOUT) {
        closedHalfSent.increment();
        LOG.debugf(
            "TCP %s from %s: message incomplete after %d s, closed",
            listener, ctx.channel().remoteAddress(), config.tcpMessageSeconds());
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

  /**
   * A connect in progress to one destination, owned by the loop that connects, with the sends that
   * wait for it in order: one connect per destination at a time, however many transactions want it
   * (a burst of requests to a peer that is down does not become a burst of connects).
   */
  private final class Connecting {
    final Loop loop;
    final StreamKey key;
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    private int waitingBytes;
    private Channel channel;
    private boolean failed;

    Connecting(Loop loop, StreamKey key) {
      this.loop = loop;
      this.key = key;
    }

    /** Hands a send to the owner loop (from any loop). */
    void enqueue(Loop from, byte[] data, Runnable onFailure) {
      if (loop.inLoop()) {
        offer(from, data, onFailure);
      } else {
        loop.eventLoop().execute(() -> offer(from, data, onFailure));
      }
    }

    /** On the owner loop: queue the send, or write it or fail it if the connect has ended. */
    void offer(Loop from, byte[] data, Runnable onFailure) {
      if (channel != null) {
        write(from, channel, data, onFailure);
      } else if (failed) {
        failLater(from, onFailure);
      } else if (waitingBytes + data.length > config.maxTcpWriteQueueBytes()) {
        droppedWhileConnecting.increment();
        failLater(from, onFailure);
      } else {
        waiting.add(new Waiting(from, data, onFailure));
        waitingBytes += data.length;
      }
    }

    void connected(Channel ch) {
      channel = ch;
      connecting.remove(key, this);
      for (Waiting w; (w = waiting.poll()) != null; ) {
        write(w.loop, ch, w.data, w.onFailure);
      }
      waitingBytes = 0;
    }

    void failed() {
      failed = true;
      connecting.remove(key, this);
      for (Waiting w; (w = waiting.poll()) != null; ) {
        failLater(w.loop, w.onFailure);
      }
      waitingBytes = 0;
    }
  }

  /** The largest WebSocket upgrade request: request line and headers (browsers send 0.5-2 KiB). */
  private static final int WEBSOCKET_HANDSHAKE_BYTES = 8192;

  /**
   * What a connection is reused for (RFC 5923 section 5): its transport, the peer's address and,
   * for TLS the SBC opened, the name the peer's certificate was checked against (a connection
   * verified for one name does not carry requests resolved from another).
   */
  private record StreamKey(InetSocketAddress remote, Protocol protocol, String serverName) {}

  /** Whether a connection was accepted by a listener (not opened by the SBC). */
  private static boolean accepted(Channel ch) {
    return ch.parent() != null;
  }

  /** A send waiting for a connect: its loop (where a failure runs), bytes and failure callback. */
  private record Waiting(Loop loop, byte[] data, Runnable onFailure) {}
}
