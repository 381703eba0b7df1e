package io.sbc.runtime.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;

/**
 * Coverage-guided fuzzing of the proxy's response path (RFC 3261 sections 16.7, 16.8, 17.1,
 * 18.1.2): a request from the caller is forwarded, then the fuzzed responses come from downstream
 * with {@code @TX@} and {@code @TXB@} replaced by the branches the proxy really sent, so they reach
 * its client transactions and response context; nothing may throw, every message sent must decode,
 * and every transaction must end.
 *
 * <p>Seeds: {@code ProxyResponseFuzzTestInputs/responses/}; see docs/fuzzing.md.
 */
class ProxyResponseFuzzTest {

  @AfterAll
  static void report() {
    System.out.println("ProxyResponseFuzzTest: " + ProxyHarness.TOTALS);
  }

  @DictionaryFile(resourcePath = "sip.dict")
  @FuzzTest(maxDuration = "60s")
  void responses(byte[] input) {
    ProxyScript script = ProxyScript.parse(input, ProxyScript.From.TARGET_A);
    ProxyHarness h = new ProxyHarness(script.stateless);
    h.route(script);
    h.deliver(h.udp, h.caller, setupRequest(script.setupMethod));
    h.run(script);
  }

  /** The caller's request the responses answer (ProxyTest's INVITE, with the method asked for). */
  static byte[] setupRequest(String method) {
    String sdp = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n";
    String msg =
        method
            + " sip:bob@example.com SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKcaller1;rport\r\n"
            + "Max-Forwards: 70\r\n"
            + "From: \"Alice\" <sip:alice@example.com>;tag=a1\r\n"
            + "To: <sip:bob@example.com>\r\n"
            + "Call-ID: call-3@10.0.0.1\r\n"
            + "CSeq: 1 "
            + method
            + "\r\n"
            + "Contact: <sip:alice@10.0.0.1:5060>\r\n"
            + "Content-Type: application/sdp\r\n"
            + "Content-Length: "
            + sdp.length()
            + "\r\n\r\n"
            + sdp;
    return msg.getBytes(StandardCharsets.ISO_8859_1);
  }
}
