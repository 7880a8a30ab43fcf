package dev.promgate.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The test vectors of distribution's reference package (github.com/distribution/reference:
 * reference_test.go, normalize_test.go, regexp_test.go; Apache License 2.0), transcribed as data.
 * Each method names the upstream test it comes from.
 *
 * <p>The expectations are promgate's, and differ from upstream on purpose where marked
 * "Difference:". The recurring ones:
 * <ul>
 *   <li>Normalisation is always applied, as distribution's {@code ParseNormalizedNamed} (the parser
 *       container runtimes use) does and its plain {@code Parse} does not: a first element without
 *       '.', ':' or uppercase is a Docker Hub namespace, not a registry; one-element Docker Hub
 *       names get {@code library/}; {@code index.docker.io} becomes {@code docker.io}; the 255
 *       character limit counts the normalised name.
 *   <li>Digests must be sha256/sha384/sha512 with the exact hex length, lowercase; distribution's
 *       grammar accepts any {@code algorithm:hex{32,}}.
 *   <li>Ports must be 1-65535 and IPv6 literals real addresses; distribution checks characters only.
 *   <li>Registry hosts are lowercased unless that would stop them reading as hosts.
 *   <li>No implicit {@code :latest}; a tag written beside a digest is kept (the digest governs).
 * </ul>
 */
class DistributionVectorsTest {

  private static final String F64 = "f".repeat(64);
  private static final String SHA256_F = "sha256:" + F64;
  private static final String SHA512_F = "sha512:" + "f".repeat(128);

  /** A vector that must parse; {@code normalised} is the expected {@code toString()}. */
  static Arguments ok(String input, String normalised) {
    return Arguments.of(input, normalised, null);
  }

  /** A vector that must be refused with a message containing {@code why}. */
  static Arguments bad(String input, String why) {
    return Arguments.of(input, null, why);
  }

  static void check(String input, String normalised, String why) {
    if (normalised != null) {
      ImageReference parsed = ImageReference.parse(input);
      assertEquals(normalised, parsed.toString(), "normalised form of " + input);
      assertEquals(parsed, ImageReference.parse(parsed.toString()), "round trip of " + input);
    } else {
      InvalidReferenceException e =
          assertThrows(InvalidReferenceException.class, () -> ImageReference.parse(input), input);
      assertTrue(e.getMessage().contains(why),
          "message for " + input + " should contain <" + why + "> but was: " + e.getMessage());
    }
  }

  // ---------------------------------------------------------------- reference_test.go

  static Stream<Arguments> referenceParse() {
    return Stream.of(
        ok("test_com", "docker.io/library/test_com"),
        ok("test.com:tag", "docker.io/library/test.com:tag"),
        ok("test.com:5000", "docker.io/library/test.com:5000"),
        ok("test.com/repo:tag", "test.com/repo:tag"),
        ok("test:5000/repo", "test:5000/repo"),
        ok("test:5000/repo:tag", "test:5000/repo:tag"),
        ok("test:5000/repo@" + SHA256_F, "test:5000/repo@" + SHA256_F),
        ok("test:5000/repo:tag@" + SHA256_F, "test:5000/repo:tag@" + SHA256_F),
        bad("", "image reference is empty"),
        bad(":justtag", "repository name before ':' is missing"),
        bad("@" + SHA256_F, "repository name before '@' is missing"),
        bad("repo@sha256:" + "f".repeat(34), "sha256 needs 64 hex characters, found 34"),
        bad("validname@invaliddigest:" + F64, "unsupported algorithm \"invaliddigest\""),
        bad("Uppercase:tag", "repository path \"Uppercase\" must be lowercase"),
        // Upstream FIXME (commented out there): "Uppercase" reads as a registry host, so this
        // parses, in distribution as here.
        ok("Uppercase/lowercase:tag", "Uppercase/lowercase:tag"),
        bad("test:5000/Uppercase/lowercase:tag", "repository path \"Uppercase/lowercase\" must be lowercase"),
        ok("lowercase:Uppercase", "docker.io/library/lowercase:Uppercase"),
        bad("a/".repeat(128) + "a:tag", "over the limit of 255"),
        // Difference: upstream Parse reads the first "a" as a registry, giving a 255-character
        // name; normalised, "a" is a Docker Hub namespace and the name becomes 265 characters.
        bad("a/".repeat(127) + "a:tag-puts-this-over-max", "265 characters long, over the limit of 255"),
        bad("aa/asdf$$^/aa", "repository path component \"asdf$$^\" is not valid"),
        ok("sub-dom1.foo.com/bar/baz/quux", "sub-dom1.foo.com/bar/baz/quux"),
        ok("sub-dom1.foo.com/bar/baz/quux:some-long-tag", "sub-dom1.foo.com/bar/baz/quux:some-long-tag"),
        ok("b.gcr.io/test.example.com/my-app:test.example.com", "b.gcr.io/test.example.com/my-app:test.example.com"),
        ok("xn--n3h.com/myimage:xn--n3h.com", "xn--n3h.com/myimage:xn--n3h.com"),
        ok("xn--7o8h.com/myimage:xn--7o8h.com@" + SHA512_F, "xn--7o8h.com/myimage:xn--7o8h.com@" + SHA512_F),
        ok("foo_bar.com:8080", "docker.io/library/foo_bar.com:8080"),
        // Upstream Parse says registry "foo"; normalised, "foo" is a Docker Hub namespace.
        ok("foo/foo_bar.com:8080", "docker.io/foo/foo_bar.com:8080"),
        ok("192.168.1.1", "docker.io/library/192.168.1.1"),
        ok("192.168.1.1:tag", "docker.io/library/192.168.1.1:tag"),
        ok("192.168.1.1:5000", "docker.io/library/192.168.1.1:5000"),
        ok("192.168.1.1/repo", "192.168.1.1/repo"),
        ok("192.168.1.1:5000/repo", "192.168.1.1:5000/repo"),
        ok("192.168.1.1:5000/repo:5050", "192.168.1.1:5000/repo:5050"),
        bad("[2001:db8::1]", "IPv6 registry must be followed by a repository path"),
        bad("[2001:db8::1]:5000", "IPv6 registry must be followed by a repository path"),
        bad("[2001:db8::1]:tag", "IPv6 registry must be followed by a repository path"),
        ok("[2001:db8::1]/repo", "[2001:db8::1]/repo"),
        ok("[2001:db8:1:2:3:4:5:6]/repo:tag", "[2001:db8:1:2:3:4:5:6]/repo:tag"),
        ok("[2001:db8::1]:5000/repo", "[2001:db8::1]:5000/repo"),
        ok("[2001:db8::1]:5000/repo:tag", "[2001:db8::1]:5000/repo:tag"),
        ok("[2001:db8::1]:5000/repo@" + SHA256_F, "[2001:db8::1]:5000/repo@" + SHA256_F),
        ok("[2001:db8::1]:5000/repo:tag@" + SHA256_F, "[2001:db8::1]:5000/repo:tag@" + SHA256_F),
        ok("[2001:db8::]:5000/repo", "[2001:db8::]:5000/repo"),
        ok("[::1]:5000/repo", "[::1]:5000/repo"),
        bad("[fe80::1%eth0]:5000/repo", "is not a valid IPv6 address"),
        // The '@' ends the name before the zone, leaving a bracket without a path.
        bad("[fe80::1%@invalidzone]:5000/repo", "IPv6 registry must be followed by a repository path"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource
  void referenceParse(String input, String normalised, String why) {
    check(input, normalised, why);
  }

  /** TestWithNameFailure: names WithName refuses. */
  static Stream<Arguments> withNameFailure() {
    return Stream.of(
        bad("", "empty"),
        bad(":justtag", "repository name before ':' is missing"),
        bad("@" + SHA256_F, "repository name before '@' is missing"),
        // WithName refuses any digest; parse accepts sha256, so only the unsupported one fails.
        bad("validname@invaliddigest:" + F64, "unsupported algorithm"),
        bad("a/".repeat(128) + "a:tag", "over the limit of 255"),
        bad("aa/asdf$$^/aa", "not valid"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource
  void withNameFailure(String input, String normalised, String why) {
    check(input, normalised, why);
  }

  /** TestDomainAndPath and TestParseNamed, with promgate's normalisation. */
  static Stream<Arguments> domainAndPath() {
    return Stream.of(
        ok("test.com/foo", "test.com/foo"),
        ok("test_com/foo", "docker.io/test_com/foo"),
        ok("test:8080/foo", "test:8080/foo"),
        ok("test.com:8080/foo", "test.com:8080/foo"),
        ok("test-com:8080/foo", "test-com:8080/foo"),
        ok("xn--n3h.com:18080/foo", "xn--n3h.com:18080/foo"),
        // TestParseNamed refuses these as "not canonical"; promgate always normalises them.
        ok("test.com", "docker.io/library/test.com"),
        ok("foo", "docker.io/library/foo"),
        ok("library/foo", "docker.io/library/foo"),
        ok("docker.io/library/foo", "docker.io/library/foo"),
        ok("docker.io/foo", "docker.io/library/foo"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource
  void domainAndPath(String input, String normalised, String why) {
    check(input, normalised, why);
  }

  /** TestSerialization's inputs (the JSON wrapping is Go-specific). */
  static Stream<Arguments> serialization() {
    return Stream.of(
        bad("", "empty"),
        ok("example.com:8000/named", "example.com:8000/named"),
        ok("example.com:8000/named:tagged", "example.com:8000/named:tagged"),
        ok("other.com/named@sha256:1234567890098765432112345667890098765432112345667890098765432112",
            "other.com/named@sha256:1234567890098765432112345667890098765432112345667890098765432112"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource
  void serialization(String input, String normalised, String why) {
    check(input, normalised, why);
  }

  /** TestWithTag: name, tag, combined. */
  static Stream<Arguments> withTag() {
    return Stream.of(
        Arguments.of("test.com/foo", "tag", "test.com/foo:tag"),
        Arguments.of("foo", "tag2", "docker.io/library/foo:tag2"),
        Arguments.of("test.com:8000/foo", "tag4", "test.com:8000/foo:tag4"),
        Arguments.of("test.com:8000/foo", "TAG5", "test.com:8000/foo:TAG5"));
  }

  @ParameterizedTest(name = "{0} + {1}")
  @MethodSource
  void withTag(String name, String tag, String combined) {
    assertEquals(combined, ImageReference.parse(name).withTag(tag).toString());
  }

  /**
   * TestWithTag's and TestWithDigest's digest cases all use a 37-hex-character sha256.
   * Difference: distribution accepts it, promgate refuses it.
   */
  @Test
  void withDigestShortSha256IsRefused() {
    String shortDigest = "sha256:1234567890098765432112345667890098765";
    InvalidReferenceException e =
        assertThrows(InvalidReferenceException.class, () -> Digest.parse(shortDigest));
    assertTrue(e.getMessage().contains("sha256 needs 64 hex characters, found 37"), e.getMessage());
    for (String combined : new String[] {
        "test.com:8000/foo:TAG5@" + shortDigest,
        "test.com/foo@" + shortDigest,
        "foo@" + shortDigest,
        "test.com:8000/foo@" + shortDigest,
        "test.com:8000/foo:latest@" + shortDigest}) {
      check(combined, null, "found 37");
    }
  }

  /** TestWithDigest with full-length digests: the combinations themselves. */
  @Test
  void withDigest() {
    Digest digest = Digest.parse(SHA256_F);
    assertEquals("test.com/foo@" + SHA256_F, ImageReference.parse("test.com/foo").withDigest(digest).toString());
    assertEquals("docker.io/library/foo@" + SHA256_F, ImageReference.parse("foo").withDigest(digest).toString());
    assertEquals("test.com:8000/foo@" + SHA256_F,
        ImageReference.parse("test.com:8000/foo:latest").withDigest(digest).toString());
  }

  // ---------------------------------------------------------------- normalize_test.go

  static Stream<String> validReferenceNames() {
    return Stream.of(
        "docker/docker",
        "library/debian",
        "debian",
        "docker.io/docker/docker",
        "docker.io/library/debian",
        "docker.io/debian",
        "index.docker.io/docker/docker",
        "index.docker.io/library/debian",
        "index.docker.io/debian",
        "127.0.0.1:5000/docker/docker",
        "127.0.0.1:5000/library/debian",
        "127.0.0.1:5000/debian",
        "192.168.0.1",
        "192.168.0.1:80",
        "192.168.0.1:8/debian",
        "192.168.0.2:25000/debian",
        "thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev",
        "[fc00::1]:5000/docker",
        "[fc00::1]:5000/docker/docker",
        "[fc00:1:2:3:4:5:6:7]:5000/library/debian",
        "docker.io/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a",
        "Docker/docker",
        "DOCKER/docker");
  }

  /** TestValidateReferenceName, valid names. */
  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("validReferenceNames")
  void validateReferenceNameValid(String name) {
    ImageReference parsed = ImageReference.parse(name);
    assertEquals(parsed, ImageReference.parse(parsed.toString()));
  }

  static Stream<Arguments> invalidReferenceNames() {
    return Stream.of(
        bad("https://github.com/docker/docker", "no URL scheme"),
        bad("docker/Docker", "must be lowercase"),
        bad("-docker", "\"-docker\" is not valid"),
        bad("-docker/docker", "\"-docker\" is not valid"),
        bad("-docker.io/docker/docker", "registry host \"-docker.io\" is not a valid host name"),
        bad("docker///docker", "has an empty component"),
        bad("docker.io/docker/Docker", "must be lowercase"),
        bad("docker.io/docker///docker", "has an empty component"),
        bad("[fc00::1]", "IPv6 registry must be followed by a repository path"),
        bad("[fc00::1]:5000", "IPv6 registry must be followed by a repository path"),
        bad("fc00::1:5000/debian", "looks like an IPv6 address; write it in brackets"),
        bad("[fe80::1%eth0]:5000/debian", "not a valid IPv6 address"),
        bad("[2001:db8:3:4::192.0.2.33]:5000/debian", "not a valid IPv6 address"),
        bad("1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a", "image ID"));
  }

  /** TestValidateReferenceName, invalid names. */
  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("invalidReferenceNames")
  void validateReferenceNameInvalid(String input, String normalised, String why) {
    check(input, normalised, why);
  }

  /** TestValidateRemoteName. */
  static Stream<Arguments> validateRemoteName() {
    return Stream.of(
        ok("docker/docker", "docker.io/docker/docker"),
        ok("thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev",
            "docker.io/library/thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev"),
        ok("docker-rules/docker", "docker.io/docker-rules/docker"),
        ok("docker---rules/docker", "docker.io/docker---rules/docker"),
        ok("doc/docker", "docker.io/doc/docker"),
        ok("d/docker", "docker.io/d/docker"),
        ok("jess/t", "docker.io/jess/t"),
        ok("dock__er/docker", "docker.io/dock__er/docker"),
        bad("docker/Docker", "must be lowercase"),
        bad("docker///docker", "empty component"),
        bad("1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a", "image ID"),
        bad("-docker/docker", "\"-docker\" is not valid"),
        bad("docker-/docker", "\"docker-\" is not valid"),
        bad("-docker-/docker", "\"-docker-\" is not valid"),
        bad("____/____", "\"____\" is not valid"),
        bad("_docker/_docker", "\"_docker\" is not valid"),
        // A first element with a '.' is read as a registry host (distribution's splitDockerDomain).
        bad("dock..er/docker", "registry host \"dock..er\" is not a valid host name"),
        bad("dock_.er/docker", "registry host \"dock_.er\" is not a valid host name"),
        bad("dock-.er/docker", "registry host \"dock-.er\" is not a valid host name"),
        bad("docker/", "empty component"),
        bad("this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255/docker",
            "over the limit of 255"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource
  void validateRemoteName(String input, String normalised, String why) {
    check(input, normalised, why);
  }

  /**
   * TestParseRepositoryInfo: every spelling (familiar, full, ambiguous) of a repository parses to
   * the full name, with this registry and remote name.
   */
  static Stream<Arguments> parseRepositoryInfo() {
    return Stream.of(
        repositoryInfo("fooo/bar", "fooo/bar", "docker.io/fooo/bar", "index.docker.io/fooo/bar", "docker.io"),
        repositoryInfo("library/ubuntu", "ubuntu", "docker.io/library/ubuntu", "library/ubuntu", "docker.io"),
        repositoryInfo("nonlibrary/ubuntu", "nonlibrary/ubuntu", "docker.io/nonlibrary/ubuntu", "", "docker.io"),
        repositoryInfo("other/library", "other/library", "docker.io/other/library", "", "docker.io"),
        repositoryInfo("private/moonbase", "127.0.0.1:8000/private/moonbase", "127.0.0.1:8000/private/moonbase", "", "127.0.0.1:8000"),
        repositoryInfo("privatebase", "127.0.0.1:8000/privatebase", "127.0.0.1:8000/privatebase", "", "127.0.0.1:8000"),
        repositoryInfo("private/moonbase", "example.com/private/moonbase", "example.com/private/moonbase", "", "example.com"),
        repositoryInfo("privatebase", "example.com/privatebase", "example.com/privatebase", "", "example.com"),
        repositoryInfo("private/moonbase", "example.com:8000/private/moonbase", "example.com:8000/private/moonbase", "", "example.com:8000"),
        repositoryInfo("privatebasee", "example.com:8000/privatebasee", "example.com:8000/privatebasee", "", "example.com:8000"),
        repositoryInfo("library/ubuntu-12.04-base", "ubuntu-12.04-base", "docker.io/library/ubuntu-12.04-base", "index.docker.io/library/ubuntu-12.04-base", "docker.io"),
        repositoryInfo("library/foo", "foo", "docker.io/library/foo", "docker.io/foo", "docker.io"),
        repositoryInfo("library/foo/bar", "library/foo/bar", "docker.io/library/foo/bar", "", "docker.io"),
        repositoryInfo("store/foo/bar", "store/foo/bar", "docker.io/store/foo/bar", "", "docker.io"),
        // Uppercase marks these as registry hosts; lowercasing would not, so they stay as written.
        repositoryInfo("bar", "Foo/bar", "Foo/bar", "", "Foo"),
        repositoryInfo("bar", "FOO/bar", "FOO/bar", "", "FOO"));
  }

  static Arguments repositoryInfo(String remote, String familiar, String full, String ambiguous, String domain) {
    return Arguments.of(remote, familiar, full, ambiguous, domain);
  }

  @ParameterizedTest(name = "{2}")
  @MethodSource
  void parseRepositoryInfo(String remote, String familiar, String full, String ambiguous, String domain) {
    for (String spelling : new String[] {familiar, full, ambiguous}) {
      if (spelling.isEmpty()) {
        continue;
      }
      ImageReference parsed = ImageReference.parse(spelling);
      assertEquals(full, parsed.name(), spelling);
      assertEquals(full, parsed.toString(), spelling);
      assertEquals(domain, parsed.registry(), spelling);
      assertEquals(remote, parsed.repository(), spelling);
    }
  }

  /** TestParseReferenceWithTagAndDigest. */
  @Test
  void parseReferenceWithTagAndDigest() {
    String shortRef = "busybox:latest@sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa";
    ImageReference parsed = ImageReference.parse(shortRef);
    assertEquals("docker.io/library/" + shortRef, parsed.toString());
    assertEquals("latest", parsed.tag());
    assertEquals("sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa",
        parsed.digest().toString());
    assertTrue(parsed.isPinned());
  }

  /** TestInvalidReferenceComponents. */
  @Test
  void invalidReferenceComponents() {
    check("-foo", null, "\"-foo\" is not valid");
    ImageReference busybox = ImageReference.parse("busybox");
    InvalidReferenceException badTag =
        assertThrows(InvalidReferenceException.class, () -> busybox.withTag("-foo"));
    assertTrue(badTag.getMessage().contains("tag \"-foo\" must not start with '.' or '-'"), badTag.getMessage());
    InvalidReferenceException badDigest =
        assertThrows(InvalidReferenceException.class, () -> Digest.parse("foo"));
    assertTrue(badDigest.getMessage().contains("not of the form algorithm:hex"), badDigest.getMessage());
  }

  /** TestParseAnyReference (the name forms) and TestNormalizedSplitHostname. */
  static Stream<Arguments> normalisation() {
    String redisDigest = "sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c";
    return Stream.of(
        ok("redis", "docker.io/library/redis"),
        ok("redis:latest", "docker.io/library/redis:latest"),
        ok("docker.io/library/redis:latest", "docker.io/library/redis:latest"),
        ok("redis@" + redisDigest, "docker.io/library/redis@" + redisDigest),
        ok("docker.io/library/redis@" + redisDigest, "docker.io/library/redis@" + redisDigest),
        ok("dmcgowan/myapp", "docker.io/dmcgowan/myapp"),
        ok("dmcgowan/myapp:latest", "docker.io/dmcgowan/myapp:latest"),
        ok("docker.io/mcgowan/myapp:latest", "docker.io/mcgowan/myapp:latest"),
        ok("dmcgowan/myapp@" + redisDigest, "docker.io/dmcgowan/myapp@" + redisDigest),
        ok("docker.io/dmcgowan/myapp@" + redisDigest, "docker.io/dmcgowan/myapp@" + redisDigest),
        // Difference: ParseAnyReference reads a bare 64-hex string as a digest; an image in a pod
        // spec is never a bare digest, so promgate refuses it as ParseNormalizedNamed does.
        bad("dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c", "image ID"),
        // Difference: ParseAnyReference reads "sha256:<hex>" as a digest; by the name grammar (and
        // ParseNormalizedNamed) it is the repository "sha256" with a 64-character tag.
        ok(redisDigest, "docker.io/library/" + redisDigest),
        ok("dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9",
            "docker.io/library/dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9"),
        ok("dbcc1", "docker.io/library/dbcc1"),
        // TestNormalizedSplitHostname
        ok("test.com/foo", "test.com/foo"),
        ok("test_com/foo", "docker.io/test_com/foo"),
        ok("docker/migrator", "docker.io/docker/migrator"),
        ok("test.com:8080/foo", "test.com:8080/foo"),
        ok("test-com:8080/foo", "test-com:8080/foo"),
        ok("foo", "docker.io/library/foo"),
        ok("xn--n3h.com/foo", "xn--n3h.com/foo"),
        ok("xn--n3h.com:18080/foo", "xn--n3h.com:18080/foo"),
        ok("docker.io/foo", "docker.io/library/foo"),
        ok("docker.io/library/foo", "docker.io/library/foo"),
        ok("docker.io/library/foo/bar", "docker.io/library/foo/bar"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource
  void normalisation(String input, String normalised, String why) {
    check(input, normalised, why);
  }

  /**
   * TestParseDockerRef. Difference: distribution adds {@code :latest} to an untagged name and drops
   * the tag beside a digest; promgate keeps what was written (no tag means no tag; the digest
   * governs when both are present).
   */
  static Stream<Arguments> parseDockerRef() {
    String digest = "sha256:e6693c20186f837fc393390135d8a598a96a833917917789d63766cab6c59582";
    return Stream.of(
        ok("busybox", "docker.io/library/busybox"),
        ok("busybox:latest", "docker.io/library/busybox:latest"),
        ok("busybox@" + digest, "docker.io/library/busybox@" + digest),
        ok("library/busybox", "docker.io/library/busybox"),
        ok("docker.io/busybox", "docker.io/library/busybox"),
        ok("docker.io/library/busybox", "docker.io/library/busybox"),
        ok("docker.io/busybox:latest", "docker.io/library/busybox:latest"),
        ok("library/busybox:latest", "docker.io/library/busybox:latest"),
        ok("docker.io/library/busybox:latest", "docker.io/library/busybox:latest"),
        ok("gcr.io/library/busybox", "gcr.io/library/busybox"),
        ok("gcr.io/library/busybox:latest@" + digest, "gcr.io/library/busybox:latest@" + digest));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource
  void parseDockerRef(String input, String normalised, String why) {
    check(input, normalised, why);
  }

  // ---------------------------------------------------------------- regexp_test.go

  /**
   * TestDomainRegexp: each domain followed by {@code /foo}. {@code upstream} is distribution's
   * grammar verdict; {@code registry} is promgate's (null: refused, with {@code why}).
   */
  static Stream<Arguments> domainRegexp() {
    return Stream.of(
        domain("test.com", true, "test.com", null),
        domain("test.com:10304", true, "test.com:10304", null),
        domain("test.com:http", false, null, "port \"http\" is not a number"),
        domain("localhost", true, "localhost", null),
        domain("localhost:8080", true, "localhost:8080", null),
        // A bare "a" matches the domain grammar, but normalisation reads it as a Docker Hub namespace.
        domain("a", true, "docker.io", null),
        domain("a.b", true, "a.b", null),
        domain("ab.cd.com", true, "ab.cd.com", null),
        domain("a-b.com", true, "a-b.com", null),
        domain("-ab.com", false, null, "registry host \"-ab.com\" is not a valid host name"),
        domain("ab-.com", false, null, "registry host \"ab-.com\" is not a valid host name"),
        domain("ab.c-om", true, "ab.c-om", null),
        domain("ab.-com", false, null, "registry host \"ab.-com\" is not a valid host name"),
        domain("ab.com-", false, null, "registry host \"ab.com-\" is not a valid host name"),
        domain("0101.com", true, "0101.com", null),
        domain("001a.com", true, "001a.com", null),
        domain("b.gbc.io:443", true, "b.gbc.io:443", null),
        domain("b.gbc.io", true, "b.gbc.io", null),
        domain("xn--n3h.com", true, "xn--n3h.com", null),
        // Difference: host names are lowercased.
        domain("Asdf.com", true, "asdf.com", null),
        // Difference: upstream leaves port ranges and IPv6 syntax to "validation" elsewhere;
        // promgate does it here.
        domain("192.168.1.1:75050", true, null, "port 75050 is out of range (1-65535)"),
        domain("192.168.1.1:750050", true, null, "port 750050 is out of range (1-65535)"),
        domain("[fd00:1:2::3]:75050", true, null, "port 75050 is out of range (1-65535)"),
        domain("[fd00:1:2::3]75050", false, null, "write [address]:port"),
        domain("[fd00:1:2::3]::75050", false, null, "port \":75050\" is not a number"),
        domain("[fd00:1:2::3%eth0]:75050", false, null, "not a valid IPv6 address"),
        domain("[fd00123123123]:75050", true, null, "not a valid IPv6 address"),
        domain("[2001:0db8:85a3:0000:0000:8a2e:0370:7334]:75050", true, null, "port 75050 is out of range"),
        domain("[2001:0db8:85a3:0000:0000:8a2e:0370:7334]:750505", true, null, "port 750505 is out of range"),
        domain("fd00:1:2::3:75050", false, null, "looks like an IPv6 address"),
        // The same hosts with ports in range, which promgate accepts.
        domain("192.168.1.1:5000", true, "192.168.1.1:5000", null),
        domain("[fd00:1:2::3]:5000", true, "[fd00:1:2::3]:5000", null),
        domain("[2001:0db8:85a3:0000:0000:8a2e:0370:7334]:5000", true,
            "[2001:0db8:85a3:0000:0000:8a2e:0370:7334]:5000", null));
  }

  static Arguments domain(String domain, boolean upstream, String registry, String why) {
    return Arguments.of(domain, upstream, registry, why);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource
  void domainRegexp(String domain, boolean upstream, String registry, String why) {
    String input = domain + "/foo";
    if (registry != null) {
      assertEquals(registry, ImageReference.parse(input).registry(), input);
    } else {
      check(input, null, why);
    }
  }

  /** TestFullNameRegexp: name-only inputs. */
  static Stream<Arguments> fullNameRegexp() {
    return Stream.of(
        bad("", "empty"),
        ok("short", "docker.io/library/short"),
        ok("simple/name", "docker.io/simple/name"),
        ok("library/ubuntu", "docker.io/library/ubuntu"),
        ok("docker/stevvooe/app", "docker.io/docker/stevvooe/app"),
        ok("aa/aa/aa/aa/aa/aa/aa/aa/aa/bb/bb/bb/bb/bb/bb", "docker.io/aa/aa/aa/aa/aa/aa/aa/aa/aa/bb/bb/bb/bb/bb/bb"),
        ok("aa/aa/bb/bb/bb", "docker.io/aa/aa/bb/bb/bb"),
        ok("a/a/a/a", "docker.io/a/a/a/a"),
        bad("a/a/a/a/", "empty component"),
        bad("a//a/a", "empty component"),
        ok("a", "docker.io/library/a"),
        ok("a/aa", "docker.io/a/aa"),
        ok("a/aa/a", "docker.io/a/aa/a"),
        ok("foo.com", "docker.io/library/foo.com"),
        bad("foo.com/", "repository path after registry \"foo.com\" is missing"),
        ok("foo.com:8080/bar", "foo.com:8080/bar"),
        bad("foo.com:http/bar", "port \"http\" is not a number"),
        ok("foo.com/bar", "foo.com/bar"),
        ok("foo.com/bar/baz", "foo.com/bar/baz"),
        ok("localhost:8080/bar", "localhost:8080/bar"),
        ok("sub-dom1.foo.com/bar/baz/quux", "sub-dom1.foo.com/bar/baz/quux"),
        ok("blog.foo.com/bar/baz", "blog.foo.com/bar/baz"),
        bad("a^a", "\"a^a\" is not valid"),
        bad("aa/asdf$$^/aa", "\"asdf$$^\" is not valid"),
        bad("asdf$$^/aa", "\"asdf$$^\" is not valid"),
        ok("aa-a/a", "docker.io/aa-a/a"),
        // Difference: the grammar matches 257 characters; normalised, the name is over 255.
        bad("a/".repeat(128) + "a", "over the limit of 255"),
        bad("a-/a/a/a", "\"a-\" is not valid"),
        bad("foo.com/a-/a/a", "\"a-\" is not valid"),
        bad("-foo/bar", "\"-foo\" is not valid"),
        bad("foo/bar-", "\"bar-\" is not valid"),
        bad("foo-/bar", "\"foo-\" is not valid"),
        bad("foo/-bar", "\"-bar\" is not valid"),
        bad("_foo/bar", "\"_foo\" is not valid"),
        ok("foo_bar", "docker.io/library/foo_bar"),
        ok("foo_bar.com", "docker.io/library/foo_bar.com"),
        // Not a name, but as a whole reference it is the name foo_bar.com with the tag 8080.
        ok("foo_bar.com:8080", "docker.io/library/foo_bar.com:8080"),
        bad("foo_bar.com:8080/app", "registry host \"foo_bar.com\" is not a valid host name"),
        ok("foo.com/foo_bar", "foo.com/foo_bar"),
        bad("____/____", "\"____\" is not valid"),
        bad("_docker/_docker", "\"_docker\" is not valid"),
        bad("docker_/docker_", "\"docker_\" is not valid"),
        ok("b.gcr.io/test.example.com/my-app", "b.gcr.io/test.example.com/my-app"),
        ok("xn--n3h.com/myimage", "xn--n3h.com/myimage"),
        ok("xn--7o8h.com/myimage", "xn--7o8h.com/myimage"),
        ok("example.com/xn--7o8h.com/myimage", "example.com/xn--7o8h.com/myimage"),
        ok("example.com/some_separator__underscore/myimage", "example.com/some_separator__underscore/myimage"),
        bad("example.com/__underscore/myimage", "\"__underscore\" is not valid"),
        bad("example.com/..dots/myimage", "\"..dots\" is not valid"),
        bad("example.com/.dots/myimage", "\".dots\" is not valid"),
        bad("example.com/nodouble..dots/myimage", "\"nodouble..dots\" is not valid"),
        bad("docker./docker", "registry host \"docker.\" is not a valid host name"),
        bad(".docker/docker", "registry host \".docker\" is not a valid host name"),
        bad("docker-/docker", "\"docker-\" is not valid"),
        bad("-docker/docker", "\"-docker\" is not valid"),
        bad("do..cker/docker", "registry host \"do..cker\" is not a valid host name"),
        bad("do__cker:8080/docker", "registry host \"do__cker\" is not a valid host name"),
        ok("do__cker/docker", "docker.io/do__cker/docker"),
        ok("registry.io/foo/project--id.module--name.ver---sion--name",
            "registry.io/foo/project--id.module--name.ver---sion--name"),
        // Difference: host names are lowercased.
        ok("Asdf.com/foo/bar", "asdf.com/foo/bar"),
        bad("Foo/FarB", "repository path \"FarB\" must be lowercase"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource
  void fullNameRegexp(String input, String normalised, String why) {
    check(input, normalised, why);
  }

  /** TestReferenceRegexp. */
  static Stream<Arguments> referenceRegexp() {
    String digest = "sha256:be178c0543eb17f5f3043021c9e5fcf30285e557a4fc309cce97ff9ca6182912";
    return Stream.of(
        ok("registry.com:8080/myapp:tag", "registry.com:8080/myapp:tag"),
        ok("registry.com:8080/myapp@" + digest, "registry.com:8080/myapp@" + digest),
        ok("registry.com:8080/myapp:tag2@" + digest, "registry.com:8080/myapp:tag2@" + digest),
        bad("registry.com:8080/myapp@sha256:badbadbadbad", "sha256 needs 64 hex characters, found 12"),
        bad("registry.com:8080/myapp:invalid~tag", "tag \"invalid~tag\" contains '~'"),
        bad("bad_hostname.com:8080/myapp:tag", "registry host \"bad_hostname.com\" is not a valid host name"),
        // localhost is a name here, with the tag 8080.
        ok("localhost:8080@" + digest, "docker.io/library/localhost:8080@" + digest),
        ok("localhost:8080/name@" + digest, "localhost:8080/name@" + digest),
        bad("localhost:http/name@" + digest, "port \"http\" is not a number"),
        ok("localhost@" + digest, "docker.io/library/localhost@" + digest),
        bad("registry.com:8080/myapp@bad", "digest \"bad\" is not valid"),
        bad("registry.com:8080/myapp@2bad", "digest \"2bad\" is not valid"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource
  void referenceRegexp(String input, String normalised, String why) {
    check(input, normalised, why);
  }

  /** TestIdentifierRegexp: only a lowercase 64-hex string is an image ID. */
  static Stream<Arguments> identifierRegexp() {
    return Stream.of(
        bad("da304e823d8ca2b9d863a3c897baeb852ba21ea9a9f1414736394ae7fcaf9821", "image ID"),
        bad("7EC43B381E5AEFE6E04EFB0B3F0693FF2A4A50652D64AEC573905F2DB5889A1C", "must be lowercase"),
        ok("da304e823d8ca2b9d863a3c897baeb852ba21ea9a9f1414736394ae7fcaf",
            "docker.io/library/da304e823d8ca2b9d863a3c897baeb852ba21ea9a9f1414736394ae7fcaf"),
        ok("sha256:da304e823d8ca2b9d863a3c897baeb852ba21ea9a9f1414736394ae7fcaf9821",
            "docker.io/library/sha256:da304e823d8ca2b9d863a3c897baeb852ba21ea9a9f1414736394ae7fcaf9821"),
        ok("da304e823d8ca2b9d863a3c897baeb852ba21ea9a9f1414736394ae7fcaf98218482",
            "docker.io/library/da304e823d8ca2b9d863a3c897baeb852ba21ea9a9f1414736394ae7fcaf98218482"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource
  void identifierRegexp(String input, String normalised, String why) {
    check(input, normalised, why);
  }
}
