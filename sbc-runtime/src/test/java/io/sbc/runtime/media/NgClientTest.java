package io.sbc.runtime.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sbc.runtime.sip.transport.Loop;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The ng client over real UDP sockets against a peer the test plays: the reply reaches the
 * command's callback on the loop that sent it, an unanswered command is sent again byte for byte
 * (same cookie), the last try's timeout fails it, and replies from elsewhere, with another cookie,
 * or malformed, do not complete a command as answered.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NgClientTest {
  private EventLoops loops;
  private NgClient client;
  private DatagramSocket peer;

  /** What a callback got, and whether it ran on the sending loop. */
  record Outcome(Map<String, Object> reply, String failure, boolean onLoop, long atNanos) {}

  @BeforeEach
  void start() throws Exception {
    loops = new EventLoops(2);
    client = NgClient.open(loops.loops, 300, 2);
    peer = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
    peer.setSoTimeout(3000);
  }

  @AfterEach
  void stop() throws Exception {
    peer.close();
    client.close();
    loops.close();
  }

  private CompletableFuture<Outcome> ping(Loop loop) throws Exception {
    CompletableFuture<Outcome> f = new CompletableFuture<>();
    Map<String, Object> cmd = new LinkedHashMap<>();
    cmd.put("command", "ping");
    loops.on(
        loop,
        () -> {
          client.send(
              loop,
              (InetSocketAddress) peer.getLocalSocketAddress(),
              cmd,
              (reply, failure) ->
                  f.complete(new Outcome(reply, failure, loop.inLoop(), System.nanoTime())));
          return null;
        });
    return f;
  }

  private DatagramPacket receive() throws Exception {
    DatagramPacket p = new DatagramPacket(new byte[65536], 65536);
    peer.receive(p);
    return p;
  }

  private static String text(DatagramPacket p) {
    return new String(p.getData(), 0, p.getLength(), StandardCharsets.ISO_8859_1);
  }

  private static String cookie(DatagramPacket p) {
    String t = text(p);
    return t.substring(0, t.indexOf(' '));
  }

  private void reply(DatagramSocket from, DatagramPacket to, String text) throws Exception {
    byte[] b = text.getBytes(StandardCharsets.ISO_8859_1);
    from.send(new DatagramPacket(b, b.length, to.getSocketAddress()));
  }

  @Test
  void anUnansweredCommandIsSentAgainWithTheSameCookieAndItsReplyArrivesOnItsLoop()
      throws Exception {
    Loop loop = loops.loops.get(1);
    CompletableFuture<Outcome> f = ping(loop);
    DatagramPacket first = receive();
    assertTrue(text(first).endsWith(" d7:command4:pinge"), text(first));
    DatagramPacket second = receive(); // the first went unanswered: sent again after 300 ms
    assertArrayEquals(
        Arrays.copyOf(first.getData(), first.getLength()),
        Arrays.copyOf(second.getData(), second.getLength()),
        "a retransmission is the same datagram, cookie included");
    reply(peer, second, cookie(second) + " d6:result4:ponge");
    Outcome o = f.get(5, TimeUnit.SECONDS);
    assertNull(o.failure());
    assertEquals("pong", o.reply().get("result"));
    assertTrue(o.onLoop(), "the callback runs on the loop that sent the command");
    assertEquals(1, client.stats().retransmissions.sum());
  }

  @Test
  void aCommandWithoutAnswerFailsAfterItsLastTry() throws Exception {
    long start = System.nanoTime();
    CompletableFuture<Outcome> f = ping(loops.loops.get(0));
    for (int i = 0; i < 3; i++) {
      receive(); // the first try and 2 retries
    }
    Outcome o = f.get(5, TimeUnit.SECONDS);
    assertNull(o.reply());
    assertNotNull(o.failure());
    assertTrue(o.failure().contains("after 3 tries"), o.failure());
    long ms = (o.atNanos() - start) / 1_000_000;
    assertTrue(ms >= 3 * 300 && ms < 3 * 300 + 1000, "failed after " + ms + " ms");
    peer.setSoTimeout(400);
    try {
      DatagramPacket extra = receive();
      throw new AssertionError("a fourth try: " + text(extra));
    } catch (SocketTimeoutException expected) {
      // three tries, no more
    }
    assertEquals(1, client.stats().timeouts.sum());
  }

  @Test
  void repliesFromElsewhereOrForAnotherCookieDoNotAnswerTheCommand() throws Exception {
    CompletableFuture<Outcome> f = ping(loops.loops.get(0));
    DatagramPacket cmd = receive();
    String cookie = cookie(cmd);
    try (DatagramSocket stranger = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      reply(stranger, cmd, cookie + " d6:result5:errore"); // right cookie, wrong source
    }
    reply(peer, cmd, cookie + "x d6:result5:errore"); // right source, another cookie
    reply(peer, cmd, "no-space-at-all");
    Thread.sleep(100);
    assertTrue(!f.isDone(), "answered by a stranger: " + f.getNow(null));
    reply(peer, cmd, cookie + " d6:result4:ponge");
    Outcome o = f.get(5, TimeUnit.SECONDS);
    assertEquals("pong", o.reply().get("result"));
    assertEquals(2, client.stats().unmatchedReplies.sum());
    assertEquals(1, client.stats().malformedReplies.sum());
  }

  @Test
  void aMalformedReplyFailsTheCommandAtOnce() throws Exception {
    CompletableFuture<Outcome> f = ping(loops.loops.get(0));
    DatagramPacket cmd = receive();
    reply(peer, cmd, cookie(cmd) + " d6:result" + "l".repeat(100));
    Outcome o = f.get(5, TimeUnit.SECONDS);
    assertNull(o.reply());
    assertTrue(o.failure().contains("malformed reply"), o.failure());
  }
}
