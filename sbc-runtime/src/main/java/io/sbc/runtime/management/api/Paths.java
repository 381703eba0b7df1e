package io.sbc.runtime.management.api;

/** Where the management API lives. */
final class Paths {
  static final String API = "/sbc/api";

  private Paths() {}
}
