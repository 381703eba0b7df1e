package io.sbc.runtime.sip.transport;

/**
 * Transport limits and socket settings.
 *
 * @param maxMessageSize the largest message read from a datagram or a stream
 * @param maxTcpConnections the most TCP connections open at once, accepted and outbound together
 * @param tcpIdleSeconds seconds of silence after which a TCP connection is closed
 * @param udpReceiveBuffer SO_RCVBUF of each UDP socket, in bytes (0 leaves the kernel default)
 */
public record TransportConfig(
    int maxMessageSize, int maxTcpConnections, int tcpIdleSeconds, int udpReceiveBuffer) {
  public static final TransportConfig DEFAULT = new TransportConfig(65_535, 10_000, 300, 4 << 20);
}
