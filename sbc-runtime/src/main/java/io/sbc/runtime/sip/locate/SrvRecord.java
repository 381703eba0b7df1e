package io.sbc.runtime.sip.locate;

/**
 * One SRV record (RFC 2782): a server of a service and transport.
 *
 * @param priority lower values are tried first
 * @param weight within one priority, the relative share of first choices
 * @param port where the server listens
 * @param target the server's host name, absolute (with its final dot); "." when the service is not
 *     offered at all
 */
public record SrvRecord(int priority, int weight, int port, String target) {}
