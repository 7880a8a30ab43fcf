package dev.promgate.verdict;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.io.JsonStringEncoder;

/**
 * A verdict's evidence together with the texts a decision shows of it, rendered once.
 *
 * <p>Every decision that uses a cached verdict writes its evidence twice — into the {@code evidence}
 * audit annotation ({@code web: signature by ci (…); web: promotion by …}) and into the decision log
 * line — and rendering a piece of evidence (times, optional fields, joins) costs more than looking
 * the verdict up. The verdict cache keeps one of these per hot verdict, so a cached decision only
 * copies finished strings. The annotation fragment depends on the container's label too; the last
 * one asked for is kept, since the same workload asks again and again with the same labels.
 *
 * <p>Immutable but for that one remembered fragment, which is published safely and only ever
 * replaced by an equally valid one.
 */
public final class RenderedEvidence {

  /** No evidence. */
  public static final RenderedEvidence NONE = new RenderedEvidence(List.of(), List.of(), new byte[0][]);

  private final List<Evidence> items;
  private final List<String> texts;
  /** Each text as the inside of a JSON string, UTF-8: the decision log copies these bytes. */
  private final byte[][] jsonTexts;
  private volatile Fragment last;
  private volatile Remembered logged;

  /** The annotation fragment for one container label. */
  private record Fragment(String label, String text) {}

  /** A decision log fragment and what it was made for. */
  private record Remembered(Object key, Object fragment) {}

  private RenderedEvidence(List<Evidence> items, List<String> texts, byte[][] jsonTexts) {
    this.items = items;
    this.texts = texts;
    this.jsonTexts = jsonTexts;
  }

  /** Renders the texts of {@code evidence} now. */
  public static RenderedEvidence of(List<Evidence> evidence) {
    if (evidence.isEmpty()) {
      return NONE;
    }
    List<Evidence> items = List.copyOf(evidence);
    List<String> texts = new ArrayList<>(items.size());
    byte[][] json = new byte[items.size()][];
    for (Evidence e : items) {
      String text = e.text();
      json[texts.size()] = JsonStringEncoder.getInstance().quoteAsUTF8(text);
      texts.add(text);
    }
    return new RenderedEvidence(items, List.copyOf(texts), json);
  }

  /** The evidence itself, every field as verification found it. */
  public List<Evidence> items() {
    return items;
  }

  /** {@link Evidence#text()} of each piece, in order: what the decision log lists. */
  public List<String> texts() {
    return texts;
  }

  /** Writes the texts as JSON strings, already escaped and encoded: a copy of bytes each. */
  public void writeTexts(JsonGenerator g) {
    for (byte[] text : jsonTexts) {
      g.writeRawUTF8String(text, 0, text.length);
    }
  }

  public boolean isEmpty() {
    return items.isEmpty();
  }

  /**
   * {@code web: signature by ci (…); web: promotion by …}: each text behind the container's label,
   * joined by {@code "; "}, as the {@code evidence} audit annotation lists it.
   */
  public String annotation(String label) {
    Objects.requireNonNull(label, "label");
    Fragment known = last;
    if (known != null && known.label().equals(label)) {
      return known.text();
    }
    int length = 0;
    for (String t : texts) {
      length += label.length() + 4 + t.length();
    }
    StringBuilder s = new StringBuilder(length);
    for (String t : texts) {
      if (s.length() > 0) {
        s.append("; ");
      }
      s.append(label).append(": ").append(t);
    }
    String text = s.toString();
    last = new Fragment(label, text);
    return text;
  }

  /**
   * The decision log's fragment for one image that rests on this evidence, made by {@code render}
   * for {@code key} (everything besides this evidence that the fragment shows); the last one is
   * kept, so a workload decided again and again gets the same bytes without writing them anew.
   */
  public <T> T logFragment(Object key, Function<Object, T> render) {
    Remembered known = logged;
    if (known != null && known.key().equals(key)) {
      @SuppressWarnings("unchecked")
      T fragment = (T) known.fragment();
      return fragment;
    }
    T fragment = render.apply(key);
    logged = new Remembered(key, fragment);
    return fragment;
  }

  /** Roughly the heap this takes beyond the evidence records: what the cache counts against its budget. */
  long weight() {
    long chars = 0;
    for (String t : texts) {
      chars += t.length();
    }
    // The texts (compact strings: a byte a character), once more as JSON bytes, in a remembered
    // annotation fragment and in a remembered log fragment; the unpacked records with their own
    // strings, headers and lists; the containers' names, fields and images of the fragments.
    return 5 * chars + 220L * texts.size() + 512;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RenderedEvidence r && r.items.equals(items);
  }

  @Override
  public int hashCode() {
    return items.hashCode();
  }

  @Override
  public String toString() {
    return texts.toString();
  }
}
