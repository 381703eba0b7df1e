package io.sbc.runtime.sip.proxy;

import java.net.InetAddress;
import java.util.function.Predicate;

/**
 * What a rule asks of the registrar and of authentication (RFC 3261 sections 10 and 22): whether
 * its requests are REGISTERs for the registrar or requests to look up, whether they must be
 * authenticated, which sources are trusted without it, and whether From must name the authenticated
 * user.
 *
 * @param registrar the registrar's part in the rule
 * @param authenticate whether the rule checks who sends (digest, trusted sources or both)
 * @param digest whether untrusted sources are challenged (else they get 403)
 * @param trusted the sources let through without a challenge
 * @param checkFrom whether the From user of an authenticated request must be its username
 */
public record AccessPolicy(
    Registrar registrar,
    boolean authenticate,
    boolean digest,
    Predicate<InetAddress> trusted,
    boolean checkFrom) {

  /** The registrar's part in a rule. */
  public enum Registrar {
    /** None: the rule forwards or answers as its action says. */
    NONE,
    /** The rule's REGISTERs are handled by the registrar. */
    REGISTER,
    /** The rule's requests go to the contacts registered for their Request-URI. */
    LOOKUP
  }

  /** No registrar, no authentication. */
  public static final AccessPolicy NONE =
      new AccessPolicy(Registrar.NONE, false, false, a -> false, false);

  /** Whether {@code source} is trusted without authentication. */
  public boolean isTrusted(InetAddress source) {
    return trusted.test(source);
  }
}
