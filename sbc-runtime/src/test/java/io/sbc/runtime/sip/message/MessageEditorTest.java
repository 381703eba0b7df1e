package io.sbc.runtime.sip.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Byte-range edits of a received message: what is not edited stays byte for byte. */
class MessageEditorTest {
  static final String MSG =
      "INVITE sip:bob@example.com SIP/2.0\r\n"
          + "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1\r\n"
          + "Max-Forwards: 70\r\n"
          + "Content-Length: 0\r\n\r\n";

  static SipMessage message(String text) {
    byte[] b = text.getBytes(StandardCharsets.ISO_8859_1);
    return new SipMessageDecoder(SipLimits.DEFAULT).decode(b, b.length, false);
  }

  static String text(byte[] b) {
    return new String(b, StandardCharsets.ISO_8859_1);
  }

  @Test
  void noEditsGiveTheOriginalBytes() {
    SipMessage m = message(MSG);
    MessageEditor e = new MessageEditor(m);
    assertTrue(e.isEmpty());
    assertEquals(MSG, text(e.apply()));
  }

  @Test
  void editsInAnyOrderApplyByOffsetAndEqualOffsetsKeepTheirOrder() {
    SipMessage m = message(MSG);
    int via = MSG.indexOf("Via:");
    int mf = MSG.indexOf("70");
    MessageEditor e = new MessageEditor(m);
    e.replace(mf, mf + 2, "69");
    e.insert(via, "Record-Route: <sip:p;lr>\r\n");
    e.insert(via, "Via: SIP/2.0/UDP p;branch=z9hG4bKp\r\n");
    String out = text(e.apply());
    assertEquals(
        MSG.replace("70", "69")
            .replace(
                "Via:", "Record-Route: <sip:p;lr>\r\nVia: SIP/2.0/UDP p;branch=z9hG4bKp\r\nVia:"),
        out);
  }

  @Test
  void deletesAndReplacesKeepEverythingElse() {
    SipMessage m = message(MSG);
    int s = MSG.indexOf("Max-Forwards");
    int e = MSG.indexOf("Content-Length");
    String out = text(new MessageEditor(m).delete(s, e).replace(0, 6, "OPTIONS").apply());
    assertEquals(MSG.replace("Max-Forwards: 70\r\n", "").replace("INVITE sip", "OPTIONS sip"), out);
  }

  @Test
  void aMarkLetsOneRequestBeEditedPerBranch() {
    SipMessage m = message(MSG);
    int via = MSG.indexOf("Via:");
    MessageEditor e = new MessageEditor(m);
    e.insert(MSG.indexOf("70"), "");
    int mark = e.mark();
    e.insert(via, "X-Branch: a\r\n");
    String a = text(e.apply());
    e.reset(mark);
    e.insert(via, "X-Branch: b\r\n");
    String b = text(e.apply());
    assertTrue(a.contains("X-Branch: a") && !a.contains("X-Branch: b"), a);
    assertTrue(b.contains("X-Branch: b") && !b.contains("X-Branch: a"), b);
  }

  @Test
  void anInsertionGoesBeforeADeletionAtTheSameOffsetWhateverTheOrderAdded() {
    SipMessage m = message(MSG);
    int via = MSG.indexOf("Via:");
    int end = MSG.indexOf("Max-Forwards");
    String out =
        text(
            new MessageEditor(m)
                .delete(via, end)
                .insert(via, "Via: SIP/2.0/UDP p;branch=z9hG4bKp\r\n")
                .apply());
    assertEquals(
        MSG.replace(
            "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1\r\n",
            "Via: SIP/2.0/UDP p;branch=z9hG4bKp\r\n"),
        out);
  }

  @Test
  void overlappingOrOutOfRangeEditsAreRefused() {
    SipMessage m = message(MSG);
    MessageEditor e = new MessageEditor(m);
    e.delete(10, 20);
    e.replace(15, 25, "x");
    assertThrows(IllegalStateException.class, e::apply);
    assertThrows(IllegalArgumentException.class, () -> new MessageEditor(m).delete(5, 4));
    assertThrows(
        IllegalArgumentException.class, () -> new MessageEditor(m).insert(MSG.length() + 1, "x"));
  }

  @Test
  void manyEditsGrowTheirArrays() {
    SipMessage m = message(MSG);
    MessageEditor e = new MessageEditor(m);
    for (int i = 0; i < 100; i++) {
      e.insert(MSG.length() - 2, "X-" + i + ": v\r\n");
    }
    String out = text(e.apply());
    assertTrue(out.contains("X-0: v\r\nX-1: v\r\n") && out.endsWith("X-99: v\r\n\r\n"), out);
  }

  static final String WITH_SDP =
      "INVITE sip:bob@example.com SIP/2.0\r\n"
          + "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1\r\n"
          + "l: 10\r\n"
          + "Content-Type: application/sdp\r\n\r\n"
          + "v=0\r\ns=-\r\n";

  @Test
  void aReplacedBodyCarriesItsNewContentLength() {
    SipMessage m = message(WITH_SDP);
    MessageEditor e = new MessageEditor(m);
    e.replaceBody("v=0\r\ns=rtpengine\r\n".getBytes(StandardCharsets.ISO_8859_1));
    assertTrue(e.bodyReplaced());
    String out = text(e.apply());
    assertEquals(WITH_SDP.replace("l: 10", "l: 18").replace("s=-", "s=rtpengine"), out);
    assertThrows(IllegalStateException.class, () -> e.replaceBody(new byte[0]));
  }

  @Test
  void aDatagramWithoutContentLengthGetsOneWithItsNewBody() {
    String noLength = WITH_SDP.replace("l: 10\r\n", "");
    SipMessage m = message(noLength);
    MessageEditor e = new MessageEditor(m);
    int mark = e.mark();
    e.replaceBody("v=0\r\n".getBytes(StandardCharsets.ISO_8859_1));
    String out = text(e.apply());
    assertTrue(out.contains("\r\nContent-Length: 5\r\n\r\nv=0\r\n"), out);
    assertTrue(out.endsWith("\r\n\r\nv=0\r\n"), out);
    e.reset(mark);
    assertTrue(!e.bodyReplaced(), "a reset drops the body edit too");
    assertEquals(noLength, text(e.apply()));
  }
}
