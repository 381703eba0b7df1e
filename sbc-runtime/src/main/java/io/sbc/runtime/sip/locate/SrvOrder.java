package io.sbc.runtime.sip.locate;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The order in which SRV targets are tried (RFC 2782, "Usage rules"): by priority, lowest first;
 * within one priority, a weighted random order, so that over many requests each target comes first
 * in proportion to its weight.
 */
final class SrvOrder {
  private SrvOrder() {}

  /**
   * @param byPriority the records sorted by priority (as {@link RecordCache} keeps them)
   * @param random where the weighted choices come from (a seeded one replays an order)
   * @return the records in the order to try them
   */
  static List<SrvRecord> order(List<SrvRecord> byPriority, RandomGenerator random) {
    int n = byPriority.size();
    if (n <= 1) {
      return byPriority;
    }
    List<SrvRecord> out = new ArrayList<>(n);
    int i = 0;
    while (i < n) {
      int j = i + 1;
      while (j < n && byPriority.get(j).priority() == byPriority.get(i).priority()) {
        j++;
      }
      if (j - i == 1) {
        out.add(byPriority.get(i));
      } else {
        weighted(byPriority.subList(i, j), random, out);
      }
      i = j;
    }
    return out;
  }

  /**
   * RFC 2782: "arrange all SRV RRs (that have not been ordered yet) in any order, except that all
   * those with weight 0 are placed at the beginning of the list. Compute the sum of the weights of
   * those RRs, and with each RR associate the running sum in the selected order. Then choose a
   * uniform random number between 0 and the sum computed (inclusive), and select the RR whose
   * running sum value is the first in the selected order which is greater than or equal to the
   * random number selected", until none is left.
   */
  private static void weighted(List<SrvRecord> group, RandomGenerator random, List<SrvRecord> out) {
    List<SrvRecord> left = new ArrayList<>(group.size());
    for (SrvRecord r : group) {
      if (r.weight() == 0) {
        left.add(r);
      }
    }
    for (SrvRecord r : group) {
      if (r.weight() != 0) {
        left.add(r);
      }
    }
    while (!left.isEmpty()) {
      int sum = 0;
      for (SrvRecord r : left) {
        sum += r.weight();
      }
      int pick = random.nextInt(sum + 1);
      int running = 0;
      for (int k = 0; k < left.size(); k++) {
        running += left.get(k).weight();
        if (running >= pick) {
          out.add(left.remove(k));
          break;
        }
      }
    }
  }
}
