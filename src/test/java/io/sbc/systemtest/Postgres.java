package io.sbc.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * PostgreSQL for system tests: databases of their own on the machine's server (127.0.0.1:5432,
 * trust), and {@link Own}, a server of the test's own (initdb in its work directory) that it may
 * stop and start by PID without touching anybody else's.
 */
final class Postgres {
  static final String SHARED = System.getProperty("sbc.test.pg", "127.0.0.1:5432");
  static final String USER = "postgres";
  static final Path BIN = Path.of(System.getProperty("sbc.test.pg-bin", "/usr/lib/postgresql/15/bin"));

  private Postgres() {}

  /** Creates a database with a unique name on {@code server}; returns the name. */
  static String createDatabase(String server, String prefix) throws SQLException {
    String n = prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Connection c = connect(server, "postgres"); Statement s = c.createStatement()) {
      s.execute("create database " + n);
    }
    return n;
  }

  static void dropDatabase(String server, String name) throws SQLException {
    try (Connection c = connect(server, "postgres"); Statement s = c.createStatement()) {
      s.execute("drop database if exists " + name + " with (force)");
    }
  }

  static Connection connect(String server, String database) throws SQLException {
    return DriverManager.getConnection("jdbc:postgresql://" + server + "/" + database, USER, "");
  }

  /** The JVM options that point the SBC at a database. */
  static List<String> sbcOptions(String server, String database) {
    return List.of(
        "-Dsbc.database.url=postgresql://" + server + "/" + database, "-Dsbc.database.user=" + USER);
  }

  static boolean available() {
    try (Connection c = connect(SHARED, "postgres")) {
      return true;
    } catch (SQLException e) {
      return false;
    }
  }

  /** A PostgreSQL server of the test's own, on a free port, its data in the test's directory. */
  static final class Own implements AutoCloseable {
    private final Path dir;
    private final int port;
    private ManagedProcess process;
    private int starts;

    Own(Path workDir) throws Exception {
      this.dir = workDir.resolve("pgdata");
      Files.createDirectories(dir);
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        port = s.getLocalPort();
      }
      asPostgresOwner();
      run(List.of(BIN.resolve("initdb").toString(), "-D", dir.toString(), "-A", "trust", "-U", USER,
          "--no-sync", "-E", "UTF8"), workDir.resolve("initdb.log"));
    }

    String server() {
      return "127.0.0.1:" + port;
    }

    /**
     * Starts the server (again) and waits until it takes connections: TCP only (a work
     * directory's path is too long for a Unix socket's).
     */
    void start() throws Exception {
      List<String> cmd = asPostgres(List.of(BIN.resolve("postgres").toString(), "-D", dir.toString(),
          "-p", Integer.toString(port), "-k", "", "-c", "listen_addresses=127.0.0.1",
          "-c", "fsync=off"));
      process = new ManagedProcess("postgres-" + (++starts), cmd, dir.getParent(),
          dir.getParent().resolve("postgres-" + starts + ".log"));
      long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (true) {
        try (Connection c = connect(server(), "postgres")) {
          return;
        } catch (SQLException e) {
          if (System.nanoTime() > end || !process.isAlive()) {
            throw new AssertionError("own PostgreSQL did not start:\n" + process.logTail(20), e);
          }
          Thread.sleep(100);
        }
      }
    }

    /**
     * Stops the server at once: SIGINT to the postmaster's PID (its "fast" shutdown: sessions
     * ended, no waiting for clients), then waits until it is gone.
     */
    void stopFast() throws Exception {
      long pid = Long.parseLong(Files.readAllLines(dir.resolve("postmaster.pid")).get(0).strip());
      Process kill = new ProcessBuilder("kill", "-INT", Long.toString(pid)).inheritIO().start();
      kill.waitFor();
      process.awaitExit(Duration.ofSeconds(20));
      process.close();
    }

    @Override
    public void close() throws InterruptedException {
      if (process != null) {
        process.close();
      }
    }

    private static boolean root() {
      return "root".equals(System.getProperty("user.name"));
    }

    /** PostgreSQL refuses to run as root: the server runs as the postgres user then. */
    private static List<String> asPostgres(List<String> cmd) {
      if (!root()) {
        return cmd;
      }
      List<String> c = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
      c.addAll(cmd);
      return c;
    }

    private void asPostgresOwner() throws Exception {
      if (root()) {
        run(List.of("chown", "postgres:postgres", dir.toString()), dir.getParent().resolve("chown.log"));
      }
    }

    private void run(List<String> cmd, Path log) throws IOException, InterruptedException {
      List<String> c = cmd.get(0).equals("chown") ? cmd : asPostgres(cmd);
      Process p = new ProcessBuilder(c).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      int rc = p.waitFor();
      assertEquals(0, rc, String.join(" ", c) + " failed:\n" + Files.readString(log, StandardCharsets.UTF_8));
    }
  }
}
