package dev.promgate.admission;

/**
 * A request body that is not an AdmissionReview promgate can answer. The HTTP layer turns it into
 * a 400 with this one-line reason; it never becomes a 500.
 */
public record BadReview(String reason) {}
