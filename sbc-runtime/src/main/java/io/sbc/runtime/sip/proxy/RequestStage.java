package io.sbc.runtime.sip.proxy;

/**
 * One step of the request path, named after the RFC step it performs (Netty's handler, Kamailio's
 * route block). Stages run in order on the request's loop; a stage that must wait returns {@link
 * Outcome#PAUSE} after {@link ProxyRequest#pause(long)}, and the pipeline resumes at the next stage
 * on the same loop when it calls {@link ProxyRequest#resume()}.
 */
public interface RequestStage {
  /** A short name for logs and metrics. */
  String name();

  Outcome process(ProxyRequest request);

  /**
   * The stage paused and did not resume in time: answer the request (or drop it). The default is a
   * 500 naming the stage.
   */
  default void timedOut(ProxyRequest request) {
    request.answer(500, "Server Internal Error (" + name() + " timed out)", null);
  }
}
