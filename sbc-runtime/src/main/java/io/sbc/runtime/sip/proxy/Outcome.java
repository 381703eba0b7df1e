package io.sbc.runtime.sip.proxy;

/** What a stage did with a message: the pipeline goes on, stops, or waits for the stage. */
public enum Outcome {
  /** Done with it: the next stage runs. */
  CONTINUE,
  /** The message was answered or dropped: no further stage runs. */
  STOP,
  /**
   * The stage waits for an answer from elsewhere (DNS, RTPengine, a database) and will call {@link
   * ProxyRequest#resume()} or {@link ProxyResponse#resume()}; a timeout guards it.
   */
  PAUSE
}
