package io.sbc.runtime.sip.proxy;

import java.util.List;

/**
 * Which final responses make serial forking try the next destination; timeouts and transport
 * failures always do.
 */
public final class FailoverPolicy {
  /** 5xx and 408: a destination that is broken or overloaded, not a callee's answer. */
  public static final FailoverPolicy DEFAULT = of(List.of("5xx", "408"));

  private final boolean[] codes = new boolean[700];

  private FailoverPolicy() {}

  /**
   * From entries such as "503" or "5xx".
   *
   * @throws IllegalArgumentException for an entry that is neither
   */
  public static FailoverPolicy of(List<String> entries) {
    FailoverPolicy p = new FailoverPolicy();
    for (String e : entries) {
      if (e.length() == 3 && e.endsWith("xx") && e.charAt(0) >= '3' && e.charAt(0) <= '6') {
        int base = (e.charAt(0) - '0') * 100;
        for (int c = base; c < base + 100; c++) {
          p.codes[c] = true;
        }
      } else {
        int c = Integer.parseInt(e);
        if (c < 300 || c > 699) {
          throw new IllegalArgumentException("not a failure status: " + e);
        }
        p.codes[c] = true;
      }
    }
    return p;
  }

  public boolean failsOver(int status) {
    return status >= 0 && status < codes.length && codes[status];
  }
}
