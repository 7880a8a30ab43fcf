package dev.promgate.verification;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything fetched for one image digest that may carry a signature or an attestation, as raw
 * bytes grouped by what it claims to be: the registry's {@link dev.promgate.registry.Attachments},
 * regrouped for checking ({@link RegistryVerifier#adapt}). Nothing here is trusted yet.
 *
 * <p>The byte arrays are not copied; do not change them after handing them over. Records with
 * arrays compare by identity.
 *
 * @param signatures   the layers of the cosign {@code sha256-<hex>.sig} manifest
 * @param attestations the layers of the cosign {@code sha256-<hex>.att} manifest
 * @param bundles      Sigstore bundles found through referrers (API or tag schema)
 * @param notations    Notary Project signatures found through referrers
 * @param notationsNotRead Notary Project signatures listed among the referrers but not downloaded,
 *                         since no authority the requirements name reads them (a denial says so)
 */
public record SignedContent(List<SignatureLayer> signatures, List<AttestationLayer> attestations,
                            List<SigstoreBundle> bundles, List<NotationSignature> notations,
                            int notationsNotRead) {

  public SignedContent {
    signatures = List.copyOf(signatures);
    attestations = List.copyOf(attestations);
    bundles = List.copyOf(bundles);
    notations = List.copyOf(notations);
  }

  /** Everything listed was read. */
  public SignedContent(List<SignatureLayer> signatures, List<AttestationLayer> attestations,
                       List<SigstoreBundle> bundles, List<NotationSignature> notations) {
    this(signatures, attestations, bundles, notations, 0);
  }

  /** Cosign signatures and attestations and Sigstore bundles, no Notation signatures. */
  public SignedContent(List<SignatureLayer> signatures, List<AttestationLayer> attestations,
                       List<SigstoreBundle> bundles) {
    this(signatures, attestations, bundles, List.of());
  }

  /** Nothing found: the image is unsigned. */
  public static SignedContent none() {
    return new SignedContent(List.of(), List.of(), List.of(), List.of());
  }

  public boolean isEmpty() {
    return signatures.isEmpty() && attestations.isEmpty() && bundles.isEmpty() && notations.isEmpty();
  }

  /**
   * One Notary Project signature envelope, the layer of a referrer of artifact type
   * {@code application/vnd.cncf.notary.signature}.
   *
   * @param source            where it was found, e.g. {@code registry.acme.example/shop/web@sha256:… (referrer)}
   * @param envelopeMediaType the layer's media type: {@code application/jose+json} or {@code application/cose}
   * @param envelope          the envelope bytes
   * @param imageMediaType    the admitted manifest's media type, which the signature must name; null if unknown
   * @param imageSize         the admitted manifest's size in bytes, which the signature must name; -1 if unknown
   */
  public record NotationSignature(String source, String envelopeMediaType, byte[] envelope,
                                  String imageMediaType, long imageSize) {
    public NotationSignature {
      Objects.requireNonNull(source, "source");
      Objects.requireNonNull(envelope, "envelope");
    }
  }

  /**
   * One cosign signature layer.
   *
   * @param source      where it was found, for messages, e.g. {@code registry.acme.example/shop/web:sha256-ab12….sig layer 0}
   * @param mediaType   the layer's media type ({@code application/vnd.dev.cosign.simplesigning.v1+json}); null if unknown
   * @param payload     the layer blob: the simple-signing JSON, exactly the signed bytes
   * @param annotations the layer annotations: {@code dev.cosignproject.cosign/signature} (base64), and for
   *                    keyless signatures {@code dev.sigstore.cosign/certificate}, {@code …/chain}, {@code …/bundle}
   */
  public record SignatureLayer(String source, String mediaType, byte[] payload, Map<String, String> annotations) {
    public SignatureLayer {
      Objects.requireNonNull(source, "source");
      Objects.requireNonNull(payload, "payload");
      annotations = Map.copyOf(annotations);
    }
  }

  /**
   * One cosign attestation layer.
   *
   * @param source      where it was found, e.g. {@code registry.acme.example/shop/web:sha256-ab12….att layer 1}
   * @param mediaType   the layer's media type ({@code application/vnd.dsse.envelope.v1+json}); null if unknown
   * @param envelope    the layer blob: a DSSE envelope (JSON)
   * @param annotations the layer annotations (certificate, chain and Rekor bundle when keyless)
   */
  public record AttestationLayer(String source, String mediaType, byte[] envelope, Map<String, String> annotations) {
    public AttestationLayer {
      Objects.requireNonNull(source, "source");
      Objects.requireNonNull(envelope, "envelope");
      annotations = Map.copyOf(annotations);
    }
  }

  /**
   * One Sigstore bundle.
   *
   * @param source    where it was found, e.g. {@code registry.acme.example/shop/web@sha256:… (referrer)}
   * @param mediaType the referrer's artifact type or layer media type as found; informational only, the
   *                  bundle's own {@code mediaType} field decides its version
   * @param json      the bundle JSON
   */
  public record SigstoreBundle(String source, String mediaType, byte[] json) {
    public SigstoreBundle {
      Objects.requireNonNull(source, "source");
      Objects.requireNonNull(json, "json");
    }
  }
}
