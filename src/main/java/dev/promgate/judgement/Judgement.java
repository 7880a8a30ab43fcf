package dev.promgate.judgement;

import dev.promgate.image.Digest;
import dev.promgate.policy.Mode;
import dev.promgate.verdict.CacheSource;
import dev.promgate.verdict.Evidence;
import dev.promgate.verdict.RenderedEvidence;
import dev.promgate.verdict.Verdict;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * How one image fares against the policies of one environment. Three cases, which the decision
 * and the log keep apart: {@link Admitted}, {@link Denied} (the image fails a requirement) and
 * {@link Unverifiable} (promgate could not check; never reported as "unsigned").
 */
public sealed interface Judgement permits Judgement.Admitted, Judgement.Denied, Judgement.Unverifiable {

  /** How a failure of this image is enforced in the environment. */
  Mode mode();

  /** The digest judged; empty for a reference without one. */
  Optional<Digest> digest();

  /** Where the verdict came from; {@link CacheSource#NONE} when none was needed. */
  CacheSource cache();

  /** What held, for the decision log; a denial may list some too. */
  default List<Evidence> evidence() {
    return rendered().items();
  }

  /** The same evidence with the texts the decision shows, rendered once per cached verdict. */
  RenderedEvidence rendered();

  /** What failed, each with its fix: what a user reads. Empty when admitted. */
  List<String> problems();

  Status status();

  default boolean failed() {
    return status() != Status.ALLOWED;
  }

  /** The three cases by name, as the decision log writes them. */
  enum Status {
    ALLOWED, DENIED, UNVERIFIABLE;

    private final String wireName = name().toLowerCase(Locale.ROOT);

    public String wireName() {
      return wireName;
    }
  }

  /** Every requirement holds (or none asks for evidence). */
  record Admitted(Mode mode, Optional<Digest> digest, RenderedEvidence rendered, CacheSource cache)
      implements Judgement {
    public Admitted {
      Objects.requireNonNull(mode, "mode");
      Objects.requireNonNull(rendered, "rendered");
    }

    public Admitted(Mode mode, Optional<Digest> digest, List<Evidence> evidence, CacheSource cache) {
      this(mode, digest, RenderedEvidence.of(evidence), cache);
    }

    @Override
    public List<String> problems() {
      return List.of();
    }

    @Override
    public Status status() {
      return Status.ALLOWED;
    }
  }

  /**
   * The image fails at least one requirement.
   *
   * @param reasons every failed requirement, each saying what was expected, what was found and
   *                how to fix it
   */
  record Denied(Mode mode, Optional<Digest> digest, List<String> reasons, RenderedEvidence rendered,
                CacheSource cache) implements Judgement {
    public Denied {
      Objects.requireNonNull(mode, "mode");
      Objects.requireNonNull(rendered, "rendered");
      if (reasons.isEmpty()) {
        throw new IllegalArgumentException("a denial needs at least one reason");
      }
      reasons = List.copyOf(reasons);
    }

    public Denied(Mode mode, Optional<Digest> digest, List<String> reasons, List<Evidence> evidence,
                  CacheSource cache) {
      this(mode, digest, reasons, RenderedEvidence.of(evidence), cache);
    }

    /** Denied before any verdict was asked for. */
    static Denied early(Mode mode, Optional<Digest> digest, List<String> reasons) {
      return new Denied(mode, digest, reasons, RenderedEvidence.NONE, CacheSource.NONE);
    }

    @Override
    public List<String> problems() {
      return reasons;
    }

    @Override
    public Status status() {
      return Status.DENIED;
    }
  }

  /** promgate could not find out whether the image meets its requirements. */
  record Unverifiable(Mode mode, Optional<Digest> digest, Verdict.Unverifiable cause, CacheSource cache)
      implements Judgement {
    public Unverifiable {
      Objects.requireNonNull(mode, "mode");
      Objects.requireNonNull(cause, "cause");
    }

    @Override
    public RenderedEvidence rendered() {
      return RenderedEvidence.NONE;
    }

    @Override
    public List<String> problems() {
      return List.of(Problems.unverifiable(cause));
    }

    @Override
    public Status status() {
      return Status.UNVERIFIABLE;
    }
  }
}
