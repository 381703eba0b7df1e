package io.sbc.runtime.sip.transport;

/** What the transports hand every received message to, on the loop that received it. */
@FunctionalInterface
public interface SipReceiver {
  /**
   * @param loop the event loop this runs on
   * @param flow where the message came from
   * @param data one datagram or one framed stream message, owned by the receiver from now on
   */
  void receive(Loop loop, Flow flow, byte[] data);
}
