package io.sbc.runtime.media;

/** Bytes that are not bencode, or that pass a limit of {@link BencodeDecoder}. */
public final class BencodeException extends Exception {
  private static final long serialVersionUID = 1L;

  BencodeException(String message, int offset) {
    super(message + " at offset " + offset);
  }
}
