/**
 * Serving certificates: loading, development CA generation, rotation. The webhook's HTTPS
 * endpoint takes its certificate from a folder holding {@code tls.crt} and {@code tls.key} (the
 * layout of a Kubernetes TLS secret); this package checks such a pair before Vert.x sees it,
 * generates a throwaway development CA and certificate when the folder is empty, and swaps the
 * certificate of a running server when the files change.
 */
package dev.promgate.tls;
