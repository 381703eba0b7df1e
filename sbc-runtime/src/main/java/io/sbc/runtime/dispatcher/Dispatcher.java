package io.sbc.runtime.dispatcher;

import io.netty.util.concurrent.FastThreadLocal;
import io.sbc.api.Defaults;
import io.sbc.api.SipDispatcher;
import io.sbc.runtime.sip.message.NameAddr;
import io.sbc.runtime.sip.message.SipMessage;
import io.sbc.runtime.sip.message.SipMethod;
import io.sbc.runtime.sip.message.SipUri;
import io.sbc.runtime.sip.proxy.Target;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;

/**
 * One pool of destinations (a {@code SipDispatcher}): orders them for a request by its algorithm,
 * skipping those that are not ACTIVE.
 *
 * <p>{@link #select} runs on any loop at once: the configuration is one immutable snapshot read
 * through a volatile field, health and call counts are atomics, and no lock is taken.
 */
public final class Dispatcher {
  /**
   * Sort keys carry the index in 16 bits, and up to this size Arrays.sort of a long range sorts in
   * place (no merge buffer), keeping select() allocation-free.
   */
  static final int MAX_DESTINATIONS = 1024;

  /** Why a destination given as a Kubernetes Service cannot be served from a file. */
  public static final String SERVICE_REF_NEEDS_OPERATOR =
      "serviceRef needs the operator: it is resolved to endpoint addresses in a cluster";

  /** Per-thread sort keys for Hash and LeastActive, so that select() does not allocate. */
  private static final FastThreadLocal<long[]> SCRATCH =
      new FastThreadLocal<>() {
        @Override
        protected long[] initialValue() {
          return new long[16];
        }
      };

  /** One destination as this configuration uses it. */
  private record Member(Destination destination, Target target, int weight, int priority) {}

  /** A configuration, compiled: replaced whole on reload, never changed. */
  private record Pool(
      Algorithm algorithm,
      HashKey hashKey,
      ProbeSettings probe,
      Member[] members,
      int[] byWeight,
      int[] byPriority,
      List<Destination> destinations) {}

  private final String name;
  private volatile Pool pool;
  private final AtomicLong rotation = new AtomicLong();
  private volatile Prober prober;

  private Dispatcher(String name) {
    this.name = name;
  }

  /**
   * Compiles a document.
   *
   * @throws IllegalArgumentException naming every problem {@link #check} finds
   */
  public static Dispatcher create(SipDispatcher doc) {
    Dispatcher d = new Dispatcher(doc.metadata.name);
    d.pool = d.compile(doc, null);
    return d;
  }

  /**
   * Replaces the configuration; destinations whose URI stays keep their health, calls and counters,
   * so a reload does not put a dead destination back or forget a live one's calls.
   *
   * @throws IllegalArgumentException naming every problem {@link #check} finds (nothing changes)
   */
  public synchronized void update(SipDispatcher doc) {
    if (!name.equals(doc.metadata.name)) {
      throw new IllegalArgumentException(
          "dispatcher " + name + " cannot become " + doc.metadata.name);
    }
    Pool old = pool;
    Pool next = compile(doc, old);
    pool = next;
    if (!next.probe.enabled()) {
      for (Member m : next.members) {
        m.destination.probingDisabled();
      }
    }
    Prober p = prober;
    if (p != null && next.probe.intervalMillis() != old.probe.intervalMillis()) {
      p.intervalChanged();
    }
  }

  /**
   * Starts OPTIONS probing on the environment's loop (when the configuration enables it; a reload
   * may enable it later). Call once.
   */
  public synchronized void startProbing(ProbeEnvironment env) {
    if (prober != null) {
      throw new IllegalStateException("dispatcher " + name + " probes already");
    }
    Prober p = new Prober(this, env);
    prober = p;
    p.start();
  }

  /** Stops probing (probes in flight still report). */
  public synchronized void close() {
    if (prober != null) {
      prober.close();
    }
  }

  public String name() {
    return name;
  }

  public Algorithm algorithm() {
    return pool.algorithm;
  }

  public HashKey hashKey() {
    return pool.hashKey;
  }

  public ProbeSettings probe() {
    return pool.probe;
  }

  /** The destinations in configuration order. */
  public List<Destination> destinations() {
    return pool.destinations;
  }

  /** Every destination's state and counters, in configuration order. */
  public List<DestinationStatus> snapshot() {
    Member[] ms = pool.members;
    List<DestinationStatus> out = new ArrayList<>(ms.length);
    for (Member m : ms) {
      out.add(m.destination.status(m.weight, m.priority));
    }
    return List.copyOf(out);
  }

  // --- selection ------------------------------------------------------------------------------

  /**
   * Appends this pool's ACTIVE destinations to {@code out} in the order to try them: the first is
   * the choice, the others the failover order. When none is ACTIVE, the PROBING ones (suspects) as
   * a last resort; nothing when all are INACTIVE.
   *
   * @param random the only source of randomness (a seeded one replays decisions)
   */
  public void select(SipMessage request, RandomGenerator random, List<Target> out) {
    int first = out.size();
    order(request, random, out);
    if (request != null && request.method() == SipMethod.INVITE && request.toTag() == null) {
      // A new call skips the destinations at their maxCalls: the route's next one takes it.
      for (int i = out.size() - 1; i >= first; i--) {
        if (out.get(i).owner() instanceof Destination d && d.full()) {
          out.remove(i);
        }
      }
    }
  }

  private void order(SipMessage request, RandomGenerator random, List<Target> out) {
    Pool p = pool;
    Member[] ms = p.members;
    int up = 0;
    for (Member m : ms) {
      if (m.destination.isActive()) {
        up++;
      }
    }
    if (up == 0) {
      // Nothing confirmed up: rather than refusing every call, try the suspects (PROBING: failed
      // in a call, not yet confirmed down by probes) in configuration order. INACTIVE ones stay
      // out. With one destination, one overloaded moment must not become a burst of 503s.
      for (Member m : ms) {
        if (m.destination.state() == DestinationState.PROBING) {
          out.add(m.target);
        }
      }
      return;
    }
    // Health may change on another loop while this runs: every step re-checks isActive(), so a
    // destination that went down meanwhile is skipped, never added twice.
    switch (p.algorithm) {
      case ROUND_ROBIN ->
          rotate(ms, (int) Long.remainderUnsigned(rotation.getAndIncrement(), up), out);
      case RANDOM -> rotate(ms, random.nextInt(up), out);
      case WEIGHTED -> weighted(ms, p.byWeight, 0, ms.length, random, out);
      case PRIORITY -> priority(ms, p.byPriority, random, out);
      case HASH -> hash(ms, keyHash(request, p.hashKey), out);
      case LEAST_ACTIVE -> leastActive(ms, out);
    }
  }

  /** The up destinations in configuration order, starting at the {@code start}-th up one. */
  private static void rotate(Member[] ms, int start, List<Target> out) {
    int first = 0;
    for (int i = 0, k = 0; i < ms.length; i++) {
      if (ms[i].destination.isActive() && k++ == start) {
        first = i;
        break;
      }
    }
    for (int j = 0; j < ms.length; j++) {
      Member m = ms[(first + j) % ms.length];
      if (m.destination.isActive()) {
        out.add(m.target);
      }
    }
  }

  /**
   * Over {@code order[from..to)} (by descending weight): the first chosen with probability
   * proportional to weight (uniformly when all weights are 0), then the rest in that order.
   */
  private static void weighted(
      Member[] ms, int[] order, int from, int to, RandomGenerator random, List<Target> out) {
    long total = 0;
    int up = 0;
    for (int j = from; j < to; j++) {
      Member m = ms[order[j]];
      if (m.destination.isActive()) {
        total += m.weight;
        up++;
      }
    }
    if (up == 0) {
      return;
    }
    int chosen = -1;
    if (total > 0) {
      long r = random.nextLong(total);
      for (int j = from; j < to; j++) {
        Member m = ms[order[j]];
        if (m.destination.isActive() && m.weight > 0 && (r -= m.weight) < 0) {
          chosen = order[j];
          break;
        }
      }
    } else {
      int r = random.nextInt(up);
      for (int j = from; j < to; j++) {
        if (ms[order[j]].destination.isActive() && r-- == 0) {
          chosen = order[j];
          break;
        }
      }
    }
    if (chosen >= 0) {
      out.add(ms[chosen].target);
    }
    for (int j = from; j < to; j++) {
      Member m = ms[order[j]];
      if (order[j] != chosen && m.destination.isActive()) {
        out.add(m.target);
      }
    }
  }

  /** Priority groups from the lowest value up; weighted within each group. */
  private static void priority(Member[] ms, int[] order, RandomGenerator random, List<Target> out) {
    int from = 0;
    while (from < order.length) {
      int prio = ms[order[from]].priority;
      int to = from + 1;
      while (to < order.length && ms[order[to]].priority == prio) {
        to++;
      }
      weighted(ms, order, from, to, random, out);
      from = to;
    }
  }

  /**
   * Rendezvous (highest random weight) hashing: every destination scores the key, the highest
   * first. A key stays where it is while its destination is up, whatever else goes down or comes
   * back, and the keys of one that goes down spread over the others (its failover order is the next
   * scores, so they go where failover sent them).
   */
  private static void hash(Member[] ms, long key, List<Target> out) {
    long[] s = scratch(ms.length);
    int k = 0;
    for (int i = 0; i < ms.length; i++) {
      if (ms[i].destination.isActive()) {
        // 47 bits of score, inverted so ascending keys put the highest first; index in the low 16.
        long score = Hashing.score(key, ms[i].destination.seed()) >>> 17;
        s[k++] = ((0x7FFF_FFFF_FFFFL - score) << 16) | i;
      }
    }
    Arrays.sort(s, 0, k);
    for (int j = 0; j < k; j++) {
      out.add(ms[(int) (s[j] & 0xFFFF)].target);
    }
  }

  /** Fewest active calls first; ties in configuration order. */
  private static void leastActive(Member[] ms, List<Target> out) {
    long[] s = scratch(ms.length);
    int k = 0;
    for (int i = 0; i < ms.length; i++) {
      Destination d = ms[i].destination;
      if (d.isActive()) {
        long calls = Math.max(0, d.activeCalls());
        s[k++] = (calls << 16) | i;
      }
    }
    Arrays.sort(s, 0, k);
    for (int j = 0; j < k; j++) {
      out.add(ms[(int) (s[j] & 0xFFFF)].target);
    }
  }

  private static long[] scratch(int n) {
    long[] s = SCRATCH.get();
    if (s.length < n) {
      s = new long[Math.max(n, 2 * s.length)];
      SCRATCH.set(s);
    }
    return s;
  }

  /** The hash of the configured key; Call-ID when the request has no such user part. */
  static long keyHash(SipMessage m, HashKey key) {
    SipUri u = null;
    if (key == HashKey.FROM_USER) {
      NameAddr from = m.from();
      u = from == null ? null : from.uri();
    } else if (key == HashKey.REQUEST_URI_USER) {
      u = m.requestUri();
    }
    if (u != null && u.userStart() >= 0) {
      return Hashing.fnv1a(u.buffer(), u.userStart(), u.userEnd());
    }
    int h = m.callIdHeader();
    return h < 0 ? 0 : Hashing.fnv1a(m.bytes(), m.headerValueStart(h), m.headerValueEnd(h));
  }

  // --- configuration --------------------------------------------------------------------------

  /**
   * The problems of a document, each as "field: problem" (e.g. "spec.destinations[1].uri: host must
   * be an IP address"); empty when it compiles.
   */
  public static List<String> check(SipDispatcher doc) {
    List<String> errors = new ArrayList<>();
    parse(doc, errors, null, null);
    return errors;
  }

  private Pool compile(SipDispatcher doc, Pool old) {
    Map<String, Destination> kept = new HashMap<>();
    if (old != null) {
      for (Member m : old.members) {
        kept.put(m.destination.uri(), m.destination);
      }
    }
    List<String> errors = new ArrayList<>();
    Pool p = parse(doc, errors, this, kept);
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException(
          "SipDispatcher/" + doc.metadata.name + ": " + String.join("; ", errors));
    }
    return p;
  }

  /** Validates, and when {@code owner} is given and all is valid, builds the pool. */
  private static Pool parse(
      SipDispatcher doc, List<String> errors, Dispatcher owner, Map<String, Destination> kept) {
    SipDispatcher.Spec spec = doc.spec;
    if (doc.metadata == null || doc.metadata.name == null || doc.metadata.name.isEmpty()) {
      errors.add("metadata.name: required");
    }
    if (spec == null) {
      errors.add("spec: required");
      return null;
    }
    Algorithm algorithm =
        Algorithm.of(spec.algorithm == null ? Defaults.DISPATCH_ALGORITHM : spec.algorithm);
    if (algorithm == null) {
      errors.add(
          "spec.algorithm: '"
              + spec.algorithm
              + "' is not one of "
              + String.join(", ", Defaults.DISPATCH_ALGORITHMS));
    }
    HashKey hashKey = HashKey.of(spec.hashKey == null ? Defaults.HASH_KEY : spec.hashKey);
    if (hashKey == null) {
      errors.add(
          "spec.hashKey: '"
              + spec.hashKey
              + "' is not one of "
              + String.join(", ", Defaults.HASH_KEYS));
    }
    ProbeSettings probe = probe(spec.probe, errors);
    List<SipDispatcher.Destination> ds = spec.destinations == null ? List.of() : spec.destinations;
    if (ds.isEmpty()) {
      errors.add("spec.destinations: at least one destination is required");
    } else if (ds.size() > MAX_DESTINATIONS) {
      errors.add("spec.destinations: at most " + MAX_DESTINATIONS + " destinations");
    }
    Set<String> seen = new HashSet<>();
    List<Target> targets = new ArrayList<>();
    for (int i = 0; i < ds.size(); i++) {
      SipDispatcher.Destination d = ds.get(i);
      String where = "spec.destinations[" + i + "]";
      if (d != null && d.serviceRef != null) {
        errors.add(where + ".serviceRef: " + SERVICE_REF_NEEDS_OPERATOR);
        continue;
      }
      if (d == null || d.uri == null) {
        errors.add(where + ".uri: required");
        continue;
      }
      String uri = d.uri.trim();
      if (!seen.add(uri)) {
        errors.add(where + ".uri: " + uri + " is listed twice");
      }
      try {
        targets.add(Target.destination(uri, null));
      } catch (IllegalArgumentException e) {
        errors.add(where + ".uri: " + e.getMessage());
      }
      if (d.weight != null && d.weight < 0) {
        errors.add(where + ".weight: must not be negative");
      }
    }
    if (owner == null || !errors.isEmpty()) {
      return null;
    }
    Member[] members = new Member[ds.size()];
    List<Destination> dests = new ArrayList<>(ds.size());
    for (int i = 0; i < members.length; i++) {
      SipDispatcher.Destination d = ds.get(i);
      Target t = targets.get(i);
      Destination dest = kept.get(t.uri());
      if (dest == null) {
        dest = new Destination(owner, t);
      }
      int weight = d.weight == null ? Defaults.WEIGHT : d.weight;
      int priority = d.priority == null ? Defaults.PRIORITY : d.priority;
      dest.maxCalls(d.maxCalls == null ? 0 : d.maxCalls);
      members[i] = new Member(dest, dest.target(), weight, priority);
      dests.add(dest);
    }
    Integer[] idx = new Integer[members.length];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = i;
    }
    // Stable sorts: equal weights (and priorities) stay in configuration order.
    Integer[] w = idx.clone();
    Arrays.sort(w, (a, b) -> Integer.compare(members[b].weight, members[a].weight));
    Integer[] pr = idx.clone();
    Arrays.sort(
        pr,
        (a, b) -> {
          int c = Integer.compare(members[a].priority, members[b].priority);
          return c != 0 ? c : Integer.compare(members[b].weight, members[a].weight);
        });
    return new Pool(
        algorithm,
        hashKey,
        probe,
        members,
        Arrays.stream(w).mapToInt(Integer::intValue).toArray(),
        Arrays.stream(pr).mapToInt(Integer::intValue).toArray(),
        List.copyOf(dests));
  }

  private static ProbeSettings probe(SipDispatcher.Probe p, List<String> errors) {
    if (p == null) {
      p = new SipDispatcher.Probe();
    }
    boolean enabled = p.enabled == null || p.enabled;
    int interval = orDefault(p.intervalMillis, Defaults.PROBE_INTERVAL_MILLIS);
    int timeout = orDefault(p.timeoutMillis, Defaults.PROBE_TIMEOUT_MILLIS);
    int failures = orDefault(p.failureThreshold, Defaults.PROBE_FAILURE_THRESHOLD);
    int successes = orDefault(p.successThreshold, Defaults.PROBE_SUCCESS_THRESHOLD);
    // Faster than the timer wheel's tick is meaningless; the wheel would round it up anyway.
    if (interval < 100) {
      errors.add("spec.probe.intervalMillis: must be at least 100");
    }
    if (timeout < 10) {
      errors.add("spec.probe.timeoutMillis: must be at least 10");
    }
    if (failures < 1) {
      errors.add("spec.probe.failureThreshold: must be at least 1");
    }
    if (successes < 1) {
      errors.add("spec.probe.successThreshold: must be at least 1");
    }
    return new ProbeSettings(enabled, interval, timeout, failures, successes);
  }

  private static int orDefault(Integer v, int d) {
    return v == null ? d : v;
  }
}
