/**
 * Keeping trusted roots current: Sigstore trusted roots that policies take from a TUF repository
 * ({@code trustedRoot: {tuf: {mirror, root}}}) are refreshed in the background through
 * sigstore-java's TUF client into a local cache, from mirrors the GateConfig allows. The policy
 * loader reads the cached, verified root offline; a refresh that brings a new root reloads the
 * policies. When the mirror cannot be reached, the last verified root stays in use, and its age is
 * reported in the logs and in {@code /metrics}. Entry point: {@link
 * dev.promgate.trustroot.TrustedRootRefresher}.
 */
package dev.promgate.trustroot;
