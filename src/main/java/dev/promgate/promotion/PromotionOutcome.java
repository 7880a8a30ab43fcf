package dev.promgate.promotion;

import dev.promgate.image.Digest;
import dev.promgate.image.ImageReference;
import java.util.List;
import java.util.Optional;

/** What {@code promgate promote} did: refused (nothing pushed), or pushed and read back. */
public sealed interface PromotionOutcome permits PromotionOutcome.Refused, PromotionOutcome.Promoted {

  /**
   * Nothing was pushed.
   *
   * @param reason what is wrong and what to do, possibly over several lines
   */
  record Refused(String reason) implements PromotionOutcome {}

  /**
   * The promotion was pushed; then promgate read it back and judged the digest as the webhook would.
   *
   * @param image           the pinned image
   * @param predicate       what was signed
   * @param attestation     where it is: {@code host/repo:sha256-<hex>.att layer N}
   * @param manifest        the digest of the new attestation manifest
   * @param notes           what the user should know (a tag ignored, a check forced or skipped)
   * @param signedBy        the policy authority whose promotion it counts as, with the signer
   * @param notCounted      why the policies do not count it (the key is not an authority for
   *                        promotions to this environment), when they do not
   * @param admissible      whether the digest is admissible in the environment now
   * @param admissionProblems why not, each with its fix
   */
  record Promoted(ImageReference image, PromotionPredicate predicate, String attestation, Digest manifest,
                  List<String> notes, Optional<String> signedBy, Optional<String> notCounted, boolean admissible,
                  List<String> admissionProblems) implements PromotionOutcome {
    public Promoted {
      notes = List.copyOf(notes);
      admissionProblems = List.copyOf(admissionProblems);
    }

    /** Whether the webhook counts the promotion: signed by an authority the policies name for it. */
    public boolean counts() {
      return signedBy.isPresent() && notCounted.isEmpty();
    }
  }
}
