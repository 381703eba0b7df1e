package io.sbc.runtime.routing;

import java.util.Arrays;

/**
 * Maps number prefixes to values and finds, for a number, every stored prefix it starts with,
 * longest first: the index behind prefix and least-cost routing.
 *
 * <p>Nodes live in parallel int arrays (first child, next sibling, value) rather than objects, so a
 * million prefixes cost tens of megabytes and a lookup walks at most one sibling list per
 * character. Built once per configuration, then only read: safe to share between threads.
 */
public final class PrefixTrie {
  private static final int NONE = -1;

  private byte[] symbol = new byte[1024];
  private int[] firstChild = new int[1024];
  private int[] nextSibling = new int[1024];
  private int[] value = new int[1024];
  private int size = 1; // node 0 is the root (the empty prefix)
  private int maxDepth;

  public PrefixTrie() {
    firstChild[0] = NONE;
    nextSibling[0] = NONE;
    value[0] = NONE;
  }

  /** Stores {@code v} (>= 0) under {@code prefix}; returns the value it replaced, or -1. */
  public int put(CharSequence prefix, int v) {
    if (v < 0) {
      throw new IllegalArgumentException("values are >= 0");
    }
    int node = 0;
    for (int i = 0; i < prefix.length(); i++) {
      char c = prefix.charAt(i);
      if (c > 0x7F) {
        throw new IllegalArgumentException("prefix must be ASCII: " + prefix);
      }
      node = child(node, (byte) c, true);
    }
    maxDepth = Math.max(maxDepth, prefix.length());
    int old = value[node];
    value[node] = v;
    return old;
  }

  private int child(int node, byte c, boolean create) {
    int prev = NONE;
    for (int n = firstChild[node]; n != NONE; n = nextSibling[n]) {
      if (symbol[n] == c) {
        return n;
      }
      prev = n;
    }
    if (!create) {
      return NONE;
    }
    if (size == symbol.length) {
      int cap = size * 2;
      symbol = Arrays.copyOf(symbol, cap);
      firstChild = Arrays.copyOf(firstChild, cap);
      nextSibling = Arrays.copyOf(nextSibling, cap);
      value = Arrays.copyOf(value, cap);
    }
    int n = size++;
    symbol[n] = c;
    firstChild[n] = NONE;
    nextSibling[n] = NONE;
    value[n] = NONE;
    if (prev == NONE) {
      firstChild[node] = n;
    } else {
      nextSibling[prev] = n;
    }
    return n;
  }

  /**
   * Writes the values of every stored prefix of {@code b[from, to)} into {@code out}, longest
   * prefix first, and returns how many (at most {@code out.length}). No allocation.
   */
  public int matches(byte[] b, int from, int to, int[] out) {
    int found = 0;
    int[] path = out; // collect shortest first, then reverse in place
    int node = 0;
    if (value[0] != NONE && found < path.length) {
      path[found++] = value[0];
    }
    for (int i = from; i < to && found < path.length; i++) {
      node = child(node, b[i], false);
      if (node == NONE) {
        break;
      }
      if (value[node] != NONE) {
        path[found++] = value[node];
      }
    }
    for (int i = 0, j = found - 1; i < j; i++, j--) {
      int t = path[i];
      path[i] = path[j];
      path[j] = t;
    }
    return found;
  }

  /** The value of the longest stored prefix of {@code b[from, to)}, or -1. */
  public int longest(byte[] b, int from, int to) {
    int best = value[0];
    int node = 0;
    for (int i = from; i < to; i++) {
      node = child(node, b[i], false);
      if (node == NONE) {
        break;
      }
      if (value[node] != NONE) {
        best = value[node];
      }
    }
    return best;
  }

  /** Number of nodes, the root included. */
  public int nodeCount() {
    return size;
  }

  /** Length of the longest stored prefix. */
  public int maxDepth() {
    return maxDepth;
  }

  /** Releases the spare capacity of the arrays once the table is complete. */
  public PrefixTrie trim() {
    symbol = Arrays.copyOf(symbol, size);
    firstChild = Arrays.copyOf(firstChild, size);
    nextSibling = Arrays.copyOf(nextSibling, size);
    value = Arrays.copyOf(value, size);
    return this;
  }
}
