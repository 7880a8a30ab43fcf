/**
 * The HTTPS edge: the admission paths ({@code /validate}, {@code /validate/{environment}},
 * {@code /unknown-environment}, matched by hand because they carry the load) and Vert.x routes for
 * health, readiness and metrics; body limits and content checks; TLS 1.2/1.3 with the certificate
 * that {@code tls.CertificateRotation} keeps current.
 * It turns bytes into an {@link dev.promgate.admission.AdmissionCall}, hands it to the
 * {@link dev.promgate.http.AdmissionHandler} it was given, and turns the
 * {@link dev.promgate.decision.Decision} back into bytes — nothing deeper reaches back here.
 */
package dev.promgate.http;
