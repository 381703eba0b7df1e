package io.sbc.runtime.sip.locate;

import io.sbc.runtime.sip.transport.Loop;
import java.util.function.Consumer;

/**
 * Asks name servers one question. The answer comes exactly once on the loop that asked, inside its
 * context: usually later, possibly before {@code ask} returns; a client never blocks the loop.
 */
public interface DnsClient {
  /**
   * @param name the name asked about: absolute when it ends with a dot (names read from records),
   *     else subject to the resolver's search domains (a host as configured)
   */
  void ask(String name, RecordType type, Loop loop, Consumer<DnsAnswer> answer);
}
