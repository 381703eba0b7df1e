package io.sbc.systemtest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway certificate authority made with the openssl command at test time: server and client
 * certificates signed by it, each with the subjectAltNames a test asks for.
 */
final class Pki {
  final Path dir;
  final Path caCert;
  private final Path caKey;

  Pki(Path dir) throws Exception {
    this.dir = dir;
    this.caCert = dir.resolve("ca.crt");
    this.caKey = dir.resolve("ca.key");
    openssl(
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        caKey.toString(),
        "-out",
        caCert.toString(),
        "-days",
        "2",
        "-subj",
        "/CN=SBC Test CA");
  }

  /** A certificate and its key. */
  record Issued(Path cert, Path key) {}

  /**
   * Issues a certificate for {@code cn} with the given subjectAltNames ("DNS:a.test",
   * "IP:127.0.0.1").
   *
   * @param keyKind "ec" (PKCS#8), "rsa-pkcs1" (RSA PRIVATE KEY) or "ec-sec1" (EC PRIVATE KEY)
   */
  Issued issue(String name, String cn, String keyKind, String... sans) throws Exception {
    Path key = dir.resolve(name + ".key");
    Path csr = dir.resolve(name + ".csr");
    Path cert = dir.resolve(name + ".crt");
    Path ext = dir.resolve(name + ".ext");
    switch (keyKind) {
      case "rsa-pkcs1" -> openssl("genrsa", "-traditional", "-out", key.toString(), "2048");
      case "ec-sec1" ->
          openssl("ecparam", "-genkey", "-name", "prime256v1", "-noout", "-out", key.toString());
      default ->
          openssl(
              "genpkey",
              "-algorithm",
              "EC",
              "-pkeyopt",
              "ec_paramgen_curve:P-256",
              "-out",
              key.toString());
    }
    openssl("req", "-new", "-key", key.toString(), "-out", csr.toString(), "-subj", "/CN=" + cn);
    Files.writeString(
        ext,
        (sans.length > 0 ? "subjectAltName=" + String.join(",", sans) + "\n" : "")
            + "extendedKeyUsage=serverAuth,clientAuth\n");
    openssl(
        "x509",
        "-req",
        "-in",
        csr.toString(),
        "-CA",
        caCert.toString(),
        "-CAkey",
        caKey.toString(),
        "-CAcreateserial",
        "-out",
        cert.toString(),
        "-days",
        "2",
        "-extfile",
        ext.toString());
    return new Issued(cert, key);
  }

  static void openssl(String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add("openssl");
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("openssl timed out: " + cmd);
    }
    if (p.exitValue() != 0) {
      throw new IOException("openssl failed: " + cmd + "\n" + out);
    }
  }
}
