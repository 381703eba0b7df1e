package io.sbc.runtime.sip.proxy;

/**
 * One step of the response path between matching a response to its branch and sending it upstream
 * (RFC 3261 section 16.7): where Record-Route sealing, Contact rewriting, SDP answers and
 * accounting hook in. Stages run in order on the transaction's loop; responses of one request leave
 * in the order they arrived, also when a stage pauses one of them.
 */
public interface ResponseStage {
  String name();

  Outcome process(ProxyResponse response);

  /** The stage paused and did not resume in time: the default forwards the response as it is. */
  default void timedOut(ProxyResponse response) {}
}
