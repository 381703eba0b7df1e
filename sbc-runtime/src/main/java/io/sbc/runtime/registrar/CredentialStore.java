package io.sbc.runtime.registrar;

import io.sbc.runtime.sip.transport.Loop;

/**
 * Who may authenticate: subscribers by username and realm (RFC 3261 section 22.4). Asynchronous as
 * the package contract says.
 */
public interface CredentialStore {
  /**
   * The subscriber with these credentials, or a null result (and no failure) when there is none.
   * The username is compared exactly, the realm ignoring case.
   */
  void find(String username, String realm, Loop loop, StoreAnswer<Subscriber> answer);
}
