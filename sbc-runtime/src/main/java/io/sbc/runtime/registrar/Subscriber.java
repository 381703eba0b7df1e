package io.sbc.runtime.registrar;

/**
 * One user who may authenticate (RFC 3261 section 22, RFC 7616): the username and realm of its
 * credentials and their HA1 hashes, never the password.
 *
 * <p>HA1 is {@code H(username ":" realm ":" password)} in lower-case hex (RFC 7616 section 3.4.2),
 * once with MD5 and once with SHA-256, so either algorithm a client picks is verifiable. {@link
 * #toString()} leaves the hashes out: they are password equivalents and never logged.
 *
 * @param username the username of the credentials (the user part of the address-of-record)
 * @param realm the realm (per served domain)
 * @param ha1Md5 HA1 with MD5, 32 hex digits, or null when only SHA-256 is known
 * @param ha1Sha256 HA1 with SHA-256, 64 hex digits, or null when only MD5 is known
 */
public record Subscriber(String username, String realm, String ha1Md5, String ha1Sha256) {
  @Override
  public String toString() {
    return "Subscriber[" + username + "@" + realm + "]";
  }
}
