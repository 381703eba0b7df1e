package io.sbc.runtime.sip.proxy;

/**
 * What the side a hidden request came from must see again in the responses: its Via lines (the
 * forwarded copy carried only the SBC's), its Call-ID, and its From and To.
 *
 * @param vias the Via header lines as received, CRLFs included
 * @param callId the Call-ID value as received
 * @param from the From value as received
 * @param to the To value as received (a tag added by the other side is kept from the response)
 */
record HiddenOrigin(byte[] vias, String callId, String from, String to) {}
