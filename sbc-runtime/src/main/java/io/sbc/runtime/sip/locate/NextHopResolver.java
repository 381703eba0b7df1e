package io.sbc.runtime.sip.locate;

import io.sbc.runtime.sip.message.SipUri;
import io.sbc.runtime.sip.transport.Loop;
import io.sbc.runtime.sip.transport.Protocol;
import java.util.List;

/**
 * Turns a SIP URI into the hops to try, in order (RFC 3263 section 4): maddr before host, the
 * transport parameter or the one the scheme implies, the port or the default of the transport.
 *
 * <p>Answers on {@code loop}: synchronously, before {@code resolve} returns, when the answer is
 * known (an IP literal, a cached name), and later otherwise, so a caller that pauses its work
 * resumes where it runs.
 */
public interface NextHopResolver {
  /** Receives the outcome of one resolution, exactly once, on the loop that asked. */
  @FunctionalInterface
  interface Answer {
    /**
     * @param hops the hops in the order to try; empty when nothing could be found
     * @param problem why there are no hops (for a log line and a reason phrase), or null
     */
    void resolved(List<Hop> hops, String problem);
  }

  /** The hops of a request sent to what a URI names (a Route value, a Request-URI, a target). */
  void resolve(UriTarget target, Loop loop, Answer answer);

  /** The hops of a request sent to {@code uri}. */
  default void resolve(SipUri uri, Loop loop, Answer answer) {
    String[] problem = new String[1];
    UriTarget t = UriTarget.of(uri, problem);
    if (t == null) {
      answer.resolved(List.of(), problem[0]);
      return;
    }
    resolve(t, loop, answer);
  }

  /**
   * Where a response goes by its Via sent-by when received and rport do not apply (RFC 3263 section
   * 5): a host name is resolved like a URI host, with the Via's transport.
   *
   * @param port the sent-by port, or -1 when absent
   */
  void resolveSentBy(String host, int port, Protocol protocol, Loop loop, Answer answer);
}
