package dev.promgate.image;

/**
 * An image reference or digest that does not follow the distribution grammar. The message quotes
 * the input (escaped, so it is safe to print) and says what is wrong; {@link #reason()} is only the
 * second half, for callers that show the input themselves.
 */
public final class InvalidReferenceException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String reason;

  public InvalidReferenceException(String message) {
    this(message, message);
  }

  InvalidReferenceException(String message, String reason) {
    super(message);
    this.reason = reason;
  }

  /** What is wrong, without the input: {@code repository path "Nginx" must be lowercase}. */
  public String reason() {
    return reason;
  }
}
