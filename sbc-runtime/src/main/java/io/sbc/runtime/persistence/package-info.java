/**
 * PostgreSQL through Hibernate Reactive: the entities ({@link AccountingRecord}, {@link
 * Subscriber}), the schema's migrations (Flyway, {@code db/migration}, run at start), and how a
 * database is configured ({@link DatabaseConfigSource}).
 *
 * <p>Contract: optional. Without a configured database the datasource is inactive, nothing here
 * connects, and {@link Database#active()} is false; callers keep their state in memory. Every
 * database call is reactive (the pg client on Vert.x's loops, a duplicated context per unit of
 * work): no thread ever waits for PostgreSQL. Must not import {@code io.sbc.runtime.sip}.
 */
package io.sbc.runtime.persistence;
