package dev.promgate.image;

/** An image reference or digest that does not follow the distribution grammar; the message says why. */
public final class InvalidReferenceException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public InvalidReferenceException(String message) {
    super(message);
  }
}
