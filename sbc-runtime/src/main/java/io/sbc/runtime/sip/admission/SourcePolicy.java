package io.sbc.runtime.sip.admission;

import io.sbc.runtime.routing.CidrSet;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Who a gateway hears, compiled once per configuration: the allow and deny networks of each
 * listener, the anti-flood rate, burst, ban and exempt networks (absent: no limit), and the scanner
 * User-Agents refused. Immutable.
 */
public final class SourcePolicy {
  /** The networks one listener hears (allow: empty means every source) and never hears. */
  public record ListenerAccess(CidrSet allow, CidrSet deny) {
    boolean hears(InetAddress source) {
      return (allow.isEmpty() || allow.contains(source)) && !deny.contains(source);
    }
  }

  /**
   * A token bucket per source address.
   *
   * @param requestsPerSecond tokens back per second
   * @param burst the bucket's size
   * @param banSeconds how long a source over the limit is banned (0: none)
   * @param exempt sources never limited nor banned
   */
  public record AntiFlood(int requestsPerSecond, int burst, int banSeconds, CidrSet exempt) {}

  /** Hears everyone, limits no one, blocks no scanner. */
  public static final SourcePolicy OPEN = new SourcePolicy(Map.of(), null, List.of());

  private final Map<String, ListenerAccess> access;
  private final AntiFlood antiFlood;
  private final List<String> scannerAgents;
  final UserAgentMatch scanners;

  /**
   * @param access by listener name; listeners not named hear everyone
   * @param antiFlood the rate limit, or null for none
   * @param scannerAgents User-Agent substrings of scanners to refuse (empty: none)
   */
  public SourcePolicy(
      Map<String, ListenerAccess> access, AntiFlood antiFlood, List<String> scannerAgents) {
    Map<String, ListenerAccess> a = new java.util.HashMap<>();
    access.forEach(
        (name, la) -> {
          if (!la.allow().isEmpty() || !la.deny().isEmpty()) {
            a.put(name, la);
          }
        });
    this.access = Map.copyOf(a);
    this.antiFlood = antiFlood;
    this.scannerAgents = List.copyOf(scannerAgents);
    this.scanners = new UserAgentMatch(this.scannerAgents);
  }

  /** Compiles networks as the validator checked them. */
  public static ListenerAccess access(List<String> allow, List<String> deny) {
    return new ListenerAccess(CidrSet.of(allow), CidrSet.of(deny));
  }

  /** The built-in scanner User-Agents and the configured ones, without repeats. */
  public static List<String> scannerAgents(List<String> builtIn, List<String> configured) {
    List<String> all = new ArrayList<>(builtIn);
    for (String s : configured) {
      if (!all.contains(s)) {
        all.add(s);
      }
    }
    return all;
  }

  boolean hasAccessRules() {
    return !access.isEmpty();
  }

  /** Whether {@code listener} hears {@code source} (its allow and deny networks). */
  boolean hears(String listener, InetAddress source) {
    ListenerAccess a = access.get(listener);
    return a == null || a.hears(source);
  }

  public AntiFlood antiFlood() {
    return antiFlood;
  }

  public List<String> scannerAgents() {
    return scannerAgents;
  }

  @Override
  public String toString() {
    return "SourcePolicy[access on "
        + access.keySet()
        + ", antiFlood "
        + antiFlood
        + ", scanners "
        + scannerAgents
        + "]";
  }
}
