/**
 * Locating SIP servers (RFC 3263): the one place that turns a SIP URI into the ordered hops a
 * request is sent to, and a Via sent-by into where a response goes.
 *
 * <p>Contract: {@link io.sbc.runtime.sip.locate.NextHopResolver} answers on the caller's loop, at
 * once when the answer is known (an IP literal, a cached name) and later otherwise; it never blocks
 * a loop and never asks {@link java.net.InetAddress} to resolve a name. {@link
 * io.sbc.runtime.sip.locate.DnsResolver} walks NAPTR, SRV and A/AAAA records (sections 4.1 and 4.2;
 * SRV targets in RFC 2782 priority and weight order) over {@link
 * io.sbc.runtime.sip.locate.RecordCache} (answers kept for their TTL, negative ones too), asking
 * {@link io.sbc.runtime.sip.locate.DnsClient} (Netty's resolver, one per event loop) only for what
 * the cache lacks; {@link io.sbc.runtime.sip.locate.LiteralResolver} takes IP literals only.
 * Imports the message, timer and transport packages and Netty's DNS codec only.
 */
package io.sbc.runtime.sip.locate;
