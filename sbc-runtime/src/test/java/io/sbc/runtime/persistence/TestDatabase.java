package io.sbc.runtime.persistence;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;

/**
 * A database of its own on the machine's PostgreSQL (127.0.0.1:5432, trust) for one test class:
 * created with a unique name before Quarkus starts, dropped after it stopped.
 */
public class TestDatabase implements QuarkusTestResourceLifecycleManager {
  public static final String SERVER = System.getProperty("sbc.test.pg", "127.0.0.1:5432");
  public static final String USER = System.getProperty("sbc.test.pg-user", "postgres");

  private String name;

  /** Creates a database with a unique name; returns the name. */
  public static String create(String prefix) throws SQLException {
    String n = prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    admin("create database " + n);
    return n;
  }

  /** Drops the database, closing the sessions still on it. */
  public static void drop(String name) throws SQLException {
    admin("drop database if exists " + name + " with (force)");
  }

  private static void admin(String sql) throws SQLException {
    try (Connection c =
            DriverManager.getConnection("jdbc:postgresql://" + SERVER + "/postgres", USER, "");
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  /** The JDBC URL of a database of the test server. */
  public static String jdbcUrl(String name) {
    return "jdbc:postgresql://" + SERVER + "/" + name;
  }

  @Override
  public Map<String, String> start() {
    try {
      name = create("sbc_test");
    } catch (SQLException e) {
      throw new IllegalStateException("PostgreSQL at " + SERVER + ": " + e.getMessage(), e);
    }
    return Map.of(
        "quarkus.datasource.active",
        "true",
        "quarkus.hibernate-orm.active",
        "true",
        "quarkus.flyway.active",
        "true",
        "quarkus.datasource.reactive.url",
        "postgresql://" + SERVER + "/" + name,
        "quarkus.datasource.jdbc.url",
        jdbcUrl(name),
        "quarkus.datasource.username",
        USER);
  }

  @Override
  public void stop() {
    if (name != null) {
      try {
        drop(name);
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
