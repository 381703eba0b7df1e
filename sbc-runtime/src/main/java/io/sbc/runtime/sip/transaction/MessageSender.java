package io.sbc.runtime.sip.transaction;

import io.sbc.runtime.sip.transport.Flow;
import io.sbc.runtime.sip.transport.Loop;

/** The transport as transactions see it: bytes out to a flow. */
@FunctionalInterface
public interface MessageSender {
  /** Sends, and runs {@code onFailure} on the loop when a stream cannot carry the message. */
  void send(Loop loop, Flow flow, byte[] data, Runnable onFailure);
}
