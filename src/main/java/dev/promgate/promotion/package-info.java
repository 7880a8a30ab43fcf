/**
 * The release manager's tools, beside the admission flow rather than a step of it: making a
 * promotion ({@code promgate promote}: check the digest, sign the promotion predicate as an
 * in-toto statement in a DSSE envelope with a cosign-compatible key, append it to cosign's
 * {@code sha256-<hex>.att} manifest, read it back) and reading promotions
 * ({@code promgate status}: per environment, what is promoted, what is admissible now, what to
 * roll back to). Both judge digests with the webhook's own steps; everything they write is what
 * {@code cosign attest} writes, so cosign can read it and promgate's verification enforces it.
 * Entry points: {@link dev.promgate.promotion.PromotionWorkflow} and
 * {@link dev.promgate.promotion.SigningKey}.
 */
package dev.promgate.promotion;
