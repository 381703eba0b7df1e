package io.sbc.runtime.sip.proxy;

/**
 * What a dialog's sealed Record-Route token carries of its media, so that any replica, and a
 * restarted one, sends the dialog's RTPengine commands where its offer went and with its rule's
 * policy, whatever instances and weights that replica is configured with.
 *
 * <p>Five bytes: flags ({@link #ANCHORED}, {@link #HAS_INSTANCE}, {@link #FROM_CALLEE}), the
 * instance's short id and the policy's short id (16 bits each, big-endian). The ids are
 * fingerprints (of the instance's ng address, of the policy's settings) that every replica computes
 * alike, so no list order or index is involved.
 *
 * @param anchored the dialog's SDP goes through RTPengine
 * @param instance the short id of the instance that holds the call, or -1 for none
 * @param policy the short id of the rule's media policy ({@link MediaPolicy#shortId()})
 * @param fromCallee the token that carried this state is the one the callee holds: a request that
 *     comes with it comes from the callee's side (the request's Record-Route copy); false for the
 *     caller's copy (the 1xx/2xx's)
 */
public record DialogMedia(boolean anchored, int instance, int policy, boolean fromCallee) {
  static final int BYTES = 5;
  private static final int ANCHORED = 1;
  private static final int HAS_INSTANCE = 2;
  private static final int FROM_CALLEE = 4;

  /** The bytes of this state as the token of the side that holds it seals them. */
  byte[] encode(boolean heldByCallee) {
    byte[] b = new byte[BYTES];
    b[0] =
        (byte)
            ((anchored ? ANCHORED : 0)
                | (instance >= 0 ? HAS_INSTANCE : 0)
                | (heldByCallee ? FROM_CALLEE : 0));
    int i = Math.max(instance, 0);
    b[1] = (byte) (i >> 8);
    b[2] = (byte) i;
    b[3] = (byte) (policy >> 8);
    b[4] = (byte) policy;
    return b;
  }

  /** The state sealed in {@code b}, or null when {@code b} is null or not five bytes. */
  static DialogMedia decode(byte[] b) {
    if (b == null || b.length != BYTES || (b[0] & ~(ANCHORED | HAS_INSTANCE | FROM_CALLEE)) != 0) {
      return null;
    }
    int f = b[0];
    int i = ((b[1] & 0xFF) << 8) | (b[2] & 0xFF);
    int p = ((b[3] & 0xFF) << 8) | (b[4] & 0xFF);
    return new DialogMedia(
        (f & ANCHORED) != 0, (f & HAS_INSTANCE) != 0 ? i : -1, p, (f & FROM_CALLEE) != 0);
  }
}
