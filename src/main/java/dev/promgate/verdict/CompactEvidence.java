package dev.promgate.verdict;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Evidence packed into one byte array for the verdict cache, so that 100,000 cached digests fit in
 * under 30 MB. Kinds, authority names, signer identities, environment names, approvers and
 * attestation details repeat across digests and are stored once, in a table of this cache, and
 * referred to by number; timestamps as epoch seconds; the rest as UTF-8.
 *
 * <p>A promotion is kept as a summary — environment, promotedAt, approver — without its change
 * ticket and pipeline run, which are unique per promotion and would double the cache's size. The
 * decision log line of the verification (the cache miss) carries the full evidence; later hits log
 * the summary. Expiry times are not kept either: the cache folds them into the entry's lifetime
 * when the verdict arrives.
 */
final class CompactEvidence {

  /** Repeated strings, numbered in order of first use. Only grows: it holds signer identities. */
  private final ConcurrentHashMap<String, Integer> numbers = new ConcurrentHashMap<>();
  private final CopyOnWriteArrayList<String> strings = new CopyOnWriteArrayList<>();
  /** Hashes of detail tokens seen once: a second sighting earns a number. */
  private final java.util.concurrent.atomic.AtomicIntegerArray seen = new java.util.concurrent.atomic.AtomicIntegerArray(SEEN_SLOTS);
  private static final int SEEN_SLOTS = 8192;

  /**
   * Packs evidence for one digest. The digest and repository, which details often repeat (a
   * signature's source names its {@code sha256-<hex>.sig} tag), are replaced by markers and put
   * back on unpacking: the key already holds them. Details are split at ", " into tokens; a token
   * that is a UTC timestamp is stored as epoch seconds, a short one by its number in the table
   * (environment names, approvers, predicate types repeat), a long one as UTF-8.
   */
  byte[] pack(List<Evidence> evidence, String repository, String digestHex) {
    Buffer out = new Buffer(32 + evidence.size() * 24);
    out.varint(evidence.size());
    for (Evidence e : evidence) {
      out.varint(number(e.kind()));
      out.varint(number(e.authority()));
      out.varint(number(e.identity()));
      String detail = e.detail().replace(digestHex, DIGEST_MARK).replace(repository, REPOSITORY_MARK);
      // A promotion's detail is a list of fields; other details are one piece of text each.
      boolean promotion = e.kind().equals("promotion");
      String[] tokens = detail.isEmpty() ? new String[0]
          : promotion ? detail.split(SEPARATOR, -1) : new String[] {detail};
      int kept = promotion ? Math.min(tokens.length, PROMOTION_SUMMARY_TOKENS) : tokens.length;
      out.varint(kept);
      for (int t = 0; t < kept; t++) {
        String token = tokens[t];
        long epoch = epochSeconds(token);
        if (epoch >= 0) {
          out.varint(TIMESTAMP);
          out.varlong(epoch);
        } else if (repeated(token)) {
          out.varint(NUMBERED);
          out.varint(number(token));
        } else {
          byte[] bytes = token.getBytes(StandardCharsets.UTF_8);
          out.varint(RAW);
          out.varint(bytes.length);
          out.bytes(bytes);
        }
      }
    }
    return out.toArray();
  }

  List<Evidence> unpack(byte[] packed, String repository, String digestHex) {
    Reader in = new Reader(packed);
    int count = in.varint();
    List<Evidence> evidence = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      String kind = strings.get(in.varint());
      String authority = strings.get(in.varint());
      String identity = strings.get(in.varint());
      int tokens = in.varint();
      StringBuilder detail = new StringBuilder();
      for (int t = 0; t < tokens; t++) {
        if (t > 0) {
          detail.append(SEPARATOR);
        }
        int type = in.varint();
        if (type == TIMESTAMP) {
          detail.append(Instant.ofEpochSecond(in.varlong()));
        } else if (type == NUMBERED) {
          detail.append(strings.get(in.varint()));
        } else {
          detail.append(in.utf8(in.varint()));
        }
      }
      String text = detail.toString().replace(REPOSITORY_MARK, repository).replace(DIGEST_MARK, digestHex);
      evidence.add(new Evidence(kind, authority, identity, text, Optional.empty()));
    }
    return evidence;
  }

  /** Epoch seconds when the token is exactly how {@link Instant#toString()} writes a whole second, else -1. */
  private static long epochSeconds(String token) {
    if (token.length() != 20 || token.charAt(10) != 'T' || token.charAt(19) != 'Z') {
      return -1;
    }
    try {
      Instant t = Instant.parse(token);
      return t.getEpochSecond() >= 0 && t.getNano() == 0 && t.toString().equals(token) ? t.getEpochSecond() : -1;
    } catch (java.time.format.DateTimeParseException e) {
      return -1;
    }
  }

  private static final String SEPARATOR = ", ";
  /** environment, promotedAt, approver: the leading tokens of a promotion's detail. */
  private static final int PROMOTION_SUMMARY_TOKENS = 3;
  private static final String DIGEST_MARK = "\u0001";
  private static final String REPOSITORY_MARK = "\u0002";
  private static final int TIMESTAMP = 0;
  private static final int NUMBERED = 1;
  private static final int RAW = 2;
  /** Longer text is kept as text, however often it repeats. */
  private static final int MAX_NUMBERED = 512;
  /** The table holds repeated names; past this size new tokens are kept as text. */
  private static final int MAX_TABLE = 50_000;

  /**
   * Whether a detail token is worth a table number: short, and seen before. A token seen for the
   * first time (a change ticket, a timestamp with an offset) is kept as text, so unique values do
   * not fill the table.
   */
  private boolean repeated(String token) {
    if (token.length() > MAX_NUMBERED) {
      return false;
    }
    if (numbers.containsKey(token)) {
      return true;
    }
    if (strings.size() >= MAX_TABLE) {
      return false;
    }
    // A lossy "seen before" set of fixed size: a slot remembers the hash of the last token that
    // landed in it. A collision only numbers a token early; unique tokens never pile up.
    int hash = token.hashCode() | 1;
    int slot = (hash ^ (hash >>> 16)) & (SEEN_SLOTS - 1);
    if (seen.get(slot) == hash) {
      return true;
    }
    seen.set(slot, hash);
    return false;
  }

  private int number(String s) {
    Integer n = numbers.get(s);
    if (n != null) {
      return n;
    }
    synchronized (strings) {
      return numbers.computeIfAbsent(s, k -> {
        strings.add(k);
        return strings.size() - 1;
      });
    }
  }

  private static final class Buffer {
    private byte[] bytes;
    private int size;

    Buffer(int capacity) {
      bytes = new byte[capacity];
    }

    void varint(int v) {
      while ((v & ~0x7f) != 0) {
        put((byte) ((v & 0x7f) | 0x80));
        v >>>= 7;
      }
      put((byte) v);
    }

    void varlong(long v) {
      while ((v & ~0x7fL) != 0) {
        put((byte) ((v & 0x7f) | 0x80));
        v >>>= 7;
      }
      put((byte) v);
    }

    void bytes(byte[] b) {
      ensure(b.length);
      System.arraycopy(b, 0, bytes, size, b.length);
      size += b.length;
    }

    private void put(byte b) {
      ensure(1);
      bytes[size++] = b;
    }

    private void ensure(int more) {
      if (size + more > bytes.length) {
        bytes = java.util.Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
      }
    }

    byte[] toArray() {
      return java.util.Arrays.copyOf(bytes, size);
    }
  }

  private static final class Reader {
    private final byte[] bytes;
    private int at;

    Reader(byte[] bytes) {
      this.bytes = bytes;
    }

    int varint() {
      int v = 0;
      int shift = 0;
      while (true) {
        byte b = bytes[at++];
        v |= (b & 0x7f) << shift;
        if ((b & 0x80) == 0) {
          return v;
        }
        shift += 7;
      }
    }

    long varlong() {
      long v = 0;
      int shift = 0;
      while (true) {
        byte b = bytes[at++];
        v |= (long) (b & 0x7f) << shift;
        if ((b & 0x80) == 0) {
          return v;
        }
        shift += 7;
      }
    }

    String utf8(int length) {
      String s = new String(bytes, at, length, StandardCharsets.UTF_8);
      at += length;
      return s;
    }
  }
}
