package io.sbc.runtime.sip.locate;

import java.util.List;

/**
 * The answer to one DNS question: the records of the type asked ({@link NaptrRecord}, {@link
 * SrvRecord} or {@link java.net.InetAddress}), or none with the reason.
 *
 * @param records the records, in the order the server gave them; empty when the name has none
 * @param ttlSeconds how long the answer may be kept (the smallest TTL of the set; 0: not at all)
 * @param problem why there are no records, or null
 * @param temporary the question went unanswered (a timeout, an unreachable server): worth asking
 *     again soon, unlike a name that has no such records
 */
public record DnsAnswer(List<Object> records, long ttlSeconds, String problem, boolean temporary) {
  public DnsAnswer {
    records = List.copyOf(records);
  }

  /** An answer with no records. */
  public static DnsAnswer none(String problem, boolean temporary) {
    return new DnsAnswer(List.of(), 0, problem, temporary);
  }
}
