package io.sbc.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Accounting records (one per call, in PostgreSQL) for SIPp calls through the packaged SBC, read
 * from the database and through the management API; and none lost while PostgreSQL is down for a
 * few seconds in the middle of the calls.
 */
class AccountingTest extends SystemTestBase {
  static final String TOKEN = "systemtest-token-0123456789";

  @Test
  void everyCallGetsARecordReadableThroughTheApi() throws Exception {
    Assumptions.assumeTrue(ProxyUnderTest.target().equals("sbc"), "accounting is the SBC's");
    int calls = 30;
    String db = Postgres.createDatabase(Postgres.SHARED, "sbc_acc");
    track(() -> Postgres.dropDatabase(Postgres.SHARED, db));
    int backend = backendPort(0);
    startUas(Sipp.uas(Sipp.sharedScenario("uas_rr.xml")).port(backend), "uas");
    SbcConfig cfg = SbcConfig.udp(proxyPort()).backend(backend);
    Postgres.sbcOptions(Postgres.SHARED, db).forEach(cfg::jvmArg);
    cfg.jvmArg("-Dsbc.management.token=" + TOKEN);
    startProxy(cfg);
    int uacPort = uacPort();

    Sipp.Result uac = runUac(
        Sipp.uac(Sipp.sharedScenario("uac_rr.xml"), proxy.address())
            .port(uacPort).calls(calls).rate(10).limit(calls).args("-d", "200")
            .timeout(Duration.ofSeconds(60)),
        "uac", Duration.ofSeconds(90));
    assertTrue(uac.allSucceeded(calls), "calls: " + uac + context());

    List<Map<String, Object>> rows = awaitRecords(Postgres.SHARED, db, calls, Duration.ofSeconds(30));
    assertEquals(calls, rows.size(), "one record per call" + context());
    for (Map<String, Object> r : rows) {
      assertEquals("systemtest", r.get("gateway"));
      assertEquals(200, r.get("status"), r.toString());
      assertEquals("bye", r.get("end_reason"), r.toString());
      assertNotNull(r.get("answered_at"), r.toString());
      long duration = (Long) r.get("duration_ms");
      assertTrue(duration >= 150 && duration < 10_000, "SIPp holds each call 200 ms: " + r);
      assertTrue(((String) r.get("caller")).startsWith("sipp@"), r.toString());
      assertEquals("service@127.0.0.1", r.get("callee"), r.toString());
      assertEquals("127.0.0.1:" + uacPort, r.get("source"), r.toString());
      assertTrue(((String) r.get("destination")).contains(":" + backend), r.toString());
      assertNotNull(r.get("route"), r.toString());
    }
    assertEquals(calls, distinctCallIds(Postgres.SHARED, db));

    // The same records through the management API, as an operator reads them.
    URI api = URI.create("http://" + proxy.management().base().getAuthority()
        + "/sbc/api/accounting?callee=service&limit=1000");
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> refused = http.send(HttpRequest.newBuilder(api).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(401, refused.statusCode(), "no token, no records");
    HttpResponse<String> ok = http.send(
        HttpRequest.newBuilder(api).header("Authorization", "Bearer " + TOKEN).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, ok.statusCode(), ok.body());
    JsonNode list = new ObjectMapper().readTree(ok.body());
    assertEquals(calls, list.size(), ok.body());
    assertEquals("bye", list.get(0).path("endReason").asText());
  }

  /**
   * PostgreSQL (a server of the test's own) stopped for five seconds while 100 calls run: every
   * call still succeeds, every record reaches the database once it is back, none twice, none
   * dropped, and no event loop was blocked by database work.
   */
  @Test
  void noRecordLostWhilePostgresIsDown() throws Exception {
    Assumptions.assumeTrue(ProxyUnderTest.target().equals("sbc"), "accounting is the SBC's");
    int calls = 100;
    Postgres.Own pg = track(new Postgres.Own(workDir));
    pg.start();
    String db = Postgres.createDatabase(pg.server(), "sbc_acc");
    int backend = backendPort(0);
    startUas(Sipp.uas(Sipp.sharedScenario("uas_rr.xml")).port(backend), "uas");
    SbcConfig cfg = SbcConfig.udp(proxyPort()).backend(backend)
        .jvmArg("-Dsbc.accounting.max-backoff-ms=1000");
    Postgres.sbcOptions(pg.server(), db).forEach(cfg::jvmArg);
    startProxy(cfg);

    Sipp.Instance uac = track(
        Sipp.uac(Sipp.sharedScenario("uac_rr.xml"), proxy.address())
            .port(uacPort()).calls(calls).rate(10).limit(calls).args("-d", "300")
            .timeout(Duration.ofSeconds(90))
            .start(workDir, "uac"));
    Thread.sleep(3000);
    pg.stopFast();
    Thread.sleep(5000);
    pg.start();
    Sipp.Result result = uac.awaitResult(Duration.ofSeconds(90));
    assertTrue(result.allSucceeded(calls), "calls during the outage: " + result + context());

    List<Map<String, Object>> rows = awaitRecords(pg.server(), db, calls, Duration.ofSeconds(60));
    assertEquals(calls, rows.size(), "every call's record, written once" + context());
    assertEquals(calls, distinctCallIds(pg.server(), db));
    Scrape m = proxy.management().metrics();
    assertTrue(m.value("sbc_accounting_write_failures_total") > 0,
        "the outage was seen by the writer (else this test proved nothing)");
    assertEquals(0.0, m.value("sbc_accounting_records_total", "result", "dropped"));
    assertEquals((double) calls, m.value("sbc_accounting_records_total", "result", "written"));
    String log = afterReady(Files.readString(workDir.resolve("sbc.log")));
    String[] blocks = log.split("has been blocked for");
    for (int i = 1; i < blocks.length; i++) { // each piece after a warning: its stack
      String block = blocks[i];
      String stack = block.length() > 4000 ? block.substring(0, 4000) : block;
      assertFalse(stack.contains("org.hibernate") || stack.contains("io.vertx.pgclient")
          || stack.contains("io.sbc.runtime.accounting"),
          "an event loop was blocked by database work:\n" + stack);
    }
  }

  private static List<Map<String, Object>> awaitRecords(String server, String db, int expected,
      Duration timeout) throws Exception {
    long end = System.nanoTime() + timeout.toNanos();
    List<Map<String, Object>> rows = List.of();
    while (System.nanoTime() < end) {
      rows = records(server, db);
      if (rows.size() >= expected) {
        Thread.sleep(1000); // and no more than expected come later
        return records(server, db);
      }
      Thread.sleep(250);
    }
    return rows;
  }

  private static List<Map<String, Object>> records(String server, String db) throws SQLException {
    List<Map<String, Object>> rows = new ArrayList<>();
    try (Connection c = Postgres.connect(server, db);
        ResultSet rs = c.createStatement().executeQuery("select * from acc_call")) {
      while (rs.next()) {
        Map<String, Object> row = new HashMap<>();
        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
          row.put(rs.getMetaData().getColumnName(i), rs.getObject(i));
        }
        rows.add(row);
      }
    } catch (SQLException e) {
      if ("42P01".equals(e.getSQLState())) {
        return rows; // not migrated yet
      }
      throw e;
    }
    return rows;
  }

  private static int distinctCallIds(String server, String db) throws SQLException {
    try (Connection c = Postgres.connect(server, db);
        ResultSet rs = c.createStatement().executeQuery("select count(distinct call_id) from acc_call")) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
