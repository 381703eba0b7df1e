package io.sbc.runtime.persistence;

import io.sbc.runtime.registrar.Binding;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/** One binding of the registrar as a row of {@code location} (see {@link Binding}). */
@Entity
@Table(name = "location")
@IdClass(LocationRow.Key.class)
public class LocationRow {
  /** The primary key: a binding of an address-of-record. */
  public static class Key implements Serializable {
    private static final long serialVersionUID = 1L;

    public String aor;
    public String bindingKey;

    public Key() {}

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && Objects.equals(aor, k.aor) && Objects.equals(bindingKey, k.bindingKey);
    }

    @Override
    public int hashCode() {
      return Objects.hash(aor, bindingKey);
    }
  }

  @Id public String aor;

  @Id
  @Column(name = "binding_key")
  public String bindingKey;

  public int position;
  public String contact;
  public String instance;

  @Column(name = "reg_id")
  public int regId;

  public int q;

  @Column(name = "expires_at")
  public long expiresAt;

  @Column(name = "call_id")
  public String callId;

  public long cseq;
  public String path;

  @Column(name = "received_address")
  public String receivedAddress;

  @Column(name = "received_port")
  public int receivedPort;

  public String transport;

  @Column(name = "local_address")
  public String localAddress;

  public String node;

  @Column(name = "connection_id")
  public String connectionId;

  @Column(name = "user_agent")
  public String userAgent;

  @Column(name = "registered_at")
  public long registeredAt;

  public static LocationRow of(Binding b, int position) {
    LocationRow r = new LocationRow();
    r.aor = b.aor();
    r.bindingKey = b.key();
    r.position = position;
    r.contact = b.contact();
    r.instance = b.instance();
    r.regId = b.regId();
    r.q = b.q();
    r.expiresAt = b.expiresAt();
    r.callId = b.callId();
    r.cseq = b.cseq();
    r.path = b.path().isEmpty() ? null : String.join("\n", b.path());
    r.receivedAddress = b.receivedAddress();
    r.receivedPort = b.receivedPort();
    r.transport = b.transport();
    r.localAddress = b.localAddress();
    r.node = b.node();
    r.connectionId = b.connectionId();
    r.userAgent = b.userAgent();
    r.registeredAt = b.registeredAt();
    return r;
  }

  public Binding binding() {
    return new Binding(
        aor,
        contact,
        instance,
        regId,
        q,
        expiresAt,
        callId,
        cseq,
        path == null ? List.of() : Arrays.asList(path.split("\n")),
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
