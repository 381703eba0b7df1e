package io.sbc.api;

import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import java.util.ArrayList;
import java.util.List;

/**
 * TLS settings (RFC 3261 section 26.2, RFC 5630): what a TLS listener presents and asks of its
 * clients, and how the SBC checks the servers it connects to.
 */
public final class Tls {
  private Tls() {}

  /**
   * The TLS side of a listener whose protocol carries TLS ({@link Defaults#TLS_PROTOCOLS}). TLS 1.2
   * and 1.3 only, with AEAD cipher suites and forward secrecy.
   */
  public static class Listener {
    /**
     * Certificates with their keys, read from PEM files (a Kubernetes Secret of type
     * kubernetes.io/tls mounts them as tls.crt and tls.key) and read again when they change. A
     * client's SNI name picks the certificate whose subjectAltName DNS entries hold it (exact, then
     * a wildcard); the first certificate serves clients that name none, or a name no certificate
     * holds.
     */
    public List<CertificateFiles> certificates = new ArrayList<>();

    /**
     * Secrets of type kubernetes.io/tls in the gateway's namespace (Gateway API certificateRefs):
     * the operator mounts each and adds it to {@code certificates}, in this order, after those
     * given as files.
     */
    public List<CertificateRef> certificateRefs = new ArrayList<>();

    /**
     * Whether clients present a certificate (mutual TLS): {@code None}, {@code Optional} (checked
     * when presented) or {@code Required} (the handshake fails without one).
     */
    @Pattern("^(None|Optional|Required)$")
    public String clientCertificate = Defaults.TLS_CLIENT_CERTIFICATE;

    /**
     * PEM file of the certificate authorities a client certificate must chain to; required unless
     * {@code clientCertificate} is None.
     */
    public String clientCaFile;
  }

  /** A certificate chain and its private key, each a PEM file. */
  public static class CertificateFiles {
    /** The certificate first, then its intermediates (tls.crt). */
    @Required public String certificateFile;

    /** The private key, PKCS#8 or PKCS#1 RSA, unencrypted (tls.key). */
    @Required public String keyFile;
  }

  /** A Secret holding a certificate and its key (Gateway API SecretObjectReference). */
  public static class CertificateRef {
    @Required public String name;

    /** Only {@code Secret}. */
    @Pattern("^Secret$")
    public String kind = "Secret";
  }

  /**
   * How the SBC connects over TLS to next hops (sips: URIs, transport=tls, a backendRef's TLS
   * transport): the server's certificate is always checked against the name the request was
   * resolved from (RFC 5922 section 7), or the address when it named one.
   */
  public static class Client {
    /**
     * PEM file of the certificate authorities trusted for servers; absent: the JDK's default trust
     * store.
     */
    public String trustFile;

    /** A client certificate presented to servers that ask for one (mutual TLS), optional. */
    public CertificateFiles certificate;
  }
}
