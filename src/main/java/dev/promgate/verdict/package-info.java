/**
 * Step "per image digest: verdict": the value a verification produces for one digest in one
 * environment ({@link dev.promgate.verdict.Verdict}), the {@link dev.promgate.verdict.Verifier}
 * interface that produces it, and the cache in front of it.
 */
package dev.promgate.verdict;
