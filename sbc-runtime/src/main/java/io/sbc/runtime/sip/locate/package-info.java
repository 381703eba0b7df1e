/**
 * Locating SIP servers (RFC 3263): the one place that turns a SIP URI into the ordered hops a
 * request is sent to, and a Via sent-by into where a response goes.
 *
 * <p>Contract: {@link io.sbc.runtime.sip.locate.NextHopResolver} answers on the caller's loop, at
 * once when the answer is known (an IP literal, a cached name) and later otherwise; it never blocks
 * a loop and never asks {@link java.net.InetAddress} to resolve a name. Imports the message and
 * transport packages only.
 */
package io.sbc.runtime.sip.locate;
