package io.sbc.runtime.sip.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A dialog's sealed media state: five bytes that come back as they were sealed, with the side that
 * holds the token; a policy's short id depends on its settings only.
 */
class DialogMediaTest {
  static final int PINNED = 20475;

  @Test
  void theStateComesBackWithTheSideThatHoldsIt() {
    DialogMedia d = new DialogMedia(true, 0xBEEF, 0x1234, false);
    assertEquals(new DialogMedia(true, 0xBEEF, 0x1234, true), DialogMedia.decode(d.encode(true)));
    assertEquals(d, DialogMedia.decode(d.encode(false)));
    DialogMedia none = new DialogMedia(false, -1, 7, false);
    assertEquals(none, DialogMedia.decode(none.encode(false)));
    assertEquals(5, d.encode(true).length);
    assertNull(DialogMedia.decode(new byte[4]));
    assertNull(DialogMedia.decode(new byte[] {(byte) 0x80, 0, 0, 0, 0}), "unknown flags");
  }

  @Test
  void theHiddenRouteSetCarriesTheStateAndOldTokensStillDecode() {
    byte[] media = new DialogMedia(true, 1, 2, false).encode(true);
    HiddenState.Routes r =
        HiddenState.Routes.of(EdgePolicy.NONE, List.of("sip:p1.example;lr"), media);
    HiddenState.Routes back = HiddenState.Routes.decode(r.encode());
    assertEquals(List.of("sip:p1.example;lr"), back.routes());
    assertEquals(
        new DialogMedia(true, 1, 2, true), DialogMedia.decode(back.media()), "from the callee");
    HiddenState.Routes old = HiddenState.Routes.of(EdgePolicy.NONE, List.of(), null);
    assertNull(HiddenState.Routes.decode(old.encode()).media());
  }

  @Test
  void aPolicysShortIdDependsOnItsSettingsOnly() {
    MediaPolicy a =
        new MediaPolicy(true, true, true, "remove", null, false, false, List.of("x"), List.of());
    MediaPolicy same =
        new MediaPolicy(
            true, true, true, "remove", null, false, false, List.of(new String("x")), List.of());
    MediaPolicy other =
        new MediaPolicy(
            true, true, true, "remove", "RTP/SAVP", false, false, List.of("x"), List.of());
    assertEquals(a.shortId(), same.shortId());
    assertNotEquals(a.shortId(), other.shortId());
    MediaPolicy directed =
        new MediaPolicy(
            true, true, true, "remove", null, false, false, List.of("x"), List.of("in", "out"));
    assertNotEquals(a.shortId(), directed.shortId());
    assertEquals(List.of("out", "in"), directed.fromCallee().direction());
    // Fixed across processes and releases (a replica of the next release opens today's tokens):
    // the value is pinned.
    assertEquals(PINNED, a.shortId());
  }
}
