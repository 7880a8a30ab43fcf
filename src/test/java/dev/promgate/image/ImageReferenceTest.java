package dev.promgate.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The value type's own API: construction, derivation, accessors. */
class ImageReferenceTest {

  private static final Digest DIGEST = Digest.parse("sha256:" + "ab".repeat(32));

  @Test
  void accessorsOfAParsedReference() {
    ImageReference ref = ImageReference.parse("registry.acme.example/shop/web:1.4");
    assertEquals("registry.acme.example", ref.registry());
    assertEquals("shop/web", ref.repository());
    assertEquals("registry.acme.example/shop/web", ref.name());
    assertEquals("1.4", ref.tag());
    assertEquals("1.4", ref.tagOrLatest());
    assertNull(ref.digest());
    assertFalse(ref.isPinned());
    assertEquals("registry.acme.example/shop/web@" + DIGEST, ref.pinnedForm(DIGEST));
  }

  @Test
  void withDigestDropsTheTagAndWithTagDropsTheDigest() {
    ImageReference tagged = ImageReference.parse("nginx:1.25");
    ImageReference pinned = tagged.withDigest(DIGEST);
    assertEquals("docker.io/library/nginx@" + DIGEST, pinned.toString());
    assertTrue(pinned.isPinned());
    assertEquals("docker.io/library/nginx:1.27", pinned.withTag("1.27").toString());
  }

  @Test
  void withTagChecksTheTag() {
    ImageReference ref = ImageReference.parse("nginx");
    assertThrows(InvalidReferenceException.class, () -> ref.withTag(null));
    assertThrows(InvalidReferenceException.class, () -> ref.withTag(""));
    assertThrows(InvalidReferenceException.class, () -> ref.withTag("a".repeat(129)));
    InvalidReferenceException e = assertThrows(InvalidReferenceException.class, () -> ref.withTag("1.0 beta"));
    assertTrue(e.getMessage().contains("tag \"1.0 beta\" contains a space"), e.getMessage());
  }

  @Test
  void ofNormalisesLikeParse() {
    assertEquals(ImageReference.parse("nginx@" + DIGEST), ImageReference.of("docker.io", "nginx", DIGEST));
    assertEquals(ImageReference.parse("nginx@" + DIGEST), ImageReference.of("index.docker.io", "nginx", DIGEST));
    assertEquals(ImageReference.parse("registry.acme.example/shop/web@" + DIGEST),
        ImageReference.of("Registry.ACME.example", "shop/web", DIGEST));
    assertEquals("127.0.0.1:5000/web", ImageReference.of("127.0.0.1:5000", "web", null).toString());
  }

  @Test
  void ofRefusesWhatParseWouldRefuse() {
    assertRefused(() -> ImageReference.of("registry.acme.example", "Shop/web", DIGEST), "must be lowercase");
    assertRefused(() -> ImageReference.of("bad_host.example", "web", DIGEST), "is not a valid host name");
    assertRefused(() -> ImageReference.of("registry.acme.example", "", DIGEST), "the repository is missing");
    assertRefused(() -> ImageReference.of("", "web", DIGEST), "the registry is missing");
    assertRefused(() -> ImageReference.of(null, "web", DIGEST), "both required");
    assertRefused(() -> ImageReference.of("registry.acme.example:99999", "web", DIGEST), "out of range");
    assertRefused(() -> ImageReference.of("a".repeat(10_000) + ".example", "web", DIGEST), "over the limit of 255");
    // "shop" alone would print as a Docker Hub namespace and not read back as a registry.
    assertRefused(() -> ImageReference.of("shop", "web", DIGEST), "would be read as a repository path");
  }

  /** The canonical constructor accepts only the normalised form, so toString always parses back. */
  @Test
  void constructorAcceptsOnlyTheNormalisedForm() {
    assertRefused(() -> new ImageReference("index.docker.io", "library/nginx", null, null),
        "registry \"index.docker.io\" is not normalised; use \"docker.io\"");
    assertRefused(() -> new ImageReference("docker.io", "nginx", null, null),
        "Docker Hub repository \"nginx\" is not normalised; use \"library/nginx\"");
    assertRefused(() -> new ImageReference("Registry.example", "web", null, null),
        "is not normalised; use \"registry.example\"");
    assertRefused(() -> new ImageReference("registry.example", "web", "-x", null), "must not start with");
    assertRefused(() -> new ImageReference(null, "web", null, null), "the registry is missing");
    assertRefused(() -> new ImageReference("registry.example", null, null, null), "the repository is missing");
    ImageReference built = new ImageReference("registry.example", "web", "1", DIGEST);
    assertEquals(built, ImageReference.parse(built.toString()));
    // Uppercase-only registries are kept as written: lowercased they would read as a namespace.
    assertEquals("Docker/docker", new ImageReference("Docker", "docker", null, null).toString());
  }

  private static void assertRefused(Runnable action, String why) {
    InvalidReferenceException e = assertThrows(InvalidReferenceException.class, action::run);
    assertTrue(e.getMessage().contains(why), "expected <" + why + "> in: " + e.getMessage());
  }
}
