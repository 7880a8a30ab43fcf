/**
 * Kubernetes manifests generated from the policies, so that the webhook configuration cannot drift
 * from them: one webhook per environment, plus catch-alls for namespaces without (or with an
 * unknown) environment label.
 */
package dev.promgate.manifests;
