package io.sbc.runtime.persistence;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/**
 * One call's accounting record (Kamailio's acc): who called whom, through what, and how it went.
 */
@Entity
@Table(name = "acc_call")
public class AccountingRecord {
  /** Made by the SBC, so that a batch retried after a lost commit can skip what did get in. */
  @Id public UUID id;

  @Column(nullable = false)
  public String gateway;

  /** The replica that carried the call (the pod name in a cluster, the host name otherwise). */
  public String replica;

  @Column(name = "call_id", nullable = false)
  public String callId;

  /** When the INVITE arrived. */
  @Column(name = "started_at", nullable = false)
  public Instant startedAt;

  /** When the 2xx came; null when the call was never answered. */
  @Column(name = "answered_at")
  public Instant answeredAt;

  @Column(name = "ended_at", nullable = false)
  public Instant endedAt;

  /** Milliseconds from the answer to the end; 0 for a call never answered. */
  @Column(name = "duration_ms", nullable = false)
  public long durationMs;

  /** The INVITE's final status (200 for an answered call), 0 for a call forgotten. */
  @Column(nullable = false)
  public int status;

  /** bye, failed, cancelled, expired or replaced (CallEvents.EndReason). */
  @Column(name = "end_reason", nullable = false)
  public String endReason;

  /** The From URI's user@host. */
  public String caller;

  /** The Request-URI's user@host as received (before any rewrite). */
  public String callee;

  /** The address the INVITE came from, IP:port. */
  public String source;

  /** The routing rule that decided. */
  public String route;

  /** The target that answered (or the last one tried), as configured. */
  public String destination;

  /** RTP packets RTPengine relayed for the call; null until media accounting feeds it. */
  @Column(name = "rtp_packets")
  public Long rtpPackets;

  @Column(name = "rtp_bytes")
  public Long rtpBytes;
}
