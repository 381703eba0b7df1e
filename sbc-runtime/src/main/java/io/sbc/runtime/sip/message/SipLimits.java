package io.sbc.runtime.sip.message;

/**
 * Size limits the decoder enforces on every message, so that hostile input costs bounded memory.
 *
 * @param maxMessageSize largest accepted message, headers and body together, in bytes
 * @param maxHeaders largest accepted number of header lines
 * @param maxViaCount largest accepted number of Via entries
 */
public record SipLimits(int maxMessageSize, int maxHeaders, int maxViaCount) {
  public static final SipLimits DEFAULT = new SipLimits(65_535, 256, 64);

  public SipLimits {
    if (maxMessageSize < 512 || maxHeaders < 8 || maxViaCount < 2) {
      throw new IllegalArgumentException("limits too small to carry a SIP message");
    }
  }
}
