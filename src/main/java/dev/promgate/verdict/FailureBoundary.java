package dev.promgate.verdict;

import dev.promgate.image.ImageReference;
import dev.promgate.registry.RegistryException;
import dev.promgate.verdict.Verdict.Unverifiable.Category;
import io.vertx.core.Future;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The one place where a failure on the way to a verdict becomes a verdict. Every entry point of
 * verification — the registry verifier, the evaluator, the verdict cache, the judgement step —
 * runs its work through here, so that nothing thrown escapes as an exception and every failure
 * is classified the same way:
 * <ul>
 *   <li>the registry says the image does not exist: {@link Verdict.Rejected} (a property of the
 *       image);</li>
 *   <li>any other registry failure: {@link Verdict.Unverifiable} with the category of its kind
 *       (unreachable, timeout, unauthorized…);</li>
 *   <li>anything else: {@link Verdict.Unverifiable} with category {@code internal} (or the category
 *       the caller names): a bug, never cached as a denial, never reported as "unsigned".</li>
 * </ul>
 */
public final class FailureBoundary {

  private static final Pattern LINE_BREAKS = Pattern.compile("\\s*\\R\\s*");
  private static final int MAX_DESCRIPTION = 500;

  private FailureBoundary() {}

  /** Runs asynchronous verification work; a throw or a failed future becomes {@link #verdictFor}. */
  public static Future<Verdict> guard(ImageReference image, Supplier<Future<Verdict>> work) {
    return guard(image, work, verdict -> verdict);
  }

  /**
   * Runs asynchronous work that ends in a verdict wrapped in {@code T}; a throw or a failed future
   * becomes {@link #verdictFor}, wrapped by {@code wrap}.
   */
  public static <T> Future<T> guard(ImageReference image, Supplier<Future<T>> work, Function<Verdict, T> wrap) {
    Future<T> running;
    try {
      running = work.get();
    } catch (RuntimeException e) {
      return Future.succeededFuture(wrap.apply(verdictFor(image, e)));
    }
    if (running == null) {
      return Future.succeededFuture(wrap.apply(verdictFor(image, new NullPointerException("no future"))));
    }
    return running.recover(e -> Future.succeededFuture(wrap.apply(verdictFor(image, e))));
  }

  /** Runs synchronous verification work; a throw becomes Unverifiable with {@code category}. */
  public static Verdict guardNow(Category category, ImageReference image, Supplier<Verdict> work) {
    try {
      return work.get();
    } catch (RuntimeException e) {
      return unexpected(category, image, e);
    }
  }

  /** The verdict for a failure while verifying {@code image}. */
  public static Verdict verdictFor(ImageReference image, Throwable failure) {
    if (failure instanceof RegistryException re) {
      if (re.kind() == RegistryException.Kind.NOT_FOUND) {
        return Verdict.Rejected.because("does not exist in its registry (" + re.getMessage() + ")",
            "check the digest; the image must be pushed before it can run");
      }
      return new Verdict.Unverifiable(category(re.kind()), re.getMessage());
    }
    return unexpected(Category.INTERNAL, image, failure);
  }

  private static Verdict.Unverifiable unexpected(Category category, ImageReference image, Throwable failure) {
    return new Verdict.Unverifiable(category, "verifying " + image + " failed unexpectedly: " + describe(failure));
  }

  /**
   * The category of a registry failure. The judgement step checks the allow-list first, so a
   * refusal here means the registry client has not caught up with a policy reload yet: no
   * property of the image.
   */
  static Category category(RegistryException.Kind kind) {
    return switch (kind) {
      case NOT_ALLOWED -> Category.NOT_ALLOWED;
      case UNAUTHORIZED -> Category.UNAUTHORIZED;
      case RATE_LIMITED -> Category.RATE_LIMITED;
      case SERVER_ERROR -> Category.SERVER_ERROR;
      case UNREACHABLE -> Category.UNREACHABLE;
      case TIMEOUT -> Category.TIMEOUT;
      case INTEGRITY -> Category.INTEGRITY;
      case TOO_LARGE -> Category.TOO_LARGE;
      case PROTOCOL -> Category.PROTOCOL;
      case NOT_FOUND -> Category.UNAVAILABLE; // verdictFor rejects a missing image before asking
    };
  }

  /**
   * An exception as one line: its message and its causes' messages, joined by ": ", without
   * repeats and line breaks (sigstore-java puts hex dumps on separate lines), at most 500 characters.
   */
  public static String describe(Throwable e) {
    StringBuilder s = new StringBuilder();
    String previous = null;
    for (Throwable t = e; t != null && t != t.getCause(); t = t.getCause()) {
      String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
      message = LINE_BREAKS.matcher(message).replaceAll(" ").strip();
      if (previous != null && previous.contains(message)) {
        continue;
      }
      if (s.length() > 0) {
        s.append(": ");
      }
      s.append(message);
      previous = message;
    }
    return s.length() <= MAX_DESCRIPTION ? s.toString() : s.substring(0, MAX_DESCRIPTION - 3) + "...";
  }
}
