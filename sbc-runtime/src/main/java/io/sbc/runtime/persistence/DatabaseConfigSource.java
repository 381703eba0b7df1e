package io.sbc.runtime.persistence;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * The database from the SBC's own settings: {@code SBC_DATABASE_URL} ({@code
 * postgresql://host[:port]/database}), {@code SBC_DATABASE_USER}, and the password from {@code
 * SBC_DATABASE_PASSWORD_FILE} (a mounted Kubernetes Secret) or {@code SBC_DATABASE_PASSWORD};
 * system properties {@code sbc.database.url}, {@code sbc.database.user}, {@code
 * sbc.database.password-file} and {@code sbc.database.password} win over them. With a URL, the
 * datasource becomes active: the reactive pool for Hibernate Reactive and a JDBC URL for Flyway's
 * migration at start. Without one nothing changes: the datasource stays inactive.
 *
 * <p>Its ordinal (275) puts it above application.properties and below Quarkus's own environment
 * variables and system properties, so {@code QUARKUS_DATASOURCE_*} still overrides it.
 */
public final class DatabaseConfigSource implements ConfigSource {
  private final Map<String, String> values;

  public DatabaseConfigSource() {
    this(System.getenv(), System.getProperties());
  }

  DatabaseConfigSource(Map<String, String> env, java.util.Properties props) {
    values = map(env, props);
  }

  static Map<String, String> map(Map<String, String> env, java.util.Properties props) {
    Map<String, String> m = new HashMap<>();
    String url = setting(props, "sbc.database.url", env, "SBC_DATABASE_URL");
    if (url == null) {
      return m;
    }
    String reactive = reactiveUrl(url);
    m.put("quarkus.datasource.active", "true");
    m.put("quarkus.hibernate-orm.active", "true");
    m.put("quarkus.flyway.active", "true");
    m.put("quarkus.datasource.reactive.url", reactive);
    m.put("quarkus.datasource.jdbc.url", "jdbc:" + reactive);
    String user = setting(props, "sbc.database.user", env, "SBC_DATABASE_USER");
    if (user != null) {
      m.put("quarkus.datasource.username", user);
    }
    String file = setting(props, "sbc.database.password-file", env, "SBC_DATABASE_PASSWORD_FILE");
    String password = setting(props, "sbc.database.password", env, "SBC_DATABASE_PASSWORD");
    if (file != null) {
      try {
        password = stripNewline(Files.readString(Path.of(file), StandardCharsets.UTF_8));
      } catch (IOException e) {
        // The file's name only: the message never carries its content.
        throw new UncheckedIOException("SBC_DATABASE_PASSWORD_FILE " + file + ": cannot read", e);
      }
    }
    if (password != null) {
      m.put("quarkus.datasource.password", password);
    }
    return m;
  }

  /**
   * {@code postgresql://...} as the reactive client wants it, from that form, {@code postgres://}
   * or a JDBC URL.
   */
  static String reactiveUrl(String url) {
    String u = url.strip();
    if (u.startsWith("jdbc:")) {
      u = u.substring(5);
    }
    if (u.startsWith("postgres://")) {
      u = "postgresql://" + u.substring("postgres://".length());
    }
    if (!u.startsWith("postgresql://")) {
      throw new IllegalArgumentException(
          "SBC_DATABASE_URL must be postgresql://host[:port]/database, not " + redact(u));
    }
    return u;
  }

  /** The URL without any user-info (user:password@), for messages. */
  static String redact(String url) {
    int scheme = url.indexOf("://");
    int at = url.indexOf('@');
    if (scheme >= 0 && at > scheme) {
      return url.substring(0, scheme + 3) + "***@" + url.substring(at + 1);
    }
    return url;
  }

  private static String stripNewline(String s) {
    int end = s.length();
    while (end > 0 && (s.charAt(end - 1) == '\n' || s.charAt(end - 1) == '\r')) {
      end--;
    }
    return s.substring(0, end);
  }

  private static String setting(
      java.util.Properties props, String property, Map<String, String> env, String variable) {
    String v = props.getProperty(property);
    if (v == null || v.isBlank()) {
      v = env.get(variable);
    }
    return v == null || v.isBlank() ? null : v;
  }

  @Override
  public Set<String> getPropertyNames() {
    return values.keySet();
  }

  @Override
  public String getValue(String propertyName) {
    return values.get(propertyName);
  }

  @Override
  public String getName() {
    return "SBC_DATABASE_*";
  }

  @Override
  public int getOrdinal() {
    return 275;
  }
}
