package dev.promgate.verification;

import dev.promgate.policy.Authority;
import dev.promgate.policy.NotationAuthority;
import dev.promgate.registry.AttachmentFilter;
import dev.promgate.registry.RegistryClient;
import dev.promgate.verdict.FailureBoundary;
import dev.promgate.verdict.Verdict;
import dev.promgate.verdict.VerificationRequest;
import dev.promgate.verdict.Verifier;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The verifier the webhook runs: reads everything attached to the digest from its registry (one
 * batched, parallel read: {@code .sig}, {@code .att}, referrers), then checks it against the
 * requirements on the {@value #POOL} worker pool — never on an event loop.
 *
 * <p>A registry failure is a verdict: "no such image" (or a registry outside the allow-list)
 * rejects; everything else — unreachable, timeout, credentials refused, rate limited, a lying or
 * oversized answer — is Unverifiable, never "unsigned". Whatever happens, the answer comes by the
 * deadline.
 */
public final class RegistryVerifier implements Verifier {

  /** The named worker pool that runs signature verification. */
  public static final String POOL = "promgate-verification";

  private final Vertx vertx;
  private final Supplier<RegistryClient> registry;
  private final RequirementsEvaluator evaluator;
  private final WorkerExecutor workers;
  private final Clock clock;

  /** @param threads size of the verification worker pool */
  public RegistryVerifier(Vertx vertx, RegistryClient registry, Clock clock, int threads) {
    this(vertx, () -> registry, clock, threads);
  }

  /**
   * @param registry the client to use for each verification (it may be replaced after a policy reload)
   * @param threads  size of the verification worker pool
   */
  public RegistryVerifier(Vertx vertx, Supplier<RegistryClient> registry, Clock clock, int threads) {
    this.vertx = vertx;
    this.registry = registry;
    this.clock = clock;
    this.evaluator = new RequirementsEvaluator(clock);
    this.workers = vertx.createSharedWorkerExecutor(POOL, threads, 30, TimeUnit.SECONDS);
  }

  @Override
  public Future<Verdict> verify(VerificationRequest request, Instant deadline) {
    long left = Duration.between(clock.instant(), deadline).toMillis();
    if (left <= 0) {
      return Future.succeededFuture(timeout(request));
    }
    Promise<Verdict> answer = Promise.promise();
    long timer = vertx.setTimer(left, id -> answer.tryComplete(timeout(request)));
    FailureBoundary.guard(request.image(), () -> registry.get().attachments(request.image(), filter(request), deadline)
            .compose(found -> workers.<Verdict>executeBlocking(() -> missingContent(found,
                evaluator.evaluate(request, adapt(found))), false)))
        .onSuccess(verdict -> {
          vertx.cancelTimer(timer);
          answer.tryComplete(verdict);
        });
    return answer.future();
  }

  /**
   * What the requirements can use: the signature formats their signature authorities read (cosign
   * and Sigstore bundles for key, keyless and certificate-chain authorities; Notation signatures
   * for Notation authorities), and the attestations of the predicate types they name (promotions,
   * attestation rules). Anything else attached is not downloaded and does not count towards
   * {@code maxAttachments}.
   */
  static AttachmentFilter filter(VerificationRequest request) {
    boolean sigstore = false;
    boolean notation = false;
    Set<String> predicateTypes = new HashSet<>();
    for (VerificationRequest.PolicyRules policy : request.rules()) {
      for (Authority authority : policy.rules().signatures()) {
        if (authority instanceof NotationAuthority) {
          notation = true;
        } else {
          sigstore = true;
        }
      }
      if (!policy.rules().promotions().isEmpty()) {
        predicateTypes.add(Promotion.PREDICATE_TYPE);
      }
      policy.rules().attestations().forEach(a -> predicateTypes.add(a.predicateType()));
    }
    return AttachmentFilter.forRequirements(sigstore, notation, predicateTypes);
  }

  /** Releases the worker pool. */
  public void close() {
    workers.close();
  }

  /**
   * A rejection is only sound if everything the registry listed could be read: a signature layer
   * it lists but does not serve (a storage or CDN hiccup) means promgate could not check, not
   * that the image is unsigned.
   */
  static Verdict missingContent(dev.promgate.registry.Attachments found, Verdict verdict) {
    if (verdict instanceof Verdict.Rejected && !found.unavailable().isEmpty()) {
      return new Verdict.Unverifiable(Verdict.Unverifiable.Category.UNAVAILABLE, "the registry lists content it does not serve ("
          + found.unavailable().stream().map(Object::toString).collect(java.util.stream.Collectors.joining("; "))
          + "), and without it the requirements do not hold: " + verdict);
    }
    return verdict;
  }

  private static Verdict timeout(VerificationRequest request) {
    return new Verdict.Unverifiable(Verdict.Unverifiable.Category.TIMEOUT, "verifying " + request.image()
        + " did not finish within the time budget (GateConfig spec.timeouts.verification)");
  }

  /** The registry's raw findings in the shape the evaluator reads; sources name where each came from. */
  public static SignedContent adapt(dev.promgate.registry.Attachments found) {
    List<SignedContent.SignatureLayer> signatures = new ArrayList<>();
    List<SignedContent.AttestationLayer> attestations = new ArrayList<>();
    List<SignedContent.SigstoreBundle> bundles = new ArrayList<>();
    List<SignedContent.NotationSignature> notations = new ArrayList<>();
    String imageMediaType = found.imageManifest().map(m -> m.mediaType()).orElse(null);
    long imageSize = found.imageManifest().map(m -> (long) m.size()).orElse(-1L);
    found.signatures().ifPresent(artifact -> {
      for (int i = 0; i < artifact.layers().size(); i++) {
        var layer = artifact.layers().get(i);
        signatures.add(new SignedContent.SignatureLayer(artifact.source() + " layer " + i, layer.mediaType(),
            layer.content(), layer.descriptor().annotations()));
      }
    });
    found.attestations().ifPresent(artifact -> {
      for (int i = 0; i < artifact.layers().size(); i++) {
        var layer = artifact.layers().get(i);
        attestations.add(new SignedContent.AttestationLayer(artifact.source() + " layer " + i, layer.mediaType(),
            layer.content(), layer.descriptor().annotations()));
      }
    });
    for (var artifact : found.referrers()) {
      if (artifact.artifactType().filter(NotationAuthority.ARTIFACT_TYPE::equals).isPresent()) {
        for (var layer : artifact.layers()) {
          notations.add(new SignedContent.NotationSignature(artifact.source(), layer.mediaType(), layer.content(),
              imageMediaType, imageSize));
        }
        continue;
      }
      for (var layer : artifact.layers()) {
        bundles.add(new SignedContent.SigstoreBundle(artifact.source(),
            artifact.artifactType().orElse(layer.mediaType()), layer.content()));
      }
    }
    int notationsNotRead = (int) found.otherReferrers().stream()
        .filter(d -> d.artifactType().filter(NotationAuthority.ARTIFACT_TYPE::equals).isPresent()).count();
    return new SignedContent(signatures, attestations, bundles, notations, notationsNotRead);
  }
}
