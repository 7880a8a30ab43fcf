/**
 * Step "policy for (environment, image repository)": the policy files of {@code policies/}, loaded,
 * validated with {@code file:line:column} errors, hot-reloaded, and matched against normalised
 * image repositories. A {@link dev.promgate.policy.PolicySet} is immutable; a reload produces a new
 * one with the next generation number.
 *
 * <p>Entry points: {@link dev.promgate.policy.PolicyLoader} (one load, a
 * {@link dev.promgate.policy.PolicyLoadResult} that is either a set or every
 * {@link dev.promgate.policy.PolicyProblem}), {@link dev.promgate.policy.PolicyStore} (the set in
 * force, watched on a Vert.x timer), {@link dev.promgate.policy.CelAttestationCondition} (attestation
 * conditions). The file format is described for editors by {@code promgate-policy.schema.json}.
 */
package dev.promgate.policy;
