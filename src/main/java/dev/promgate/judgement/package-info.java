/**
 * Step "per-image judgement": how one image fares against the policies of one environment.
 * {@link dev.promgate.judgement.ImageJudge#judge} takes a parsed image reference and a
 * {@link dev.promgate.judgement.Scope} (environment, policy set, mode override, and the request's
 * {@link dev.promgate.judgement.Cutoff}) and returns a {@link dev.promgate.judgement.Judgement}:
 * Admitted with its evidence, Denied with its reasons, or Unverifiable with its cause. A verdict or
 * tag hint still pending at the cutoff (arrival plus the verification budget) is answered for
 * then: Unverifiable naming the budget, or the tag denial without its hint. The checks run in the order of their cost: registry
 * allow-list, governing policies and their rules for the environment, digest pin (with the tag
 * hint), then the verdict for the digest, which comes from behind the
 * {@link dev.promgate.verdict.VerdictSource} interface (cache, registry, signatures).
 *
 * <p>A new per-image requirement that needs no evidence from the registry goes into
 * {@code ImageJudge.judge} as one more check that adds a problem, with its wording in
 * {@code Problems} and a test in {@code ImageJudgeTest}.
 */
package dev.promgate.judgement;
