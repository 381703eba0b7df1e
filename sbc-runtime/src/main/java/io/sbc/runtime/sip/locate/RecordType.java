package io.sbc.runtime.sip.locate;

/** The DNS record types RFC 3263 reads, with their RFC 1035 / 3596 / 2782 / 3403 type codes. */
public enum RecordType {
  /** RFC 3403: which transports a domain offers, and the SRV name of each. */
  NAPTR(35),
  /** RFC 2782: the servers of one transport, by priority and weight. */
  SRV(33),
  /** RFC 1035: IPv4 addresses. */
  A(1),
  /** RFC 3596: IPv6 addresses. */
  AAAA(28);

  private final int code;

  RecordType(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }
}
