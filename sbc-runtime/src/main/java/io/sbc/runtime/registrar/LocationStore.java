package io.sbc.runtime.registrar;

import io.sbc.runtime.sip.transport.Loop;
import java.util.List;

/**
 * Where each address-of-record is reached: its bindings (RFC 3261 section 10), added, refreshed and
 * removed by REGISTER, looked up for every request to a served domain. Asynchronous and atomic per
 * address-of-record as the package contract says.
 */
public interface LocationStore {
  /**
   * The bindings of {@code aor} that have not expired, oldest first; empty when none.
   *
   * @param aor a normalized address-of-record ({@link Binding#aor()})
   */
  void lookup(String aor, Loop loop, StoreAnswer<List<Binding>> answer);

  /**
   * Applies {@code change} to the bindings of {@code aor} atomically and answers with its result
   * (the bindings after the change, or the refusal). A binding whose expiry is not in the future is
   * removed, not stored.
   */
  void update(
      String aor, BindingChange change, Loop loop, StoreAnswer<BindingChange.Result> answer);

  /**
   * One page of bindings for the management API, ordered by address-of-record then age: those of
   * address-of-records after {@code afterAor} (null: from the start), at most {@code limit} of them
   * (a page may end inside an address-of-record's list only when it alone exceeds the limit).
   */
  void list(String afterAor, int limit, Loop loop, StoreAnswer<List<Binding>> answer);

  /** The bindings currently held (approximate while updates run), for metrics; never blocks. */
  long size();
}
