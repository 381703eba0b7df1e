package io.sbc.runtime.sip.locate;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollEventLoop;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DefaultDnsRecordDecoder;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.NoopAuthoritativeDnsServerCache;
import io.netty.resolver.dns.NoopDnsCache;
import io.netty.resolver.dns.NoopDnsCnameCache;
import io.netty.resolver.dns.SequentialDnsServerAddressStreamProvider;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.sbc.api.syntax.IpLiteral;
import io.sbc.runtime.sip.transport.Loop;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * The DNS client of the event loops: one Netty {@link DnsNameResolver} per loop, bound to it (its
 * socket, its timers and its answers on that loop), asking the configured name servers or those of
 * /etc/resolv.conf. It keeps nothing itself ({@link RecordCache} does, by TTL) and never consults
 * /etc/hosts or {@link InetAddress} by name.
 */
public final class NettyDnsClient implements DnsClient, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(NettyDnsClient.class);

  /** Queries of one question, following CNAMEs and search domains, before it fails. */
  private static final int MAX_QUERIES_PER_QUESTION = 8;

  private final DnsNameResolver[] resolvers;
  private final List<InetSocketAddress> servers;

  /**
   * Builds a resolver on each loop; reads /etc/resolv.conf when no server is configured, so call it
   * off the loops (at start).
   */
  public NettyDnsClient(List<Loop> loops, DnsSettings settings) {
    this(loops, settings, Path.of("/etc/resolv.conf"));
  }

  NettyDnsClient(List<Loop> loops, DnsSettings settings, Path resolvConf) {
    List<InetSocketAddress> s = settings.servers();
    if (s.isEmpty()) {
      s = nameServers(resolvConf);
      if (s.isEmpty()) {
        // resolv(5): "If no nameserver entries are present, the default is to use the name
        // server on the local machine."
        s = List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), 53));
        LOG.warnf("no nameserver in %s: DNS questions go to %s", resolvConf, s.get(0));
      }
    }
    this.servers = List.copyOf(s);
    this.resolvers = new DnsNameResolver[loops.size()];
    for (Loop loop : loops) {
      resolvers[loop.index()] = build(loop.eventLoop(), servers, settings.queryTimeoutMillis());
    }
    warmUp(loops);
  }

  /**
   * Asks each loop's resolver one question ("localhost." A) at start and waits a second at most:
   * the first question on a loop loads and initialises Netty's resolution classes, tens of
   * milliseconds that would otherwise stall the first call routed by name. The answer does not
   * matter; servers that do not answer in time are logged.
   */
  private void warmUp(List<Loop> loops) {
    java.util.concurrent.CountDownLatch done =
        new java.util.concurrent.CountDownLatch(loops.size());
    java.util.concurrent.atomic.AtomicInteger answered =
        new java.util.concurrent.atomic.AtomicInteger();
    for (Loop loop : loops) {
      DnsNameResolver r = resolvers[loop.index()];
      loop.eventLoop()
          .execute(
              () -> {
                try {
                  r.resolveAll(new DefaultDnsQuestion("localhost.", DnsRecordType.A))
                      .addListener(
                          f -> {
                            if (f.isSuccess() || !DnsNameResolver.isTimeoutError(f.cause())) {
                              answered.incrementAndGet();
                            }
                            if (f.isSuccess()) {
                              for (Object o : (List<?>) f.getNow()) {
                                ReferenceCountUtil.release(o);
                              }
                            }
                            done.countDown();
                          });
                } catch (RuntimeException e) {
                  done.countDown();
                }
              });
    }
    try {
      if (!done.await(1, java.util.concurrent.TimeUnit.SECONDS) || answered.get() == 0) {
        LOG.warnf(
            "DNS: no answer from %s yet; next hops named by host name resolve once they answer",
            servers);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The name servers asked, in order. */
  public List<InetSocketAddress> servers() {
    return servers;
  }

  private static DnsNameResolver build(
      EventLoop el, List<InetSocketAddress> servers, long timeoutMillis) {
    boolean epoll = el instanceof EpollEventLoop;
    return new DnsNameResolverBuilder(el)
        .datagramChannelType(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
        // A truncated answer (a long SRV or NAPTR set) is asked again over TCP.
        .socketChannelType(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
        .nameServerProvider(new SequentialDnsServerAddressStreamProvider(servers))
        // Netty caches nothing: RecordCache keeps answers by TTL, negative ones too, for all loops.
        .resolveCache(NoopDnsCache.INSTANCE)
        .cnameCache(NoopDnsCnameCache.INSTANCE)
        .authoritativeDnsServerCache(NoopAuthoritativeDnsServerCache.INSTANCE)
        // RFC 3263 is DNS only: no /etc/hosts (and no file read on a loop).
        .hostsFileEntriesResolver((name, types) -> null)
        .queryTimeoutMillis(timeoutMillis)
        .maxQueriesPerResolve(MAX_QUERIES_PER_QUESTION)
        .recursionDesired(true)
        .build();
  }

  @Override
  public void ask(String name, RecordType type, Loop loop, Consumer<DnsAnswer> answer) {
    DnsNameResolver r = resolvers[loop.index()];
    Future<List<DnsRecord>> f;
    try {
      f = r.resolveAll(new DefaultDnsQuestion(name, nettyType(type)));
    } catch (RuntimeException e) {
      // A name Netty refuses (too long a label...): no such records, said later as promised.
      loop.eventLoop()
          .execute(() -> loop.dispatch(() -> answer.accept(DnsAnswer.none(e.toString(), false))));
      return;
    }
    // The future completes on the resolver's event loop, which is this loop.
    f.addListener(done -> loop.dispatch(() -> answer.accept(answerOf(done, type))));
  }

  @SuppressWarnings("unchecked")
  private static DnsAnswer answerOf(Future<?> done, RecordType type) {
    if (!done.isSuccess()) {
      Throwable c = done.cause();
      boolean temporary =
          DnsNameResolver.isTransportOrTimeoutError(c) || !(c instanceof UnknownHostException);
      String why =
          DnsNameResolver.isTimeoutError(c)
              ? "no answer from the name servers"
              : temporary ? "query failed: " + c : "no such records";
      return DnsAnswer.none(why, temporary);
    }
    List<DnsRecord> records = (List<DnsRecord>) done.getNow();
    try {
      return decode(records, type);
    } finally {
      for (DnsRecord r : records) {
        ReferenceCountUtil.release(r);
      }
    }
  }

  /** The records of the type asked, decoded; records that do not parse are skipped. */
  static DnsAnswer decode(List<DnsRecord> records, RecordType type) {
    List<Object> out = new ArrayList<>(records.size());
    long ttl = Long.MAX_VALUE;
    for (DnsRecord r : records) {
      if (r.type().intValue() != type.code() || !(r instanceof DnsRawRecord raw)) {
        continue;
      }
      Object v;
      try {
        v = decode(raw.content(), type);
      } catch (RuntimeException e) {
        v = null; // a hostile or broken record: bounds and pointers checked, the record dropped
      }
      if (v != null) {
        out.add(v);
        ttl = Math.min(ttl, r.timeToLive());
      }
    }
    if (out.isEmpty()) {
      return DnsAnswer.none("no usable records", false);
    }
    return new DnsAnswer(out, ttl, null, false);
  }

  private static Object decode(ByteBuf c, RecordType type) {
    int at = c.readerIndex();
    int len = c.readableBytes();
    switch (type) {
      case A, AAAA -> {
        if (len != (type == RecordType.A ? 4 : 16)) {
          return null;
        }
        byte[] b = new byte[len];
        c.getBytes(at, b);
        return address(b);
      }
      case SRV -> {
        if (len < 7) {
          return null;
        }
        int priority = c.getUnsignedShort(at);
        int weight = c.getUnsignedShort(at + 2);
        int port = c.getUnsignedShort(at + 4);
        // The target may be compressed (RFC 2782 says not to, servers do): the content is a view
        // of the whole message, so a pointer backwards resolves.
        String target = name(c.duplicate().setIndex(at + 6, at + len));
        return port == 0 ? null : new SrvRecord(priority, weight, port, target);
      }
      case NAPTR -> {
        ByteBuf b = c.duplicate();
        if (len < 7) {
          return null;
        }
        int order = b.readUnsignedShort();
        int preference = b.readUnsignedShort();
        String flags = characterString(b);
        String service = characterString(b);
        characterString(b); // regexp: RFC 3263 uses the replacement only
        String replacement = name(b);
        return new NaptrRecord(order, preference, flags, service, replacement);
      }
      default -> {
        return null;
      }
    }
  }

  private static String name(ByteBuf b) {
    return DefaultDnsRecordDecoder.decodeName(b).toLowerCase(Locale.ROOT);
  }

  /** RFC 1035 section 3.3: a length octet, then that many octets. */
  private static String characterString(ByteBuf b) {
    int n = b.readUnsignedByte();
    if (n > b.readableBytes()) {
      throw new IndexOutOfBoundsException("character-string past the record");
    }
    String s = b.toString(b.readerIndex(), n, StandardCharsets.ISO_8859_1);
    b.skipBytes(n);
    return s;
  }

  private static InetAddress address(byte[] b) {
    try {
      return InetAddress.getByAddress(b); // no lookup: 4 or 16 bytes
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private static DnsRecordType nettyType(RecordType t) {
    return switch (t) {
      case NAPTR -> DnsRecordType.NAPTR;
      case SRV -> DnsRecordType.SRV;
      case A -> DnsRecordType.A;
      case AAAA -> DnsRecordType.AAAA;
    };
  }

  /**
   * The nameserver lines of a resolv.conf (resolv(5)), port 53; addresses that are not IP literals
   * (a zone index...) are skipped. Empty when the file cannot be read.
   */
  static List<InetSocketAddress> nameServers(Path resolvConf) {
    List<String> lines;
    try {
      lines = Files.readAllLines(resolvConf, StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      LOG.warnf("cannot read %s: %s", resolvConf, e.toString());
      return List.of();
    }
    List<InetSocketAddress> out = new ArrayList<>(3);
    for (String line : lines) {
      String l = line.strip();
      if (!l.startsWith("nameserver")) {
        continue;
      }
      // "nameserver" then blanks then the address
      int i = "nameserver".length();
      if (i == l.length() || (l.charAt(i) != ' ' && l.charAt(i) != '\t')) {
        continue;
      }
      String addr = l.substring(i).strip();
      int end = 0;
      while (end < addr.length() && addr.charAt(end) != ' ' && addr.charAt(end) != '\t') {
        end++;
      }
      InetAddress a = IpLiteral.toInetAddress(addr.substring(0, end));
      if (a != null) {
        out.add(new InetSocketAddress(a, 53));
      }
    }
    return out;
  }

  @Override
  public void close() {
    for (DnsNameResolver r : resolvers) {
      if (r != null) {
        r.close();
      }
    }
  }
}
