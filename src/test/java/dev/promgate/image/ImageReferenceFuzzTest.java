package dev.promgate.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.promgate.testing.FuzzSeeds;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzzes the image reference grammar. Invariants: an input either parses or fails with an
 * {@link InvalidReferenceException} whose message stays short; what parses is at most
 * {@link ImageReference#MAX_LENGTH} characters, prints back to an equal value, is pinned exactly
 * when a plain reading finds {@code @algorithm:hex} at its end, and names the registry a plain
 * reading of its first path element names; the parse cache agrees with the parser.
 */
class ImageReferenceFuzzTest {

  private static final Pattern PLAIN_DIGEST = Pattern.compile(".*@sha(256|384|512):[0-9a-f]+");
  private static final ParsedReferences CACHE = new ParsedReferences(64 * 1024);

  @FuzzTest(maxDuration = "30s")
  void imageReference(byte[] input) {
    check(input);
  }

  static Stream<Arguments> seeds() {
    return FuzzSeeds.of(List.of(Path.of("src/test/resources/fuzz/image-references")), List.of());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("seeds")
  void seedCorpus(String name, byte[] input) {
    check(input);
  }

  static void check(byte[] input) {
    String image = new String(input, StandardCharsets.UTF_8);
    ImageReference ref;
    try {
      ref = ImageReference.parse(image);
    } catch (InvalidReferenceException e) {
      assertNotNull(e.reason());
      assertTrue(e.getMessage().length() < 2_000, "message of " + e.getMessage().length() + " characters");
      try {
        CACHE.parse(image);
      } catch (InvalidReferenceException expected) {
        return;
      }
      throw new AssertionError("the cache parsed what the parser refused: " + image);
    }
    assertTrue(image.length() <= ImageReference.MAX_LENGTH, image.length() + " characters parsed");
    assertEquals(ref, ImageReference.parse(ref.toString()));
    assertEquals(ref, CACHE.parse(image));
    assertEquals(PLAIN_DIGEST.matcher(image).matches(), ref.isPinned(), image);
    int slash = image.indexOf('/');
    String first = slash < 0 ? "" : image.substring(0, slash);
    boolean plainHost = first.contains(".") || first.contains(":") || first.equals("localhost")
        || !first.toLowerCase(java.util.Locale.ROOT).equals(first);
    String plainRegistry = plainHost ? first.toLowerCase(java.util.Locale.ROOT) : "docker.io";
    if (plainRegistry.equals("index.docker.io")) {
      plainRegistry = "docker.io";
    }
    assertEquals(plainRegistry, ref.registry(), image);
  }
}
