package io.sbc.runtime.sip.transport;

/**
 * Transport limits and socket settings.
 *
 * @param maxMessageSize the largest message read from a datagram or a stream
 * @param maxInboundTcpConnections the most accepted TCP connections open at once
 * @param maxOutboundTcpConnections the most TCP connections opened by the SBC (connecting or open)
 * @param maxTcpConnectionsPerSource the most accepted TCP connections from one source address
 * @param tcpIdleSeconds seconds of silence after which a TCP connection is closed
 * @param tcpMessageSeconds seconds a TCP connection may hold an incomplete message (and an accepted
 *     one may wait for its first message) before it is closed
 * @param maxTcpWriteQueueBytes bytes a TCP connection may hold queued for writing; a send beyond
 *     them closes the connection (the peer does not read)
 * @param udpReceiveBuffer SO_RCVBUF of each UDP socket, in bytes (0 leaves the kernel default)
 * @param webSocketPingSeconds seconds of silence on a WebSocket connection after which the SBC
 *     sends a WebSocket ping (RFC 6455 section 5.5.2); its pong, like any byte received, restarts
 *     the idle timeout ({@code tcpIdleSeconds}), so a live client is kept and a dead one closed
 */
public record TransportConfig(
    int maxMessageSize,
    int maxInboundTcpConnections,
    int maxOutboundTcpConnections,
    int maxTcpConnectionsPerSource,
    int tcpIdleSeconds,
    int tcpMessageSeconds,
    int maxTcpWriteQueueBytes,
    int udpReceiveBuffer,
    int webSocketPingSeconds) {
  public static final TransportConfig DEFAULT =
      new TransportConfig(65_535, 10_000, 10_000, 64, 300, 10, 1 << 20, 4 << 20, 30);
}
