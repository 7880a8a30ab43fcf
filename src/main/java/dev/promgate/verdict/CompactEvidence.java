package dev.promgate.verdict;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Evidence packed into one byte array for the verdict cache, so that 100,000 cached digests fit in
 * a few tens of MB. Every field of every {@link Evidence} is kept, one by one — never joined into
 * text and split again — so a cached verdict says exactly what the verified one said. Authority
 * names, signer identities, environment names, predicate types and other short texts that repeat
 * across digests are stored once, in a table of this cache, and referred to by number; times as
 * epoch seconds and nanoseconds; the rest as UTF-8.
 *
 * <p>The digest and the repository, which texts often repeat (a signature's source names its
 * {@code sha256-<hex>.sig} tag), are replaced by markers and put back on unpacking: the cache key
 * already holds them.
 */
final class CompactEvidence {

  private static final int SIGNATURE = 0;
  private static final int PROMOTION = 1;
  private static final int ATTESTATION = 2;

  // Which optional fields of a promotion (or an attestation: 1 = condition, EXPIRES) are present: bits of one varint.
  private static final int APPROVER = 1;
  private static final int FROM = 2;
  private static final int CHANGE = 4;
  private static final int PIPELINE_RUN = 8;
  private static final int FORCED = 16;
  private static final int EXPIRES = 32;

  // How a text is stored: by number or as UTF-8, with or without the digest and repository markers.
  private static final int NUMBERED = 0;
  private static final int NUMBERED_MARKED = 1;
  private static final int RAW = 2;
  private static final int RAW_MARKED = 3;

  private static final String DIGEST_MARK = "\u0001";
  private static final String REPOSITORY_MARK = "\u0002";
  /** Longer text is kept as text, however often it repeats. */
  private static final int MAX_NUMBERED = 512;
  /** The table holds repeated names; past this size new texts are kept as text. */
  private static final int MAX_TABLE = 50_000;
  private static final int SEEN_SLOTS = 8192;

  /** Repeated strings, numbered in order of first use. Only grows: it holds signer identities. */
  private final ConcurrentHashMap<String, Integer> numbers = new ConcurrentHashMap<>();
  private final CopyOnWriteArrayList<String> strings = new CopyOnWriteArrayList<>();
  /** Hashes of texts seen once: a second sighting earns a number. */
  private final AtomicIntegerArray seen = new AtomicIntegerArray(SEEN_SLOTS);

  /** Packs the evidence of one digest of {@code repository}. */
  byte[] pack(List<Evidence> evidence, String repository, String digestHex) {
    Writer out = new Writer(32 + evidence.size() * 24, repository, digestHex);
    out.varint(evidence.size());
    for (Evidence e : evidence) {
      if (e instanceof SignatureEvidence s) {
        out.varint(SIGNATURE);
        out.varint(number(s.authority()));
        out.varint(number(s.identity()));
        out.text(s.source());
        out.instantIf(s.expiresAt());
      } else if (e instanceof PromotionEvidence p) {
        out.varint(PROMOTION);
        out.varint(number(p.authority()));
        out.varint(number(p.identity()));
        out.varint(number(p.environment()));
        out.instant(p.promotedAt());
        out.varint((p.approver().isPresent() ? APPROVER : 0) | (p.from().isPresent() ? FROM : 0)
            | (p.change().isPresent() ? CHANGE : 0) | (p.pipelineRun().isPresent() ? PIPELINE_RUN : 0)
            | (p.forced() ? FORCED : 0) | (p.expiresAt().isPresent() ? EXPIRES : 0));
        p.approver().ifPresent(out::text);
        p.from().ifPresent(out::text);
        p.change().ifPresent(out::text);
        p.pipelineRun().ifPresent(out::text);
        p.expiresAt().ifPresent(out::instant);
      } else {
        AttestationEvidence a = (AttestationEvidence) e;
        out.varint(ATTESTATION);
        out.varint(number(a.authority()));
        out.varint(number(a.identity()));
        out.varint(number(a.predicateType()));
        out.varint((a.condition().isPresent() ? 1 : 0) | (a.expiresAt().isPresent() ? EXPIRES : 0));
        a.condition().ifPresent(out::text);
        a.expiresAt().ifPresent(out::instant);
      }
    }
    return out.toArray();
  }

  List<Evidence> unpack(byte[] packed, String repository, String digestHex) {
    Reader in = new Reader(packed, repository, digestHex);
    int count = in.varint();
    List<Evidence> evidence = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int kind = in.varint();
      String authority = strings.get(in.varint());
      String identity = strings.get(in.varint());
      evidence.add(switch (kind) {
        case SIGNATURE -> new SignatureEvidence(authority, identity, in.text(), in.instantIf());
        case PROMOTION -> {
          String environment = strings.get(in.varint());
          Instant promotedAt = in.instant();
          int present = in.varint();
          Optional<String> approver = in.textIf(present, APPROVER);
          Optional<String> from = in.textIf(present, FROM);
          Optional<String> change = in.textIf(present, CHANGE);
          Optional<String> pipelineRun = in.textIf(present, PIPELINE_RUN);
          Optional<Instant> expiresAt = (present & EXPIRES) != 0 ? Optional.of(in.instant()) : Optional.empty();
          yield new PromotionEvidence(authority, identity, environment, promotedAt, approver, from, change,
              pipelineRun, (present & FORCED) != 0, expiresAt);
        }
        case ATTESTATION -> {
          String predicateType = strings.get(in.varint());
          int present = in.varint();
          Optional<String> condition = in.textIf(present, 1);
          Optional<Instant> expiresAt = (present & EXPIRES) != 0 ? Optional.of(in.instant()) : Optional.empty();
          yield new AttestationEvidence(authority, identity, predicateType, condition, expiresAt);
        }
        default -> throw new IllegalStateException("packed evidence of unknown kind " + kind);
      });
    }
    return evidence;
  }

  /**
   * Whether a text is worth a table number: short, and seen before. A text seen for the first time
   * (a change ticket, a pipeline run) is kept as UTF-8, so unique values do not fill the table.
   */
  private boolean repeated(String text) {
    if (text.length() > MAX_NUMBERED) {
      return false;
    }
    if (numbers.containsKey(text)) {
      return true;
    }
    if (strings.size() >= MAX_TABLE) {
      return false;
    }
    // A lossy "seen before" set of fixed size: a slot remembers the hash of the last text that
    // landed in it. A collision only numbers a text early; unique texts never pile up.
    int hash = text.hashCode() | 1;
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

  private final class Writer {
    private final String repository;
    private final String digestHex;
    private byte[] bytes;
    private int size;

    Writer(int capacity, String repository, String digestHex) {
      this.bytes = new byte[capacity];
      this.repository = repository;
      this.digestHex = digestHex;
    }

    /**
     * A text by number when it repeats, else as UTF-8; the digest and repository in it replaced by
     * markers, unless it holds a marker character itself (then it is kept exactly as it is).
     */
    void text(String text) {
      boolean markable = text.indexOf(DIGEST_MARK.charAt(0)) < 0 && text.indexOf(REPOSITORY_MARK.charAt(0)) < 0;
      String stored = markable ? text.replace(digestHex, DIGEST_MARK).replace(repository, REPOSITORY_MARK) : text;
      boolean marked = !stored.equals(text);
      if (repeated(stored)) {
        varint(marked ? NUMBERED_MARKED : NUMBERED);
        varint(number(stored));
      } else {
        byte[] utf8 = stored.getBytes(StandardCharsets.UTF_8);
        varint(marked ? RAW_MARKED : RAW);
        varint(utf8.length);
        ensure(utf8.length);
        System.arraycopy(utf8, 0, bytes, size, utf8.length);
        size += utf8.length;
      }
    }

    /** A presence flag, then the time if there is one. */
    void instantIf(Optional<Instant> at) {
      varint(at.isPresent() ? 1 : 0);
      at.ifPresent(this::instant);
    }

    void instant(Instant at) {
      long seconds = at.getEpochSecond();
      varlong((seconds << 1) ^ (seconds >> 63)); // zig-zag: times before 1970 stay short too
      varint(at.getNano());
    }

    void varint(int v) {
      varlong(v & 0xffffffffL);
    }

    void varlong(long v) {
      while ((v & ~0x7fL) != 0) {
        put((byte) ((v & 0x7f) | 0x80));
        v >>>= 7;
      }
      put((byte) v);
    }

    private void put(byte b) {
      ensure(1);
      bytes[size++] = b;
    }

    private void ensure(int more) {
      if (size + more > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
      }
    }

    byte[] toArray() {
      return Arrays.copyOf(bytes, size);
    }
  }

  private final class Reader {
    private final byte[] bytes;
    private final String repository;
    private final String digestHex;
    private int at;

    Reader(byte[] bytes, String repository, String digestHex) {
      this.bytes = bytes;
      this.repository = repository;
      this.digestHex = digestHex;
    }

    String text() {
      int type = varint();
      String stored;
      if (type == NUMBERED || type == NUMBERED_MARKED) {
        stored = strings.get(varint());
      } else {
        int length = varint();
        stored = new String(bytes, at, length, StandardCharsets.UTF_8);
        at += length;
      }
      boolean marked = type == NUMBERED_MARKED || type == RAW_MARKED;
      return marked ? stored.replace(REPOSITORY_MARK, repository).replace(DIGEST_MARK, digestHex) : stored;
    }

    Optional<String> textIf(int present, int bit) {
      return (present & bit) != 0 ? Optional.of(text()) : Optional.empty();
    }

    Optional<Instant> instantIf() {
      return varint() != 0 ? Optional.of(instant()) : Optional.empty();
    }

    Instant instant() {
      long zigzag = varlong();
      return Instant.ofEpochSecond((zigzag >>> 1) ^ -(zigzag & 1), varint());
    }

    int varint() {
      return (int) varlong();
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
  }
}
