/**
 * The SIP message layer (RFC 3261 sections 7, 19, 20 and 25): decoding bytes into an index of the
 * original buffer, the grammar of URIs, Via and name-addr values, and editing by byte ranges.
 *
 * <p>Contract: nothing here touches sockets, threads or clocks; hostile input yields a message
 * marked with a {@link io.sbc.runtime.sip.message.SipParseException}, never an unchecked exception.
 * No regular expressions; allocation only for what a caller asks for. Must not import transport,
 * transaction or proxy packages.
 */
package io.sbc.runtime.sip.message;
