/**
 * Step "per image digest: verdict": the value a verification produces for one digest in one
 * environment ({@link dev.promgate.verdict.Verdict}), the {@link dev.promgate.verdict.Verifier}
 * interface that produces it, the cache in front of it, and the {@link
 * dev.promgate.verdict.FailureBoundary} where anything that fails on the way becomes a verdict.
 */
package dev.promgate.verdict;
