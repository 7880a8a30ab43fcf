package dev.promgate.verdict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.image.ImageReference;
import dev.promgate.registry.RegistryException;
import dev.promgate.registry.RegistryFailures;
import dev.promgate.verdict.Verdict.Unverifiable.Category;
import io.vertx.core.Future;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every failure on the way to a verdict becomes one, classified the same way wherever it happens. */
class FailureBoundaryTest {

  static final ImageReference IMAGE = ImageReference.parse("registry.acme.example/shop/web@sha256:" + "ab".repeat(32));

  static RegistryException failure(RegistryException.Kind kind) {
    return RegistryFailures.of(kind, "registry.acme.example", "manifest shop/web", "it went wrong");
  }

  @Test
  void aMissingImageIsARejectionNotAnUnverifiable() {
    Verdict v = FailureBoundary.verdictFor(IMAGE, failure(RegistryException.Kind.NOT_FOUND));
    Verdict.Rejected r = assertInstanceOf(Verdict.Rejected.class, v);
    assertTrue(r.reasons().get(0).problem().startsWith("does not exist in its registry ("), r.toString());
  }

  @Test
  void everyOtherRegistryFailureIsUnverifiableWithTheCategoryOfItsKind() {
    for (RegistryException.Kind kind : RegistryException.Kind.values()) {
      if (kind == RegistryException.Kind.NOT_FOUND) {
        continue;
      }
      RegistryException e = failure(kind);
      Verdict.Unverifiable u = assertInstanceOf(Verdict.Unverifiable.class, FailureBoundary.verdictFor(IMAGE, e));
      assertEquals(kind.category(), u.category().wireName(), kind.toString());
      assertEquals(e.getMessage(), u.cause());
    }
  }

  @Test
  void anythingElseIsAnInternalUnverifiableNamingTheImageOnOneLine() {
    Verdict v = FailureBoundary.verdictFor(IMAGE, new IllegalStateException("broken\nacross lines",
        new IllegalArgumentException("cause")));
    Verdict.Unverifiable u = assertInstanceOf(Verdict.Unverifiable.class, v);
    assertEquals(Category.INTERNAL, u.category());
    assertEquals("verifying " + IMAGE + " failed unexpectedly: broken across lines: cause", u.cause());
  }

  @Test
  void guardTurnsThrowsAndFailedFuturesIntoVerdictsAndLetsVerdictsThrough() {
    Verdict verified = new Verdict.Verified(List.of());
    assertSame(verified, FailureBoundary.guard(IMAGE, () -> Future.succeededFuture(verified)).result());
    Verdict thrown = FailureBoundary.guard(IMAGE, () -> {
      throw new IllegalStateException("thrown");
    }).result();
    assertEquals(Category.INTERNAL, assertInstanceOf(Verdict.Unverifiable.class, thrown).category());
    Verdict failed = FailureBoundary.guard(IMAGE,
        () -> Future.<Verdict>failedFuture(failure(RegistryException.Kind.TIMEOUT))).result();
    assertEquals(Category.TIMEOUT, assertInstanceOf(Verdict.Unverifiable.class, failed).category());
    Verdict none = FailureBoundary.guard(IMAGE, () -> null).result();
    assertEquals(Category.INTERNAL, assertInstanceOf(Verdict.Unverifiable.class, none).category());
  }

  @Test
  void guardNowUsesTheCategoryItIsGiven() {
    Verdict v = FailureBoundary.guardNow(Category.VERIFICATION_ERROR, IMAGE, () -> {
      throw new ArithmeticException("/ by zero");
    });
    Verdict.Unverifiable u = assertInstanceOf(Verdict.Unverifiable.class, v);
    assertEquals("verification-error", u.category().wireName());
    assertTrue(u.cause().endsWith("failed unexpectedly: / by zero"), u.cause());
  }
}
