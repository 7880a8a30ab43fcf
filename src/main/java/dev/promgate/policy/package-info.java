/**
 * Step "policy for (environment, image repository)": the policy files of {@code policies/}, loaded,
 * validated with {@code file:line:column} errors, hot-reloaded, and matched against normalised
 * image repositories. A {@link dev.promgate.policy.PolicySet} is immutable; a reload produces a new
 * one with the next generation number.
 */
package dev.promgate.policy;
