package io.sbc.runtime.persistence;

import io.quarkus.arc.InjectableInstance;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.hibernate.reactive.mutiny.Mutiny;

/** Whether this process has a database, and its Hibernate Reactive session factory when it does. */
@ApplicationScoped
public class Database {
  @Inject
  @ConfigProperty(name = "quarkus.datasource.active", defaultValue = "false")
  boolean active;

  @Inject
  @ConfigProperty(name = "quarkus.datasource.reactive.url")
  java.util.Optional<String> url;

  /** Looked up only when active: an inactive datasource's beans must not be created. */
  @Inject InjectableInstance<Mutiny.SessionFactory> sessions;

  /** Whether a database is configured (SBC_DATABASE_URL or quarkus.datasource.*). */
  public boolean active() {
    return active && url.isPresent() && !url.get().isBlank();
  }

  /** The session factory; only when {@link #active()}. */
  public Mutiny.SessionFactory sessions() {
    if (!active()) {
      throw new IllegalStateException("no database is configured (SBC_DATABASE_URL)");
    }
    return sessions.get();
  }

  /** Where the database is, without credentials, for logs. */
  public String describe() {
    return url.map(DatabaseConfigSource::redact).orElse("(none)");
  }
}
