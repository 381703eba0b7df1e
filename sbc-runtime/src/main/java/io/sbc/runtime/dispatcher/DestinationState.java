package io.sbc.runtime.dispatcher;

/** The health of a dispatcher destination; only ACTIVE ones are selected. */
public enum DestinationState {
  /** Answering: selected. */
  ACTIVE,
  /** Suspected (a call or a probe failed): skipped until probes succeed again. */
  PROBING,
  /** Failed the configured number of probes in a row: skipped until probes succeed again. */
  INACTIVE
}
