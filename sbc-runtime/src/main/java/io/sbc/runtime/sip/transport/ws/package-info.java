/**
 * SIP over WebSocket (RFC 7118): the HTTP upgrade with the {@code sip} subprotocol (any other, or
 * none, is refused with 400), then one SIP message per text or binary frame, pings from the SBC on
 * a silent connection, and CRLF keepalives (RFC 5626 section 3.5.1) answered inside frames.
 *
 * <p>The handlers here only turn frames into messages ({@code byte[]}, exactly what the TCP framer
 * emits) and messages into frames; the transport layer's own stream handler follows them in the
 * pipeline, so a message from a WebSocket goes through the same admission, decoding and proxy path
 * as one from TCP. Limits: the handshake request's size and time, the frame and message size. Must
 * not import anything of the runtime beyond Netty.
 */
package io.sbc.runtime.sip.transport.ws;
