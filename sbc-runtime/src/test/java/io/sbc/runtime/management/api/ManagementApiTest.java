package io.sbc.runtime.management.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.sbc.runtime.accounting.AccountingQueue;
import io.sbc.runtime.accounting.AccountingWriter;
import io.sbc.runtime.persistence.AccountingRecord;
import io.sbc.runtime.persistence.Database;
import io.sbc.runtime.persistence.Ha1;
import io.sbc.runtime.persistence.TestDatabase;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The management API against a real PostgreSQL (a database of its own, migrated by Flyway at
 * start): the bearer token, subscribers and accounting records.
 */
@QuarkusTest
@QuarkusTestResource(value = TestDatabase.class, restrictToAnnotatedClass = true)
class ManagementApiTest {
  static final String TOKEN = "test-token-0123456789abcdef";

  @Inject Database database;
  @Inject Vertx vertx;

  @ConfigProperty(name = "quarkus.datasource.jdbc.url")
  String jdbcUrl;

  @Test
  void everyApiCallNeedsTheToken() {
    given()
        .when()
        .get("/sbc/api/subscribers")
        .then()
        .statusCode(401)
        .header("WWW-Authenticate", containsString("Bearer"));
    given()
        .auth()
        .oauth2("wrong-token-0123456789")
        .when()
        .get("/sbc/api/accounting")
        .then()
        .statusCode(401)
        .header("WWW-Authenticate", containsString("invalid_token"));
    given()
        .header("Authorization", "Basic " + TOKEN)
        .when()
        .delete("/sbc/api/subscribers/example.com/alice")
        .then()
        .statusCode(401);
    // What probes and scrapers read stays open.
    given().when().get("/q/health/live").then().statusCode(200);
    given().when().get("/q/metrics").then().statusCode(200);
    given()
        .when()
        .get("/q/openapi")
        .then()
        .statusCode(200)
        .body(containsString("/sbc/api/subscribers"));
  }

  @Test
  void subscribersAreStoredAsHa1Only() throws Exception {
    String user = "alice" + System.nanoTime();
    given()
        .auth()
        .oauth2(TOKEN)
        .contentType(ContentType.JSON)
        .body("{\"password\":\"s3cret pass\"}")
        .when()
        .put("/sbc/api/subscribers/Example.COM/" + user)
        .then()
        .statusCode(201)
        .body("domain", equalTo("example.com"))
        .body("username", equalTo(user))
        .body("$", not(hasKey("ha1Md5")))
        .body("$", not(hasKey("password")));
    try (Connection c = DriverManager.getConnection(jdbcUrl, TestDatabase.USER, "");
        ResultSet rs =
            c.createStatement()
                .executeQuery("select * from subscriber where username = '" + user + "'")) {
      rs.next();
      assertEquals(Ha1.md5(user, "example.com", "s3cret pass"), rs.getString("ha1_md5"));
      assertEquals(Ha1.sha256(user, "example.com", "s3cret pass"), rs.getString("ha1_sha256"));
      // No column holds the password.
      for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
        assertEquals(
            false, "s3cret pass".equals(rs.getString(i)), rs.getMetaData().getColumnName(i));
      }
    }
    // RFC 2617's example: Mufasa, testrealm@host.com, "Circle Of Life".
    assertEquals(
        "939e7578ed9e3c518a452acee763bce9",
        Ha1.md5("Mufasa", "testrealm@host.com", "Circle Of Life"));

    given()
        .auth()
        .oauth2(TOKEN)
        .contentType(ContentType.JSON)
        .body("{\"password\":\"another\"}")
        .when()
        .put("/sbc/api/subscribers/example.com/" + user)
        .then()
        .statusCode(200);
    given()
        .auth()
        .oauth2(TOKEN)
        .when()
        .get("/sbc/api/subscribers?domain=example.com")
        .then()
        .statusCode(200)
        .body("username", hasItem(user));
    given()
        .auth()
        .oauth2(TOKEN)
        .when()
        .delete("/sbc/api/subscribers/example.com/" + user)
        .then()
        .statusCode(204);
    given()
        .auth()
        .oauth2(TOKEN)
        .when()
        .get("/sbc/api/subscribers/example.com/" + user)
        .then()
        .statusCode(404);
    given()
        .auth()
        .oauth2(TOKEN)
        .when()
        .delete("/sbc/api/subscribers/example.com/" + user)
        .then()
        .statusCode(404);
  }

  @Test
  void badSubscriberInputIsNamed() {
    given()
        .auth()
        .oauth2(TOKEN)
        .contentType(ContentType.JSON)
        .body("{\"password\":\"\"}")
        .when()
        .put("/sbc/api/subscribers/example.com/bob")
        .then()
        .statusCode(400)
        .body("error", containsString("password"));
    given()
        .auth()
        .oauth2(TOKEN)
        .contentType(ContentType.JSON)
        .body("{\"password\":\"x\"}")
        .when()
        .put("/sbc/api/subscribers/exa_mple..com/bob")
        .then()
        .statusCode(400)
        .body("error", containsString("domain"));
    given()
        .auth()
        .oauth2(TOKEN)
        .contentType(ContentType.JSON)
        .body("{\"password\":\"x\"}")
        .when()
        .put("/sbc/api/subscribers/example.com/bo b")
        .then()
        .statusCode(400)
        .body("error", containsString("username"));
  }

  @Test
  void accountingRecordsWrittenInBatchesAreQueriedByTimeCallerAndCallee() throws Exception {
    AccountingQueue q = new AccountingQueue(1000);
    Instant t0 = Instant.parse("2026-01-01T10:00:00Z");
    String tag = Long.toString(System.nanoTime());
    for (int i = 0; i < 250; i++) {
      AccountingRecord r = new AccountingRecord();
      r.id = UUID.randomUUID();
      r.gateway = "gw";
      r.callId = "call-" + tag + "-" + i;
      r.startedAt = t0.plusSeconds(i);
      r.answeredAt = r.startedAt.plusSeconds(1);
      r.endedAt = r.startedAt.plusSeconds(11);
      r.durationMs = 10_000;
      r.status = 200;
      r.endReason = "bye";
      r.caller = (i % 2 == 0 ? "even" : "odd") + tag + "@example.com";
      r.callee = "+1555" + i + "@carrier.example";
      q.offer(r);
    }
    AccountingWriter w = new AccountingWriter(vertx, database.sessions(), q, 100, 50, 1000);
    w.start();
    long deadline = System.currentTimeMillis() + 20_000;
    while (q.written() < 250 && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    w.close();
    assertEquals(250, q.written());
    assertEquals(0, q.held());
    given()
        .auth()
        .oauth2(TOKEN)
        .queryParam("from", "2026-01-01T10:00:00Z")
        .queryParam("to", "2026-01-01T10:01:00Z")
        .queryParam("caller", "odd" + tag)
        .when()
        .get("/sbc/api/accounting")
        .then()
        .statusCode(200)
        .body("$", hasSize(30))
        .body("[0].callId", equalTo("call-" + tag + "-59"))
        .body("[0].durationMs", equalTo(10000))
        .body("[0].endReason", equalTo("bye"));
    given()
        .auth()
        .oauth2(TOKEN)
        .queryParam("from", "2026-01-01T00:00:00Z")
        .queryParam("to", "2026-01-02T00:00:00Z")
        .queryParam("callee", "+15557@carrier.example")
        .when()
        .get("/sbc/api/accounting")
        .then()
        .statusCode(200)
        .body("$", hasSize(1))
        .body("[0].caller", equalTo("odd" + tag + "@example.com"));
    given()
        .auth()
        .oauth2(TOKEN)
        .queryParam("from", "yesterday")
        .when()
        .get("/sbc/api/accounting")
        .then()
        .statusCode(400)
        .body("error", containsString("ISO-8601"));
  }
}
