package io.sbc.runtime.sip.transport.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * A certificate chain and the private key that goes with it, read from two PEM files and checked:
 * the key signs what the certificate's public key verifies, and the certificate is valid now.
 *
 * @param chain the leaf certificate first
 * @param dnsNames the leaf's subjectAltName DNS entries, lower case (what SNI is matched against)
 * @param digest SHA-256 of both files' bytes: equal digests, same content
 */
public record CertifiedKey(
    List<X509Certificate> chain, PrivateKey key, List<String> dnsNames, String digest) {

  public X509Certificate leaf() {
    return chain.get(0);
  }

  /** The leaf's subject, as RFC 2253 writes it. */
  public String subject() {
    return leaf().getSubjectX500Principal().getName();
  }

  /** Reads and checks both files; blocking file reads: never call it on an event loop. */
  public static CertifiedKey load(Path certificateFile, Path keyFile) throws TlsFileException {
    byte[] certText = read(certificateFile);
    byte[] keyText = read(keyFile);
    List<X509Certificate> chain = Pem.certificates(certText, certificateFile.toString());
    PrivateKey key = Pem.privateKey(keyText, keyFile.toString());
    X509Certificate leaf = chain.get(0);
    try {
      leaf.checkValidity();
    } catch (CertificateExpiredException e) {
      throw new TlsFileException(
          certificateFile + ": certificate expired on " + leaf.getNotAfter());
    } catch (CertificateNotYetValidException e) {
      throw new TlsFileException(
          certificateFile + ": certificate not valid before " + leaf.getNotBefore());
    }
    if (!matches(key, leaf)) {
      throw new TlsFileException(
          keyFile + ": the private key does not belong to the certificate of " + certificateFile);
    }
    return new CertifiedKey(List.copyOf(chain), key, dnsNames(leaf), digest(certText, keyText));
  }

  static byte[] read(Path file) throws TlsFileException {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new TlsFileException(file + ": cannot read: " + e, e);
    }
  }

  static String digest(byte[]... parts) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      for (byte[] p : parts) {
        d.update(p);
        d.update((byte) 0);
      }
      return HexFormat.of().formatHex(d.digest());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Proof by signature: a mismatched pair is the commonest broken rotation. */
  private static boolean matches(PrivateKey key, X509Certificate cert) {
    String alg =
        switch (key.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          case "Ed25519", "EdDSA" -> "Ed25519";
          case "RSASSA-PSS" -> null;
          default -> null;
        };
    if (alg == null) {
      return true; // no cheap proof for this algorithm: the handshake will tell
    }
    try {
      byte[] challenge = new byte[32];
      new SecureRandom().nextBytes(challenge);
      Signature s = Signature.getInstance(alg);
      s.initSign(key);
      s.update(challenge);
      byte[] sig = s.sign();
      Signature v = Signature.getInstance(alg);
      v.initVerify(cert.getPublicKey());
      v.update(challenge);
      return v.verify(sig);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static List<String> dnsNames(X509Certificate cert) {
    List<String> names = new ArrayList<>();
    try {
      Collection<List<?>> sans = cert.getSubjectAlternativeNames();
      if (sans != null) {
        for (List<?> san : sans) {
          if (Integer.valueOf(2).equals(san.get(0)) && san.get(1) instanceof String s) {
            names.add(s.toLowerCase(Locale.ROOT));
          }
        }
      }
    } catch (CertificateParsingException e) {
      // no usable names: the certificate serves as default only
    }
    return List.copyOf(names);
  }
}
