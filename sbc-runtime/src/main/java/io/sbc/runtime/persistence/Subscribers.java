package io.sbc.runtime.persistence;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;

/**
 * Subscribers in PostgreSQL: added or changed from a password (its HA1 hashes stored, the password
 * forgotten at once), looked up, listed, removed. Only when {@link Database#active()}.
 */
@ApplicationScoped
public class Subscribers {
  @Inject Database database;

  /** Sets the user's password; the item is true when the subscriber is new. */
  public Uni<Boolean> put(String domain, String username, String password) {
    String md5 = Ha1.md5(username, domain, password);
    String sha = Ha1.sha256(username, domain, password);
    return database
        .sessions()
        .withTransaction(
            s ->
                s.find(Subscriber.class, new Subscriber.Key(domain, username))
                    .flatMap(
                        existing -> {
                          Instant now = Instant.now();
                          if (existing != null) {
                            existing.ha1Md5 = md5;
                            existing.ha1Sha256 = sha;
                            existing.updatedAt = now;
                            return Uni.createFrom().item(false);
                          }
                          Subscriber n = new Subscriber();
                          n.domain = domain;
                          n.username = username;
                          n.ha1Md5 = md5;
                          n.ha1Sha256 = sha;
                          n.createdAt = now;
                          n.updatedAt = now;
                          return s.persist(n).replaceWith(true);
                        }));
  }

  /** The subscriber, or null. */
  public Uni<Subscriber> find(String domain, String username) {
    return database
        .sessions()
        .withSession(s -> s.find(Subscriber.class, new Subscriber.Key(domain, username)));
  }

  /** Subscribers of a domain (every domain when null), by domain and name, at most {@code max}. */
  public Uni<List<Subscriber>> list(String domain, int max) {
    return database
        .sessions()
        .withSession(
            s ->
                (domain == null
                        ? s.createSelectionQuery(
                            "from Subscriber order by domain, username", Subscriber.class)
                        : s.createSelectionQuery(
                                "from Subscriber where domain = :d order by username",
                                Subscriber.class)
                            .setParameter("d", domain))
                    .setMaxResults(max)
                    .getResultList());
  }

  /** Removes the subscriber; the item is whether there was one. */
  public Uni<Boolean> remove(String domain, String username) {
    return database
        .sessions()
        .withTransaction(
            s ->
                s.createMutationQuery("delete from Subscriber where domain = :d and username = :u")
                    .setParameter("d", domain)
                    .setParameter("u", username)
                    .executeUpdate()
                    .map(n -> n > 0));
  }
}
