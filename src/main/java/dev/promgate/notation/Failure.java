package dev.promgate.notation;

/**
 * Why a Notation signature does not count, tagged with the validation that failed, in the words
 * the Notary Project uses ({@code integrity}, {@code authenticity}, {@code trusted identity},
 * {@code expiry}, {@code authentic timestamp}) so that users find the matching notation message.
 * Internal control flow only; {@link NotationVerifier} turns it into a result.
 */
final class Failure extends Exception {

  private final String validation;

  Failure(String validation, String message) {
    super(message, null, false, false);
    this.validation = validation;
  }

  static Failure integrity(String message) {
    return new Failure("integrity", message);
  }

  static Failure authenticity(String message) {
    return new Failure("authenticity", message);
  }

  String validation() {
    return validation;
  }
}
