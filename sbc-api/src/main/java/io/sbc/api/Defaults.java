package io.sbc.api;

import java.util.List;

/** Every default of the model, written down in one place. */
public final class Defaults {
  private Defaults() {}

  public static final List<String> PROTOCOLS = List.of("SIP-UDP", "SIP-TCP");
  public static final String LISTENER_ADDRESS = "0.0.0.0";
  public static final String PROXY_MODE = "stateful";
  public static final int MAX_FORWARDS = 70;
  public static final int T1 = 500;
  public static final int T2 = 4000;
  public static final int T4 = 5000;
  public static final int TIMER_C = 180_000;
  public static final int MAX_MESSAGE_SIZE = 65_535;
  public static final int MAX_HEADERS = 256;
  public static final int MAX_TCP_CONNECTIONS = 10_000;
  public static final int TCP_IDLE_TIMEOUT_SECONDS = 300;
  public static final boolean RECORD_ROUTE = true;
  public static final String FORKING = "serial";
}
