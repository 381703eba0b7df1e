package io.sbc.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * 10,000 idle SIP WebSocket connections held by one SBC with keepalives (a ping every 5 s, each
 * answered by the client): every connection stays open, every one is pinged, the Java heap grows
 * by less than 20 KB per connection (measured after a full GC, with jcmd), and no event loop is
 * reported blocked while they open and are held. The figures are printed for docs/benchmarks.md.
 */
class WebSocketIdleTest extends SystemTestBase {
  static final String HOST = "127.0.0.1";
  static final int CONNECTIONS = 10_000;
  static final int PING_SECONDS = 5;

  @Test
  void tenThousandIdleWebSocketConnectionsAreHeldWithKeepalives() throws Exception {
    int sipPort = Ports.proxy();
    int wsPort = Ports.proxy();
    String yaml =
        """
        apiVersion: sbc.io/v1alpha1
        kind: SipGateway
        metadata:
          name: idle
        spec:
          listeners:
            - {name: udp, protocol: SIP-UDP, address: %s, port: %d}
            - {name: ws, protocol: SIP-WS, address: %s, port: %d}
          limits:
            maxTcpConnections: 20000
            maxTcpConnectionsPerSource: 20000
            tcpIdleTimeoutSeconds: 60
            webSocketPingSeconds: %d
        """
            .formatted(HOST, sipPort, HOST, wsPort, PING_SECONDS);
    ManagedProcess sbc = track(SbcProcess.start(workDir, "sbc", yaml, HOST, sipPort));
    long heapBefore = heapUsedAfterGc(sbc.pid());
    long rssBefore = rssKb(sbc.pid());
    // Only what the loops do while connections open and are held counts (under a loaded machine
    // the JVM's start alone can trip the checker).
    int logStart = sbc.logText().length();

    ManagedProcess clients =
        track(
            new ManagedProcess(
                "clients",
                List.of(
                    "node",
                    WebSocketTest.jsDir().resolve("ws-idle.js").toString(),
                    "ws://" + HOST + ":" + wsPort + "/",
                    String.valueOf(CONNECTIONS)),
                workDir.resolve("clients"),
                workDir.resolve("clients").resolve("node.log")));
    long t0 = System.nanoTime();
    awaitLine(clients, "OPEN " + CONNECTIONS, Duration.ofSeconds(300));
    long openMs = (System.nanoTime() - t0) / 1_000_000;
    // Two ping periods and a bit: every connection pinged at least once, all still open.
    Thread.sleep((2 * PING_SECONDS + 2) * 1000L);
    String last = lastLine(clients, "PINGS ");
    assertNotNull(last, clients.logTail(20));
    String[] f = last.split(" ");
    long pings = Long.parseLong(f[1]);
    long open = Long.parseLong(f[2]);
    assertEquals(CONNECTIONS, open, "connections still open: " + clients.logTail(5));
    assertTrue(pings >= CONNECTIONS, "pings received: " + pings);
    assertFalse(clients.logText().contains("FAILED"), clients.logTail(20));

    long heapAfter = heapUsedAfterGc(sbc.pid());
    long rssAfter = rssKb(sbc.pid());
    double heapPerConnection = (heapAfter - heapBefore) * 1024.0 / CONNECTIONS;
    double rssPerConnection = (rssAfter - rssBefore) * 1024.0 / CONNECTIONS;
    String figures =
        String.format(
            "%d idle WS connections opened in %d ms, %d pings answered; Java heap after full GC"
                + " %d KB -> %d KB: %.0f bytes per connection; process RSS %d KB -> %d KB: %.0f"
                + " bytes per connection",
            CONNECTIONS,
            openMs,
            pings,
            heapBefore,
            heapAfter,
            heapPerConnection,
            rssBefore,
            rssAfter,
            rssPerConnection);
    System.out.println(figures);
    Files.writeString(workDir.resolve("figures.txt"), figures + "\n");
    assertTrue(heapPerConnection < 20 * 1024, figures);
    String log = sbc.logText().substring(logStart);
    assertFalse(log.contains(BLOCKED_THREAD), "a blocked event loop: " + log);
  }

  /** Heap in use after a full GC, in KB, from jcmd GC.heap_info (G1: "total N K, used M K"). */
  static long heapUsedAfterGc(long pid) throws Exception {
    jcmd(pid, "GC.run");
    String info = jcmd(pid, "GC.heap_info");
    Matcher m = Pattern.compile("total \\d+K, used (\\d+)K").matcher(info);
    assertTrue(m.find(), info);
    return Long.parseLong(m.group(1));
  }

  static String jcmd(long pid, String command) throws Exception {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process p =
        new ProcessBuilder(jcmd.toString(), String.valueOf(pid), command)
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    return out;
  }

  static long rssKb(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }

  static void awaitLine(ManagedProcess p, String line, Duration timeout) throws Exception {
    long until = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < until) {
      if (p.logText().lines().anyMatch(line::equals)) {
        return;
      }
      assertTrue(p.isAlive(), p.name() + " exited: " + p.logTail(20));
      Thread.sleep(200);
    }
    throw new AssertionError("no '" + line + "' within " + timeout + ": " + p.logTail(20));
  }

  static String lastLine(ManagedProcess p, String prefix) {
    String last = null;
    for (String l : p.logText().split("\n")) {
      if (l.startsWith(prefix)) {
        last = l;
      }
    }
    return last;
  }
}
