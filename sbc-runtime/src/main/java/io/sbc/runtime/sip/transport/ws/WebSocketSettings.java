package io.sbc.runtime.sip.transport.ws;

/**
 * The limits of a SIP WebSocket connection.
 *
 * @param maxMessageSize the largest SIP message, so the largest frame payload and the largest
 *     message reassembled from fragments
 * @param maxHandshakeBytes the largest HTTP upgrade request, request line and headers included
 * @param handshakeMillis how long an accepted connection may take to complete the upgrade
 * @param pingSeconds seconds without a byte received after which the SBC sends a ping
 * @param idleSeconds seconds without a byte received after which the connection is given up
 */
public record WebSocketSettings(
    int maxMessageSize,
    int maxHandshakeBytes,
    long handshakeMillis,
    int pingSeconds,
    int idleSeconds) {
  /** The RFC 7118 subprotocol, the only one served. */
  public static final String SUBPROTOCOL = "sip";
}
