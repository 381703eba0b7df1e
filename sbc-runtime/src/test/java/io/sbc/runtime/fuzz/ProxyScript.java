package io.sbc.runtime.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A fuzz input for the proxy targets: messages separated by {@code %%%%} (never valid SIP: a '%'
 * starts a two-hex-digit escape), each optionally led by a directive line starting with '@'.
 *
 * <pre>
 * &#64;[delay-ms] [up|a|b] [tcp] [fork] [fail] [btcp] [norr] [stateless] [m=METHOD] [=code,code...]
 * </pre>
 *
 * <p>The delay advances the clock (timers fire) before the message is delivered; {@code up} means
 * from the caller, {@code a} and {@code b} from the two downstream targets; {@code tcp} delivers
 * over the TCP listener; {@code =codes} makes the downstream targets answer every request the proxy
 * has sent them and not yet had answered, with these statuses in order. Routing directives ({@code
 * fork}, {@code fail}: a first target whose transport fails, {@code btcp}: target B over TCP,
 * {@code norr}) and {@code stateless} and {@code m=} (the method of the response target's setup
 * request) are read from the first directive line only. In every message, {@code @TX@} and
 * {@code @TXB@} become the branch of the last request the proxy sent to target A or B, so that
 * responses reach the client transactions the proxy created.
 */
final class ProxyScript {
  static final byte[] SEPARATOR = "%%%%".getBytes(StandardCharsets.ISO_8859_1);

  /** Where a message comes from. */
  enum From {
    CALLER,
    TARGET_A,
    TARGET_B
  }

  /** One message to deliver and what to do around it. */
  record Step(long delayMillis, From from, boolean tcp, int[] answers, byte[] message) {}

  final List<Step> steps = new ArrayList<>();
  boolean fork;
  boolean failFirst;
  boolean targetBOverTcp;
  boolean recordRoute = true;
  boolean stateless;
  String setupMethod = "INVITE";

  /**
   * Longest delay one directive may ask for: longer than any transaction lives (Timer C + 64*T1).
   */
  static final long MAX_DELAY = 300_000;

  /** At most this many messages are delivered per input, so one input stays cheap. */
  static final int MAX_STEPS = 16;

  static ProxyScript parse(byte[] input, From defaultFrom) {
    ProxyScript s = new ProxyScript();
    int from = 0;
    boolean first = true;
    while (from <= input.length && s.steps.size() < MAX_STEPS) {
      int sep = indexOf(input, SEPARATOR, from);
      int end = sep < 0 ? input.length : sep;
      s.add(Arrays.copyOfRange(input, from, end), defaultFrom, first);
      first = false;
      if (sep < 0) {
        break;
      }
      from = sep + SEPARATOR.length;
    }
    return s;
  }

  private void add(byte[] segment, From defaultFrom, boolean first) {
    int p = 0;
    while (p < segment.length && (segment[p] == '\r' || segment[p] == '\n')) {
      p++;
    }
    long delay = 0;
    From dir = defaultFrom;
    boolean tcp = false;
    int[] answers = null;
    if (p < segment.length && segment[p] == '@') {
      int eol = p;
      while (eol < segment.length && segment[eol] != '\n') {
        eol++;
      }
      String line = new String(segment, p + 1, eol - p - 1, StandardCharsets.ISO_8859_1).trim();
      String[] tokens = line.split(" ");
      for (int i = 0; i < tokens.length; i++) {
        String t = tokens[i];
        if (i == 0 && !t.isEmpty() && Character.isDigit(t.charAt(0))) {
          delay = Math.min(MAX_DELAY, parseLong(t));
        } else if (t.equals("up")) {
          dir = From.CALLER;
        } else if (t.equals("a")) {
          dir = From.TARGET_A;
        } else if (t.equals("b")) {
          dir = From.TARGET_B;
        } else if (t.equals("tcp")) {
          tcp = true;
        } else if (t.startsWith("=")) {
          answers = codes(t.substring(1));
        } else if (first) {
          routing(t);
        }
      }
      p = Math.min(segment.length, eol + 1);
    }
    steps.add(new Step(delay, dir, tcp, answers, Arrays.copyOfRange(segment, p, segment.length)));
  }

  private void routing(String t) {
    switch (t) {
      case "fork" -> fork = true;
      case "fail" -> failFirst = true;
      case "btcp" -> targetBOverTcp = true;
      case "norr" -> recordRoute = false;
      case "stateless" -> stateless = true;
      default -> {
        if (t.startsWith("m=") && t.length() > 2) {
          setupMethod = t.substring(2);
        }
      }
    }
  }

  /** Status codes 100..699 from "180,200"; anything else is skipped. */
  private static int[] codes(String list) {
    String[] parts = list.split(",");
    int[] out = new int[Math.min(parts.length, 8)];
    int n = 0;
    for (int i = 0; i < out.length; i++) {
      long c = parseLong(parts[i]);
      if (c >= 100 && c <= 699) {
        out[n++] = (int) c;
      }
    }
    return Arrays.copyOf(out, n);
  }

  private static long parseLong(String s) {
    long v = 0;
    for (int i = 0; i < s.length() && i < 9; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        break;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  static int indexOf(byte[] b, byte[] what, int from) {
    outer:
    for (int i = from; i + what.length <= b.length; i++) {
      for (int k = 0; k < what.length; k++) {
        if (b[i + k] != what[k]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** Replaces every {@code token} in {@code b} with {@code value}. */
  static byte[] replace(byte[] b, String token, String value) {
    byte[] t = token.getBytes(StandardCharsets.ISO_8859_1);
    int i = indexOf(b, t, 0);
    if (i < 0 || value == null) {
      return b;
    }
    byte[] v = value.getBytes(StandardCharsets.ISO_8859_1);
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(b.length + 64);
    int from = 0;
    while (i >= 0) {
      out.write(b, from, i - from);
      out.write(v, 0, v.length);
      from = i + t.length;
      i = indexOf(b, t, from);
    }
    out.write(b, from, b.length - from);
    return out.toByteArray();
  }
}
