package io.sbc.runtime.registrar;

import java.util.List;

/**
 * One contact bound to an address-of-record (RFC 3261 section 10.3), with the flow it registered
 * from (RFC 5626) and the Path it came through (RFC 3327).
 *
 * <p>A binding is identified within its address-of-record by {@link #key()}: the instance and
 * reg-id when the Contact carried {@code +sip.instance} and {@code reg-id} (RFC 5626 section 6: one
 * binding per instance and flow), the instance alone when it carried no reg-id, else the Contact
 * URI (RFC 3261 section 10.3 step 7, compared as written).
 *
 * @param aor the address-of-record, normalized ({@code sip:user@domain}, lower-case domain, no
 *     parameters)
 * @param contact the Contact URI as registered (the addr-spec, without the header's parameters)
 * @param instance the {@code +sip.instance} value as written, without quotes (for example {@code
 *     <urn:uuid:...>}), or null
 * @param regId the {@code reg-id} (RFC 5626 section 4.2), or 0 when absent
 * @param q the q-value in thousandths (0 to 1000); 1000 when the Contact carried none
 * @param expiresAt when the binding expires, wall-clock milliseconds since the epoch (every replica
 *     reads the same instant)
 * @param callId the Call-ID of the REGISTER that last wrote the binding (section 10.3 step 7)
 * @param cseq its CSeq number: a REGISTER with the same Call-ID and a CSeq not above it is out of
 *     order
 * @param path the Path values the REGISTER carried, top first, as written (RFC 3327 section 5.3:
 *     requests to the contact are sent through them); empty when none
 * @param receivedAddress the IP address (text form, IPv6 without brackets) the REGISTER came from
 * @param receivedPort the port it came from
 * @param transport the transport it came over, lower case ({@code udp}, {@code tcp}, {@code tls},
 *     {@code ws}, {@code wss})
 * @param localAddress the listener it arrived at ({@code ip:port}, IPv6 in brackets), so requests
 *     to the contact leave from the same socket a NAT pinhole was opened to
 * @param node the replica that received it (on a stream transport, the one that holds the
 *     connection), or null for a single-process gateway
 * @param connectionId the connection on that replica (Netty's channel id, short text) for a stream
 *     transport; null for UDP
 * @param userAgent the User-Agent of the REGISTER, for the management API, or null
 * @param registeredAt when this binding was first created (wall-clock milliseconds): the oldest is
 *     the one replaced when an address-of-record is full
 */
public record Binding(
    String aor,
    String contact,
    String instance,
    int regId,
    int q,
    long expiresAt,
    String callId,
    long cseq,
    List<String> path,
    String receivedAddress,
    int receivedPort,
    String transport,
    String localAddress,
    String node,
    String connectionId,
    String userAgent,
    long registeredAt) {

  public Binding {
    path = path == null ? List.of() : List.copyOf(path);
  }

  /** What identifies the binding within its address-of-record (see the class comment). */
  public String key() {
    if (instance != null) {
      return regId > 0 ? instance + ";reg-id=" + regId : instance;
    }
    return contact;
  }

  /** Whether this binding and {@code other} are the same binding of their address-of-record. */
  public boolean sameKey(Binding other) {
    if (instance != null || other.instance != null) {
      return instance != null && instance.equals(other.instance) && regId == other.regId;
    }
    return contact.equals(other.contact);
  }

  /** The seconds left at {@code nowMillis}, rounded down, never negative (the 200's expires). */
  public int remainingSeconds(long nowMillis) {
    long left = (expiresAt - nowMillis) / 1000;
    return (int) Math.max(0, Math.min(Integer.MAX_VALUE, left));
  }

  /** The same binding expiring at another time (a refresh or a removal). */
  public Binding withExpiresAt(long at) {
    return new Binding(
        aor,
        contact,
        instance,
        regId,
        q,
        at,
        callId,
        cseq,
        path,
        receivedAddress,
        receivedPort,
        transport,
        localAddress,
        node,
        connectionId,
        userAgent,
        registeredAt);
  }
}
