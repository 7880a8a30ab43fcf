/**
 * Step "AdmissionReview v1": reading the API server's {@code AdmissionReview} (through fabric8's
 * model) into an {@link dev.promgate.admission.AdmissionCall}, refusing malformed reviews with a
 * one-line reason, and writing the response review.
 */
package dev.promgate.admission;
