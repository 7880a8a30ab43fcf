package dev.promgate.judgement;

import dev.promgate.image.Digest;
import dev.promgate.image.ImageReference;
import io.vertx.core.Future;
import java.time.Instant;

/** Resolves a tag to the digest it points at now, for the "pin it as" hint of a tag denial. */
@FunctionalInterface
public interface TagResolver {

  Future<Digest> resolve(ImageReference tagged, Instant deadline);

  /** For offline use: never resolves, so denials go out without the hint. */
  TagResolver NONE = (tagged, deadline) -> Future.failedFuture("tag resolution disabled");
}
