package io.sbc.runtime.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.sbc.runtime.sip.message.SipMessage;
import io.sbc.runtime.sip.transport.StreamFramer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;

/**
 * Coverage-guided fuzzing of {@code SipMessageDecoder}: as a datagram, as one framed stream
 * message, and cut by the {@link StreamFramer} from a TCP byte stream, hostile bytes never throw
 * and every message decodes into something the proxy can read ({@link MessageChecks}).
 *
 * <p>Seeds: {@code DecoderFuzzTestInputs/decode/} (RFC 4475, RFC 5118 and the SIPp scenarios'
 * messages); see docs/fuzzing.md for how to fuzz it.
 */
class DecoderFuzzTest {

  /** Inputs checked; clean requests and responses; malformed; messages framed from streams. */
  private static long inputs, requests, responses, malformed, framed, closed;

  @AfterAll
  static void report() {
    System.out.println(
        "DecoderFuzzTest: "
            + inputs
            + " inputs: "
            + requests
            + " clean requests, "
            + responses
            + " clean responses, "
            + malformed
            + " malformed (as datagrams); "
            + framed
            + " messages framed from streams, "
            + closed
            + " streams closed by the framer");
  }

  @DictionaryFile(resourcePath = "sip.dict")
  @FuzzTest(maxDuration = "60s")
  void decode(byte[] input) {
    int n = input.length;
    SipMessage datagram = MessageChecks.decodeAndCheck(input, n, false);
    if (datagram != null && datagram.error() != null) {
      malformed++;
    } else if (datagram != null && datagram.isRequest()) {
      requests++;
    } else if (datagram != null) {
      responses++;
    }
    MessageChecks.decodeAndCheck(input, n, true);

    // The decoder reads buf[0, len) only: octets after len (a reused receive buffer) change
    // nothing.
    byte[] padded = Arrays.copyOf(input, n + 16);
    Arrays.fill(padded, n, padded.length, (byte) 'a');
    assertEquals(
        MessageChecks.summary(datagram),
        MessageChecks.summary(MessageChecks.DECODER.decode(padded, n, false)),
        "bytes after len must not change the decoding");

    // A stream: framed in one read and in three, the same messages come out (the framer resumes
    // its search between reads, RFC 3261 section 18.3).
    Framing whole = frame(input, n);
    int cut1 = Math.min(n, n > 0 ? input[0] & 0x3f : 0);
    int cut2 = Math.max(cut1, n - (n > 0 ? input[n - 1] & 0x3f : 0));
    Framing pieces = frame(input, cut1, cut2, n);
    assertEquals(whole.messages.size(), pieces.messages.size(), "messages framed");
    for (int i = 0; i < whole.messages.size(); i++) {
      byte[] m = whole.messages.get(i);
      assertTrue(Arrays.equals(m, pieces.messages.get(i)), "message " + i + " framed alike");
      MessageChecks.decodeAndCheck(m, m.length, true);
    }
    assertEquals(whole.closed, pieces.closed, "both reads close the stream, or neither");
    framed += whole.messages.size();
    closed += whole.closed ? 1 : 0;
    inputs++;
  }

  /** What a stream's bytes make: the framed messages, and whether the connection was closed. */
  private static final class Framing {
    final List<byte[]> messages = new ArrayList<>();
    boolean closed;
  }

  private static void assertTooLong(DecoderException e) {
    assertInstanceOf(
        TooLongFrameException.class, e instanceof TooLongFrameException ? e : e.getCause());
  }

  /** Feeds {@code input} to a framer in reads ending at each of {@code cuts}. */
  private static Framing frame(byte[] input, int... cuts) {
    Framing f = new Framing();
    EmbeddedChannel ch =
        new EmbeddedChannel(new StreamFramer(MessageChecks.LIMITS.maxMessageSize()));
    int from = 0;
    try {
      for (int cut : cuts) {
        if (cut > from) {
          ch.writeInbound(Unpooled.wrappedBuffer(input, from, cut - from));
          from = cut;
        }
        for (Object o = ch.readInbound(); o != null; o = ch.readInbound()) {
          f.messages.add((byte[]) o);
        }
      }
    } catch (DecoderException e) {
      // The transport closes a stream it cannot frame; anything else is a bug.
      assertTooLong(e);
      for (Object o = ch.readInbound(); o != null; o = ch.readInbound()) {
        f.messages.add((byte[]) o);
      }
      f.closed = true;
    }
    for (Object o = ch.readOutbound(); o != null; o = ch.readOutbound()) {
      ((ByteBuf) o).release();
    }
    try {
      // Closing hands the framer what is left once more (ByteToMessageDecoder.decodeLast).
      ch.finishAndReleaseAll();
    } catch (DecoderException e) {
      assertTooLong(e);
    }
    return f;
  }
}
