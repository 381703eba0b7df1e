package io.sbc.runtime.sip.transport.tls;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A gateway's TLS configuration as file names: what {@link TlsContexts#load} reads.
 *
 * @param servers the TLS listeners' settings by listener name
 * @param trustFile PEM CAs trusted for the servers the SBC connects to; null: the JDK's trust store
 * @param clientCertificate the certificate the SBC presents to servers that ask, or null
 */
public record TlsSettings(
    Map<String, Server> servers, Path trustFile, ServerTls.Files clientCertificate) {
  public static final TlsSettings NONE = new TlsSettings(Map.of(), null, null);

  /**
   * One TLS listener.
   *
   * @param certificates the first serves clients without SNI or with a name none holds
   * @param clientCaFile PEM CAs a client certificate must chain to (null when none is asked for)
   * @param mounted whether the certificates are Secrets the operator mounts (certificateRefs): such
   *     a listener waits for valid files rather than stopping the start
   */
  public record Server(
      List<ServerTls.Files> certificates,
      ServerTls.ClientCertificate clientCertificate,
      Path clientCaFile,
      boolean mounted) {}
}
