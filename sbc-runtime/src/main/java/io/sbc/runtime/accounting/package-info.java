/**
 * Accounting records, one per call (Kamailio's acc): {@link CallAccounting} turns the proxy's call
 * events into records and queues them, {@link AccountingWriter} writes them to PostgreSQL in
 * batches.
 *
 * <p>Contract: on the event loops only a record is built and queued (no I/O, no lock held); the
 * queue is bounded, and a record that finds it full is dropped and counted, never waited for.
 * Records are written off the SIP path through Hibernate Reactive, retried while the database is
 * unavailable, and a batch whose commit was lost is retried without writing its records twice.
 */
package io.sbc.runtime.accounting;
