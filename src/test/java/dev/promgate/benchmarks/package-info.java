/**
 * Benchmarks, not tests: JMH for the decision path and a heap measurement of the verdict cache.
 * Run them with the scripts in {@code benchmarks/}; results go to {@code docs/benchmarks.md}.
 */
package dev.promgate.benchmarks;
