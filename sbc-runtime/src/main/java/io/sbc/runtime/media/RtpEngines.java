package io.sbc.runtime.media;

import io.sbc.runtime.sip.timer.Timeout;
import io.sbc.runtime.sip.transport.Loop;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.jboss.logging.Logger;

/**
 * The RTPengine instances of a gateway, their health, and which one a call uses: the instance with
 * the highest weighted rendezvous score for the dialog's original Call-ID, among those up. The
 * score depends only on the Call-ID and the instance's address, so every replica (and a restarted
 * one) sends a call's commands to the same instance while they see the same instances up; adding or
 * removing an instance moves only the calls it wins or held.
 *
 * <p>An instance whose command gets no answer is marked down at once, so the calls after it go
 * elsewhere; {@code ping} (every {@code pingIntervalSeconds}, on one loop) brings it back when it
 * answers again. Thread safe: the instance array is immutable and swapped in one volatile write;
 * health is one volatile flag per instance.
 */
public final class RtpEngines {
  private static final Logger LOG = Logger.getLogger(RtpEngines.class);

  /** One RTPengine: its ng address, weight, health and counts. */
  public static final class Instance {
    final String name;
    final InetSocketAddress address;
    final long seed;
    final int shortId;
    volatile int weight;
    volatile boolean up = true;
    public final LongAdder commands = new LongAdder();
    public final LongAdder failures = new LongAdder();

    Instance(String name, InetSocketAddress address, int weight) {
      this.name = name;
      this.address = address;
      this.weight = weight;
      this.seed = fnv(name.getBytes(StandardCharsets.ISO_8859_1), 0, name.length(), FNV_OFFSET);
      byte[] a = address.getAddress().getAddress();
      long h = fnv(a, 0, a.length, FNV_OFFSET);
      h = fnv(new byte[] {(byte) (address.getPort() >> 8), (byte) address.getPort()}, 0, 2, h);
      this.shortId = (int) ((h ^ (h >>> 16) ^ (h >>> 32) ^ (h >>> 48)) & 0xFFFF);
    }

    /**
     * What a dialog's sealed state names this instance by: 16 bits of a hash of its address and
     * port (not of how the address is spelled), alike in every replica.
     */
    public int shortId() {
      return shortId;
    }

    /** As configured: IP:port. */
    public String name() {
      return name;
    }

    public InetSocketAddress address() {
      return address;
    }

    public boolean isUp() {
      return up;
    }

    public int weight() {
      return weight;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  private volatile Instance[] instances;
  private NgClient client;
  private Loop pingLoop;
  private long pingMillis;
  private Timeout pingTimer;
  private volatile boolean closed;

  /**
   * @param instances ng addresses ("IP:port", as validated) and their weights, in order
   */
  public RtpEngines(Map<String, Integer> instances) {
    this.instances = build(instances, Map.of());
  }

  private static Instance[] build(Map<String, Integer> spec, Map<String, Instance> running) {
    List<Instance> out = new ArrayList<>();
    for (Map.Entry<String, Integer> e : spec.entrySet()) {
      Instance old = running.get(e.getKey());
      if (old != null) {
        old.weight = e.getValue();
        out.add(old); // health and counts kept across reloads
        continue;
      }
      String[] hp = io.sbc.api.syntax.IpLiteral.parseSocketAddress(e.getKey());
      if (hp == null) {
        throw new IllegalArgumentException("not IP:port: " + e.getKey());
      }
      out.add(
          new Instance(
              e.getKey(),
              new InetSocketAddress(
                  io.sbc.api.syntax.IpLiteral.toInetAddress(hp[0]), Integer.parseInt(hp[1])),
              e.getValue()));
    }
    return out.toArray(new Instance[0]);
  }

  /** A new set of instances (a reload); those kept by address keep their health. */
  public void update(Map<String, Integer> spec) {
    Map<String, Instance> running = new HashMap<>();
    for (Instance i : instances) {
      running.put(i.name, i);
    }
    instances = build(spec, running);
  }

  public List<Instance> instances() {
    return List.of(instances);
  }

  public int size() {
    return instances.length;
  }

  /**
   * The instance for this Call-ID: the highest weighted rendezvous score among the instances up
   * with a weight, else among those up with weight 0; null when none is up. No allocation.
   */
  public Instance choose(byte[] callId) {
    Instance[] all = instances;
    Instance best = null;
    double bestScore = -1;
    Instance spare = null;
    double spareScore = -1;
    for (Instance i : all) {
      if (!i.up) {
        continue;
      }
      long h = mix(fnv(callId, 0, callId.length, i.seed));
      // Weighted rendezvous hashing: -w / ln(u), u uniform in (0, 1) from the hash.
      double u = ((h >>> 11) + 0.5) / (double) (1L << 53);
      double s = -1.0 / Math.log(u);
      int w = i.weight;
      if (w > 0) {
        double score = w * s;
        if (score > bestScore) {
          bestScore = score;
          best = i;
        }
      } else if (s > spareScore) {
        spareScore = s;
        spare = i;
      }
    }
    return best != null ? best : spare;
  }

  /**
   * The instance a dialog's sealed state names, up or not (the call is there either way); null when
   * this replica has none with that id, or two (a collision of 16-bit ids: neither is trusted).
   */
  public Instance byShortId(int id) {
    Instance found = null;
    for (Instance i : instances) {
      if (i.shortId == id) {
        if (found != null) {
          return null;
        }
        found = i;
      }
    }
    return found;
  }

  /** A command to {@code i} got no answer: calls go elsewhere until its ping is answered. */
  public void failed(Instance i, String why) {
    i.failures.increment();
    if (i.up) {
      i.up = false;
      LOG.warnf("RTPengine %s is down (%s): new calls go to the other instances", i.name, why);
    }
  }

  private void answered(Instance i) {
    if (!i.up) {
      i.up = true;
      LOG.infof("RTPengine %s answers ping again: it takes calls", i.name);
    }
  }

  /** Pings every instance now and every {@code intervalMillis} after, from {@code loop}. */
  public void startPinging(NgClient client, Loop loop, long intervalMillis) {
    this.client = client;
    this.pingLoop = loop;
    this.pingMillis = intervalMillis;
    loop.execute(this::pingAll);
  }

  private void pingAll() {
    if (closed) {
      return;
    }
    for (Instance i : instances) {
      Map<String, Object> ping = new LinkedHashMap<>();
      ping.put("command", "ping");
      client.send(
          pingLoop,
          i.address,
          ping,
          (reply, failure) -> {
            if (reply != null && "pong".equals(reply.get("result"))) {
              answered(i);
            } else {
              failed(i, failure != null ? failure : "ping answered " + reply);
            }
          });
    }
    pingTimer = pingLoop.timers().schedule(this::pingAll, pingMillis);
  }

  /** Stops the pings. */
  public void close() {
    closed = true;
    Loop l = pingLoop;
    if (l != null) {
      l.execute(
          () -> {
            if (pingTimer != null) {
              pingTimer.cancel();
            }
          });
    }
  }

  // FNV-1a then a SplitMix64 finaliser: fixed functions, so every replica computes the same.
  private static final long FNV_OFFSET = 0xcbf29ce484222325L;

  private static long fnv(byte[] b, int from, int to, long h) {
    for (int k = from; k < to; k++) {
      h ^= b[k] & 0xFF;
      h *= 0x100000001b3L;
    }
    return h;
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
