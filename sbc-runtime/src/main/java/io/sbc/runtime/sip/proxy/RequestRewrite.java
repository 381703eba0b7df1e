package io.sbc.runtime.sip.proxy;

import java.util.List;

/**
 * Changes routing makes to a request before it is forwarded: a new Request-URI, header lines
 * removed by name, header lines added.
 *
 * @param requestUri the new Request-URI, or null to keep it
 * @param removeHeaders names of headers whose every line goes (case-insensitive)
 * @param addHeaders complete header lines to add, each ending in CRLF
 */
public record RequestRewrite(
    String requestUri, List<String> removeHeaders, List<String> addHeaders) {
  public boolean isEmpty() {
    return requestUri == null && removeHeaders.isEmpty() && addHeaders.isEmpty();
  }
}
