package io.sbc.runtime.persistence;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;

/**
 * A user who may authenticate with digest: only the HA1 hashes are kept (RFC 3261 section 22.4, RFC
 * 7616 section 3.4.2: H(username ":" realm ":" password), the realm being the domain), never the
 * password.
 */
@Entity
@Table(name = "subscriber")
@IdClass(Subscriber.Key.class)
public class Subscriber {
  /** The primary key: a user of a domain. */
  public static class Key implements Serializable {
    private static final long serialVersionUID = 1L;

    public String domain;
    public String username;

    public Key() {}

    public Key(String domain, String username) {
      this.domain = domain;
      this.username = username;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k
          && java.util.Objects.equals(domain, k.domain)
          && java.util.Objects.equals(username, k.username);
    }

    @Override
    public int hashCode() {
      return java.util.Objects.hash(domain, username);
    }
  }

  @Id public String domain;

  @Id public String username;

  @Column(name = "ha1_md5", nullable = false)
  public String ha1Md5;

  @Column(name = "ha1_sha256", nullable = false)
  public String ha1Sha256;

  @Column(name = "created_at", nullable = false)
  public Instant createdAt;

  @Column(name = "updated_at", nullable = false)
  public Instant updatedAt;
}
