/**
 * TLS for the stream transports (RFC 3261 section 26.2, RFC 5630, RFC 5922): certificates and keys
 * read from PEM files and read again when they change, the server side of TLS listeners (SNI picks
 * among several certificates, optional client certificates) and the client side towards next hops
 * (the server's certificate checked against the name the request was resolved from).
 *
 * <p>What this package promises: {@link io.sbc.runtime.sip.transport.tls.TlsContexts} hands out a
 * Netty handler per connection, built from the certificates current at that moment; a reload swaps
 * them with one volatile write, so connections already established carry on and only the next
 * handshakes see the new certificate. A file that does not load is refused with a log line and the
 * previous certificate keeps serving. Files are read on a thread of this package, never on an event
 * loop. It must not import the transaction or proxy layers.
 */
package io.sbc.runtime.sip.transport.tls;
