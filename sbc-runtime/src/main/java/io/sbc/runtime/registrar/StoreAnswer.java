package io.sbc.runtime.registrar;

/**
 * Receives the outcome of one store operation, exactly once, on the loop that asked.
 *
 * @param <T> what the operation yields
 */
@FunctionalInterface
public interface StoreAnswer<T> {
  /**
   * @param result what the operation yields; null when it failed
   * @param failure why the store could not answer (a database down, a timeout), or null
   */
  void answered(T result, Throwable failure);
}
