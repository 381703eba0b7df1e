package io.sbc.runtime.sip.transport.tls;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * PEM decoding (RFC 7468) of certificates and unencrypted private keys: PKCS#8 ("PRIVATE KEY"),
 * PKCS#1 RSA ("RSA PRIVATE KEY", cert-manager's default) and SEC1 EC ("EC PRIVATE KEY", what {@code
 * openssl ecparam -genkey} writes), the last two wrapped into PKCS#8 for the JDK.
 */
final class Pem {
  private Pem() {}

  /** One labelled block of a PEM file. */
  record Block(String label, byte[] der) {}

  static List<Block> blocks(byte[] text, String file) throws TlsFileException {
    String s = new String(text, StandardCharsets.US_ASCII);
    List<Block> out = new ArrayList<>();
    int at = 0;
    while (true) {
      int begin = s.indexOf("-----BEGIN ", at);
      if (begin < 0) {
        break;
      }
      int labelEnd = s.indexOf("-----", begin + 11);
      if (labelEnd < 0) {
        throw new TlsFileException(file + ": unterminated PEM header");
      }
      String label = s.substring(begin + 11, labelEnd);
      String endLine = "-----END " + label + "-----";
      int end = s.indexOf(endLine, labelEnd + 5);
      if (end < 0) {
        throw new TlsFileException(file + ": no '" + endLine + "'");
      }
      String body = s.substring(labelEnd + 5, end);
      if (body.indexOf(':') >= 0) {
        throw new TlsFileException(file + ": encrypted PEM (" + label + ") is not supported");
      }
      try {
        out.add(new Block(label, Base64.getMimeDecoder().decode(body)));
      } catch (IllegalArgumentException e) {
        throw new TlsFileException(file + ": " + label + " is not valid base64");
      }
      at = end + endLine.length();
    }
    return out;
  }

  /** The certificates of a file, in file order (the leaf first, then intermediates). */
  static List<X509Certificate> certificates(byte[] text, String file) throws TlsFileException {
    List<X509Certificate> chain = new ArrayList<>();
    try {
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      for (Block b : blocks(text, file)) {
        if (b.label().equals("CERTIFICATE")) {
          chain.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(b.der())));
        }
      }
    } catch (CertificateException e) {
      throw new TlsFileException(file + ": not a valid certificate: " + e.getMessage(), e);
    }
    if (chain.isEmpty()) {
      throw new TlsFileException(file + ": no CERTIFICATE block");
    }
    return chain;
  }

  /** The one private key of a file. */
  static PrivateKey privateKey(byte[] text, String file) throws TlsFileException {
    PrivateKey key = null;
    for (Block b : blocks(text, file)) {
      byte[] pkcs8 =
          switch (b.label()) {
            case "PRIVATE KEY" -> b.der();
            case "RSA PRIVATE KEY" -> wrapPkcs1(b.der());
            case "EC PRIVATE KEY" -> wrapSec1(b.der(), file);
            case "ENCRYPTED PRIVATE KEY" ->
                throw new TlsFileException(file + ": encrypted private keys are not supported");
            default -> null;
          };
      if (pkcs8 == null) {
        continue;
      }
      if (key != null) {
        throw new TlsFileException(file + ": more than one private key");
      }
      key = decode(pkcs8, file);
    }
    if (key == null) {
      throw new TlsFileException(file + ": no PRIVATE KEY block");
    }
    return key;
  }

  private static PrivateKey decode(byte[] pkcs8, String file) throws TlsFileException {
    for (String alg : new String[] {"RSA", "EC", "Ed25519", "RSASSA-PSS"}) {
      try {
        return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
      } catch (GeneralSecurityException e) {
        // not this algorithm: try the next
      }
    }
    throw new TlsFileException(file + ": private key of an unknown algorithm or malformed");
  }

  // DER of AlgorithmIdentifier { rsaEncryption (1.2.840.113549.1.1.1), NULL }.
  private static final byte[] RSA_ALGORITHM = {
    0x30,
    0x0d,
    0x06,
    0x09,
    0x2a,
    (byte) 0x86,
    0x48,
    (byte) 0x86,
    (byte) 0xf7,
    0x0d,
    0x01,
    0x01,
    0x01,
    0x05,
    0x00
  };

  // DER of the OID id-ecPublicKey (1.2.840.10045.2.1).
  private static final byte[] EC_PUBLIC_KEY = {
    0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01
  };

  /** RFC 5208: PrivateKeyInfo { version 0, algorithm, OCTET STRING of the PKCS#1 key }. */
  private static byte[] wrapPkcs1(byte[] pkcs1) {
    return sequence(new byte[] {0x02, 0x01, 0x00}, RSA_ALGORITHM, tlv(0x04, pkcs1));
  }

  /**
   * RFC 5915 key in RFC 5208 wrapping: the curve's OID comes from the SEC1 key's [0] parameters
   * (ECPrivateKey { version, privateKey, [0] parameters, [1] publicKey }).
   */
  private static byte[] wrapSec1(byte[] sec1, String file) throws TlsFileException {
    byte[] curve = null;
    try {
      int[] p = {0};
      expect(sec1, p, 0x30);
      length(sec1, p);
      while (p[0] < sec1.length) {
        int tag = sec1[p[0]++] & 0xff;
        int len = length(sec1, p);
        if (tag == 0xa0) {
          curve = java.util.Arrays.copyOfRange(sec1, p[0], p[0] + len);
          break;
        }
        p[0] += len;
      }
    } catch (RuntimeException e) {
      curve = null;
    }
    if (curve == null || curve.length < 2 || curve[0] != 0x06) {
      throw new TlsFileException(file + ": EC PRIVATE KEY without a named curve");
    }
    byte[] alg = tlv(0x30, concat(EC_PUBLIC_KEY, curve));
    return sequence(new byte[] {0x02, 0x01, 0x00}, alg, tlv(0x04, sec1));
  }

  private static void expect(byte[] b, int[] p, int tag) {
    if ((b[p[0]++] & 0xff) != tag) {
      throw new IllegalArgumentException("unexpected tag");
    }
  }

  private static int length(byte[] b, int[] p) {
    int first = b[p[0]++] & 0xff;
    if (first < 0x80) {
      return first;
    }
    int n = first & 0x7f;
    if (n > 3) {
      throw new IllegalArgumentException("length too long");
    }
    int len = 0;
    for (int i = 0; i < n; i++) {
      len = (len << 8) | (b[p[0]++] & 0xff);
    }
    return len;
  }

  private static byte[] sequence(byte[]... parts) {
    return tlv(0x30, concat(parts));
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      o.writeBytes(p);
    }
    return o.toByteArray();
  }

  private static byte[] tlv(int tag, byte[] value) {
    ByteArrayOutputStream o = new ByteArrayOutputStream(value.length + 6);
    o.write(tag);
    int n = value.length;
    if (n < 0x80) {
      o.write(n);
    } else if (n < 0x100) {
      o.write(0x81);
      o.write(n);
    } else if (n < 0x10000) {
      o.write(0x82);
      o.write(n >> 8);
      o.write(n);
    } else {
      o.write(0x83);
      o.write(n >> 16);
      o.write(n >> 8);
      o.write(n);
    }
    o.writeBytes(value);
    return o.toByteArray();
  }
}
