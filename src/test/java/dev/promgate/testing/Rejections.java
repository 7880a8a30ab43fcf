package dev.promgate.testing;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.verdict.Verdict;

/**
 * Assertions on a rejection that say why it must be one: a verdict that is Rejected for the wrong
 * reason (a broken fixture, a parse error where a signature check was meant) fails them.
 */
public final class Rejections {

  private Rejections() {}

  /** {@code v} as a rejection; any other verdict fails, showing it. */
  public static Verdict.Rejected rejected(Verdict v) {
    return assertInstanceOf(Verdict.Rejected.class, v, v::toString);
  }

  /** The problem of the first reason of a rejection. */
  public static String problem(Verdict v) {
    return rejected(v).reasons().get(0).problem();
  }

  /** {@code v} is a rejection, and each phrase is in the problem of one of its reasons. */
  public static Verdict.Rejected rejectedBecause(Verdict v, String... phrases) {
    Verdict.Rejected r = rejected(v);
    for (String phrase : phrases) {
      assertTrue(r.reasons().stream().anyMatch(reason -> reason.problem().contains(phrase)),
          () -> "expected a reason containing <" + phrase + ">, got " + r.reasons());
    }
    return r;
  }
}
