package io.sbc.runtime.sip.transport;

import java.net.InetAddress;

/**
 * What decides, before a message is parsed, whether the transports hand it on: the anti-flood and
 * access rules for source addresses. Called on the loop that received the message (or accepted the
 * connection); an implementation keeps its state per loop and must not block or allocate on the
 * path that admits.
 */
public interface SourceFilter {
  /**
   * Whether a connection accepted on a stream listener is kept; false closes it at once.
   *
   * @param loop the loop that owns the connection
   */
  boolean admitConnection(Loop loop, Listener listener, InetAddress source);

  /**
   * Whether a framed message (one datagram, or one message cut from a stream) goes on to the SIP
   * layers; false drops it silently (and closes a stream's connection).
   *
   * @param data the message, not yet parsed
   */
  boolean admitMessage(Loop loop, Listener listener, InetAddress source, byte[] data);

  /** Hears everyone. */
  SourceFilter NONE =
      new SourceFilter() {
        @Override
        public boolean admitConnection(Loop loop, Listener listener, InetAddress source) {
          return true;
        }

        @Override
        public boolean admitMessage(Loop loop, Listener listener, InetAddress source, byte[] data) {
          return true;
        }
      };
}
