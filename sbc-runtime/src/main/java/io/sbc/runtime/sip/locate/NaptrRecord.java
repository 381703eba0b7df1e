package io.sbc.runtime.sip.locate;

/**
 * One NAPTR record (RFC 3403 section 4.1) as RFC 3263 section 4.1 reads it: a transport a domain
 * offers ({@code service} "SIP+D2U", "SIP+D2T", "SIPS+D2T") and the SRV name to look up for it.
 *
 * @param order lower values are used first
 * @param preference among equal orders, lower values first
 * @param flags "s": the replacement is an SRV name (the only flag RFC 3263 uses)
 * @param service the service field, e.g. "SIP+D2U"
 * @param replacement the SRV name, absolute (with its final dot)
 */
public record NaptrRecord(
    int order, int preference, String flags, String service, String replacement) {}
