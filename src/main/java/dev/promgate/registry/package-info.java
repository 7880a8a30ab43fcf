/**
 * Step "miss → registry": reading what lives in an OCI registry next to an image digest —
 * manifests, blobs, cosign {@code .sig}/{@code .att} tags and OCI referrers — without blocking the
 * Vert.x event loop and without ever reaching a registry outside the allow-list.
 *
 * <p>The public surface is small: {@link dev.promgate.registry.RegistryClient} (the thread-safe
 * facade, built once per allow-list), the values it returns ({@link dev.promgate.registry.Manifest},
 * {@link dev.promgate.registry.Descriptor}, {@link dev.promgate.registry.Attachments}) and the one
 * failure type {@link dev.promgate.registry.RegistryException}, whose
 * {@link dev.promgate.registry.RegistryException.Kind} says whether the image fails or promgate
 * could not check. Everything else (one small object per registry endpoint, authentication,
 * retries, the per-registry request limiter) is package-private.
 *
 * <p>Nothing here verifies signatures: this step only fetches raw bytes, and proves that every
 * manifest and blob fetched by digest hashes to that digest.
 */
package dev.promgate.registry;
