/**
 * The HTTPS edge: Vert.x routes for {@code /validate}, {@code /validate/{environment}},
 * health, readiness and metrics; body limits and content checks; TLS with certificate rotation.
 * It turns bytes into an {@link dev.promgate.admission.AdmissionCall} and a
 * {@link dev.promgate.decision.Decision} back into bytes — nothing deeper reaches back here.
 */
package dev.promgate.http;
