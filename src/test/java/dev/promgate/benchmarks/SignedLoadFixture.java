package dev.promgate.benchmarks;

import dev.promgate.image.ImageReference;
import dev.promgate.json.Mappers;
import java.nio.file.Files;
import java.nio.file.Path;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The load test's cached path with real signatures: starts a local registry with the three images
 * of the benchmark pod review signed and promoted, writes a policy directory requiring that for
 * prod and the reviews (the ~6 KB one and the ~1 KB one) pointing at those digests, prints
 * {@code POLICIES=… REVIEW=… SMALL_REVIEW=…} and keeps the
 * registry running until its input closes. Used by {@code benchmarks/load.sh --signed}.
 */
public final class SignedLoadFixture {

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args[0]);
    try (SignedRegistry fixture = new SignedRegistry(work)) {
      ObjectMapper json = Mappers.JSON;
      ObjectNode review = (ObjectNode) json.readTree(BenchmarkSetup.podReview());
      ObjectNode small = (ObjectNode) json.readTree(BenchmarkSetup.smallPodReview());
      java.util.Map<String, String> signed = new java.util.HashMap<>();
      JsonNode spec = review.path("request").path("object").path("spec");
      for (String list : new String[] {"initContainers", "containers"}) {
        for (JsonNode container : spec.path(list)) {
          String name = container.path("name").asText();
          ImageReference image = fixture.pushPromoted("shop/" + name);
          signed.put(name, image.toString());
          ((ObjectNode) container).put("image", image.toString());
        }
      }
      // The small review runs the same three containers, so the same three digests.
      JsonNode smallSpec = small.path("request").path("object").path("spec");
      for (String list : new String[] {"initContainers", "containers"}) {
        for (JsonNode container : smallSpec.path(list)) {
          ((ObjectNode) container).put("image", signed.get(container.path("name").asText()));
        }
      }
      Path reviewFile = work.resolve("review.json");
      Files.write(reviewFile, json.writeValueAsBytes(review));
      Path smallFile = work.resolve("small-review.json");
      Files.write(smallFile, json.writeValueAsBytes(small));
      System.out.println("POLICIES=" + fixture.policies + " REVIEW=" + reviewFile + " SMALL_REVIEW=" + smallFile);
      System.out.flush();
      while (System.in.read() >= 0) {
        // keep the registry up until the caller closes our input
      }
    }
  }
}
