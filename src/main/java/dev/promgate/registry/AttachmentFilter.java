package dev.promgate.registry;

import java.util.Optional;
import java.util.Set;

/**
 * Which attachments {@link RegistryClient#attachments} downloads: referrers of the wanted artifact
 * types, and of those and of cosign's {@code .att} layers only the ones whose declared predicate
 * type (the {@code dev.sigstore.bundle.predicateType} descriptor annotation, the {@code predicateType}
 * layer annotation) is wanted. What declares no predicate type is always downloaded: the filter can
 * only leave out what says it is something else. Filtering happens before anything is downloaded,
 * so that attachments nobody asked about never count towards {@code maxAttachments}.
 *
 * @param referrerTypes  the artifact types of the referrers to download
 * @param predicateTypes the predicate types wanted, or empty for all
 */
public record AttachmentFilter(Set<String> referrerTypes, Optional<Set<String>> predicateTypes) {

  /** The predicate type cosign v3 gives image signatures stored as DSSE bundles. */
  public static final String COSIGN_SIGN_PREDICATE = "https://sigstore.dev/cosign/sign/v1";

  /** Layer annotation of cosign's {@code .att} layers; descriptor annotation of Sigstore bundle referrers. */
  static final String LAYER_PREDICATE = "predicateType";
  static final String BUNDLE_PREDICATE = "dev.sigstore.bundle.predicateType";

  public AttachmentFilter {
    referrerTypes = Set.copyOf(referrerTypes);
    predicateTypes = predicateTypes.map(Set::copyOf);
  }

  /** Every signature referrer type ({@link Attachments#SIGNATURE_REFERRER_TYPES}), every predicate type. */
  public static AttachmentFilter everything() {
    return new AttachmentFilter(Attachments.SIGNATURE_REFERRER_TYPES, Optional.empty());
  }

  /**
   * What verifying some requirements needs: with {@code signatures}, every signature format; the
   * attestations of these predicate types.
   */
  public static AttachmentFilter forRequirements(boolean signatures, Set<String> predicateTypes) {
    if (!signatures) {
      return new AttachmentFilter(Attachments.SIGSTORE_BUNDLE_TYPES, Optional.of(predicateTypes));
    }
    java.util.HashSet<String> wanted = new java.util.HashSet<>(predicateTypes);
    wanted.add(COSIGN_SIGN_PREDICATE);
    return new AttachmentFilter(Attachments.SIGNATURE_REFERRER_TYPES, Optional.of(wanted));
  }

  /** Whether an attachment that declares this predicate type (or none) is wanted. */
  boolean wantsPredicate(Optional<String> declared) {
    return declared.isEmpty() || predicateTypes.isEmpty() || predicateTypes.get().contains(declared.get());
  }
}
