package dev.promgate.registry;

import java.util.HashSet;
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
 * <p>A part nobody needs is not even asked for: no {@code .sig} tag without a signature a cosign
 * or Sigstore authority checks, no {@code .att} tag without an attestation to check, no referrers
 * list without a referrer type to read.
 *
 * @param signatureTag   whether cosign's {@code sha256-<hex>.sig} is read
 * @param attestationTag whether cosign's {@code sha256-<hex>.att} is read
 * @param referrerTypes  the artifact types of the referrers to download
 * @param predicateTypes the predicate types wanted, or empty for all
 */
public record AttachmentFilter(boolean signatureTag, boolean attestationTag, Set<String> referrerTypes,
                               Optional<Set<String>> predicateTypes) {

  /** The predicate type cosign v3 gives image signatures stored as DSSE bundles. */
  public static final String COSIGN_SIGN_PREDICATE = "https://sigstore.dev/cosign/sign/v1";

  /** Layer annotation of cosign's {@code .att} layers; descriptor annotation of Sigstore bundle referrers. */
  static final String LAYER_PREDICATE = "predicateType";
  static final String BUNDLE_PREDICATE = "dev.sigstore.bundle.predicateType";

  public AttachmentFilter {
    referrerTypes = Set.copyOf(referrerTypes);
    predicateTypes = predicateTypes.map(Set::copyOf);
  }

  /** Both cosign tags, and referrers of these types. */
  public AttachmentFilter(Set<String> referrerTypes, Optional<Set<String>> predicateTypes) {
    this(true, true, referrerTypes, predicateTypes);
  }

  /** Every signature referrer type ({@link Attachments#SIGNATURE_REFERRER_TYPES}), every predicate type. */
  public static AttachmentFilter everything() {
    return new AttachmentFilter(Attachments.SIGNATURE_REFERRER_TYPES, Optional.empty());
  }

  /**
   * What verifying some requirements needs.
   *
   * @param sigstoreSignatures a signature by a key, keyless or certificate-chain authority: cosign's
   *                           {@code .sig} and Sigstore bundles (cosign v3 signs into bundles)
   * @param notationSignatures a signature by a Notation authority: Notation signature referrers
   * @param predicateTypes     the attestations wanted: cosign's {@code .att} and Sigstore bundles of
   *                           these predicate types
   */
  public static AttachmentFilter forRequirements(boolean sigstoreSignatures, boolean notationSignatures,
                                                 Set<String> predicateTypes) {
    Set<String> referrers = new HashSet<>();
    if (sigstoreSignatures || !predicateTypes.isEmpty()) {
      referrers.addAll(Attachments.SIGSTORE_BUNDLE_TYPES);
    }
    if (notationSignatures) {
      referrers.add(Attachments.NOTATION_SIGNATURE);
    }
    Set<String> wanted = new HashSet<>(predicateTypes);
    if (sigstoreSignatures) {
      wanted.add(COSIGN_SIGN_PREDICATE);
    }
    return new AttachmentFilter(sigstoreSignatures, !predicateTypes.isEmpty(), referrers, Optional.of(wanted));
  }

  /** Whether the referrers are listed at all. */
  boolean readsReferrers() {
    return !referrerTypes.isEmpty();
  }

  /** Whether an attachment that declares this predicate type (or none) is wanted. */
  boolean wantsPredicate(Optional<String> declared) {
    return declared.isEmpty() || predicateTypes.isEmpty() || predicateTypes.get().contains(declared.get());
  }
}
