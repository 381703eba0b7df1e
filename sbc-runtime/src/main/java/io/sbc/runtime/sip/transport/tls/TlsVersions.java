package io.sbc.runtime.sip.transport.tls;

import io.netty.handler.ssl.SslProvider;
import java.util.List;

/**
 * The protocol versions and cipher suites every TLS context of the SBC allows, and the provider
 * that runs them.
 */
final class TlsVersions {
  private TlsVersions() {}

  /** TLS 1.0 and 1.1 are deprecated (RFC 8996); SSL is long gone. */
  static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

  /**
   * TLS 1.3's suites, then TLS 1.2's with forward secrecy (ECDHE) and AEAD only (RFC 9325 section
   * 4.2): no CBC, no static RSA key exchange, no SHA-1 MACs.
   */
  static final List<String> CIPHERS =
      List.of(
          "TLS_AES_128_GCM_SHA256",
          "TLS_AES_256_GCM_SHA384",
          "TLS_CHACHA20_POLY1305_SHA256",
          "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
          "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
          "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
          "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
          "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
          "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

  /** The JDK's provider; docs/architecture.md says why not OpenSSL through netty-tcnative. */
  static final SslProvider PROVIDER = SslProvider.JDK;
}
