/**
 * Step "sigstore-java verification → verdict": given the signatures, attestations and Sigstore
 * bundles already fetched for one image digest ({@link dev.promgate.verification.SignedContent}),
 * decide whether every signature, promotion and attestation requirement of the governing policies
 * holds ({@link dev.promgate.verification.RequirementsEvaluator}). Nothing here does I/O; the
 * work is CPU-bound and runs on a worker pool, never on the event loop.
 */
package dev.promgate.verification;
