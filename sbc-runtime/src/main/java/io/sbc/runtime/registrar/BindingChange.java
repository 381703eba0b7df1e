package io.sbc.runtime.registrar;

import java.util.List;

/**
 * What one REGISTER (or the management API) does to an address-of-record: a pure function from the
 * bindings current at that moment to the bindings to keep, or a refusal (RFC 3261 section 10.3). A
 * store may call it more than once and on any thread; it must not have side effects.
 */
@FunctionalInterface
public interface BindingChange {
  /**
   * @param current the bindings of the address-of-record that have not expired at {@code
   *     nowMillis}, in the order they were first registered (oldest first)
   * @param nowMillis the wall-clock time of the change
   * @return the outcome: the complete new list of bindings, or a refusal leaving them untouched
   */
  Result apply(List<Binding> current, long nowMillis);

  /**
   * The outcome of a change.
   *
   * @param bindings the address-of-record's bindings after the change (all of them, oldest first;
   *     empty removes the address-of-record); on a refusal, the bindings as they stand
   * @param status 200 when applied, else the SIP status of the refusal (500 for an out-of-order
   *     CSeq, 403 for a full address-of-record, 423 for a too-brief expiry)
   * @param reason the reason phrase of a refusal, or null
   */
  record Result(List<Binding> bindings, int status, String reason) {
    public Result {
      bindings = List.copyOf(bindings);
    }

    public static Result applied(List<Binding> bindings) {
      return new Result(bindings, 200, null);
    }

    public static Result refused(List<Binding> current, int status, String reason) {
      return new Result(current, status, reason);
    }

    public boolean isApplied() {
      return status == 200;
    }
  }
}
