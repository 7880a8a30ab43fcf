package dev.promgate.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ParsedReferencesTest {

  private static final String DIGEST = "sha256:" + "0123456789abcdef".repeat(4);

  @Test
  void theLongestValidReferenceIsExactlyMaxLength() {
    String name = "registry.example/" + "a".repeat(255 - "registry.example/".length());
    String longest = name + ":" + "t".repeat(128) + "@sha512:" + "f".repeat(128);
    assertEquals(ImageReference.MAX_LENGTH, longest.length());
    assertEquals(name, ImageReference.parse(longest).name());
  }

  @Test
  void aValidReferenceIsParsedOnceAndReused() {
    ParsedReferences refs = new ParsedReferences();
    ImageReference first = refs.parse("registry.example/shop/web@" + DIGEST);
    assertSame(first, refs.parse("registry.example/shop/web@" + DIGEST));
    assertEquals(ParsedReferences.weight("registry.example/shop/web@" + DIGEST), refs.weight());
  }

  @Test
  void parseFailuresAreNotKept() {
    ParsedReferences refs = new ParsedReferences();
    for (int i = 0; i < 1_000; i++) {
      int n = i;
      assertThrows(InvalidReferenceException.class, () -> refs.parse("registry.example/Shop" + n + "/web"));
    }
    assertThrows(InvalidReferenceException.class, () -> refs.parse("a".repeat(ImageReference.MAX_LENGTH + 1)));
    assertEquals(0, refs.weight());
  }

  @Test
  void theCacheIsWeighedByCharactersAndStaysUnderItsCap() {
    long cap = 64 * 1024;
    ParsedReferences refs = new ParsedReferences(cap);
    String longName = "registry.example/" + "a".repeat(200);
    for (int i = 0; i < 5_000; i++) {
      ImageReference ref = refs.parse(longName + ":" + "t".repeat(100) + i + "@" + DIGEST);
      assertEquals(longName, ref.name());
    }
    assertTrue(refs.weight() <= cap, "weight " + refs.weight() + " over the cap " + cap);
    assertTrue(refs.weight() > cap / 2, "the cache keeps what fits: " + refs.weight());
  }

  @Test
  void aCapBelowOneIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new ParsedReferences(0));
  }
}
