package io.sbc.runtime.sip.transport.tls;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import org.jboss.logging.Logger;

/**
 * Counts certificate reloads applied and refused, and logs each refused content once (a broken file
 * stays broken between checks; the log says so once, not every few seconds).
 */
final class Reloads {
  private static final Logger LOG = Logger.getLogger(Reloads.class);
  private static final int MAX_REMEMBERED = 1000;

  private final LongAdder applied = new LongAdder();
  private final LongAdder refused = new LongAdder();
  private final Set<String> logged = new HashSet<>();

  void applied() {
    applied.increment();
  }

  synchronized void refused(String who, String contentKey, String reason) {
    if (logged.size() >= MAX_REMEMBERED) {
      logged.clear();
    }
    if (logged.add(who + '\n' + contentKey)) {
      refused.increment();
      LOG.warnf(
          "TLS %s: new certificate files refused, the previous ones keep serving: %s", who, reason);
    }
  }

  long appliedCount() {
    return applied.sum();
  }

  long refusedCount() {
    return refused.sum();
  }
}
