package io.sbc.runtime.sip.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.DefaultMaxMessagesRecvByteBufAllocator;

/**
 * Gives a datagram channel one receive buffer of the largest datagram size, reused for every read,
 * instead of a fresh buffer per datagram.
 *
 * <p>Why: a 64 KiB pooled buffer per datagram is above Netty's per-thread cache limit, so each read
 * went to the shared arena, and profiles showed pool chunks being created over and over (a fifth of
 * all allocation). Reuse is safe because the inbound handler copies the datagram out and releases
 * it before the channel reads the next one; the channel keeps one reference of its own, so the
 * buffer is never freed while the channel lives.
 */
public final class ReusedReceiveBuffer extends DefaultMaxMessagesRecvByteBufAllocator {
  private final int size;

  public ReusedReceiveBuffer(int size) {
    this.size = size;
  }

  @Override
  public Handle newHandle() {
    return new MaxMessageHandle() {
      private ByteBuf buffer;

      @Override
      public ByteBuf allocate(ByteBufAllocator alloc) {
        if (buffer == null || buffer.refCnt() != 1) {
          // First read, or a previous datagram is still held somewhere: never share it; the
          // holder frees the old buffer when done with it.
          if (buffer != null) {
            buffer.release();
          }
          buffer = alloc.directBuffer(size, size);
        } else {
          buffer.clear();
        }
        return buffer.retain();
      }

      @Override
      public int guess() {
        return size;
      }
    };
  }
}
