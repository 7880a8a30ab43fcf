/**
 * Used by step "verification": Notary Project (Notation) signatures. Reads JWS and COSE_Sign1
 * envelopes (COSE through a small bounded CBOR reader), checks them as {@code notation verify}
 * does under a strict trust policy — integrity, the signed target artifact, authenticity through an
 * X.509 trust store, trusted identity, expiry, and an RFC 3161 countersignature against TSA roots —
 * and returns a result value, never an exception. One public entry point:
 * {@link dev.promgate.notation.NotationVerifier}. No I/O.
 */
package dev.promgate.notation;
