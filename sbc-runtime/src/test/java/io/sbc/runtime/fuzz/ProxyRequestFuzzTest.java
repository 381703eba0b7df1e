package io.sbc.runtime.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.AfterAll;

/**
 * Coverage-guided fuzzing of the proxy's request path (RFC 3261 sections 16.3 to 16.6, 16.10,
 * 17.2): requests from the caller, with downstream answers and clock advances as the {@link
 * ProxyScript} says; nothing may throw, every message sent must decode, and every transaction must
 * end.
 *
 * <p>Seeds: {@code ProxyRequestFuzzTestInputs/requests/} (RFC 4475 and RFC 5118 requests, SIPp
 * scenario messages, scripted calls); see docs/fuzzing.md.
 */
class ProxyRequestFuzzTest {

  @AfterAll
  static void report() {
    System.out.println("ProxyRequestFuzzTest: " + ProxyHarness.TOTALS);
  }

  @DictionaryFile(resourcePath = "sip.dict")
  @FuzzTest(maxDuration = "60s")
  void requests(byte[] input) {
    ProxyScript script = ProxyScript.parse(input, ProxyScript.From.CALLER);
    ProxyHarness h = new ProxyHarness(script.stateless);
    h.route(script);
    h.run(script);
  }
}
