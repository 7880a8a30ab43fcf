package dev.promgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * Seed corpora of the fuzz tests: files of the repository (test resources, shipped policies) and
 * of the shared interoperability fixtures, read in place (never copied into the repository). Every
 * fuzz test runs its seeds in the normal test run; {@code benchmarks/fuzz.sh} hands the same files
 * to Jazzer as the starting corpus when it fuzzes.
 */
public final class FuzzSeeds {

  /** Seeds per target at most, so that the regression run stays short. */
  static final int MAX_SEEDS = 300;
  private static final long MAX_SEED_BYTES = 512 * 1024;

  private FuzzSeeds() {}

  /**
   * {@code (name, bytes)} arguments: the files under the repository {@code folders}, then the
   * fixture files whose path (relative to the fixtures folder) matches one of {@code fixtureGlobs}.
   * Without fixtures the test is skipped with a message (under {@code CI=true} it fails), like every
   * fixture test.
   */
  public static Stream<Arguments> of(List<Path> folders, List<String> fixtureGlobs) {
    return of(folders, fixtureGlobs, MAX_SEEDS);
  }

  /** The same, at most {@code max} seeds (for targets whose every input costs signature checks). */
  public static Stream<Arguments> of(List<Path> folders, List<String> fixtureGlobs, int max) {
    List<Arguments> seeds = new ArrayList<>();
    for (Path folder : folders) {
      for (Path file : files(folder)) {
        seeds.add(Arguments.of(folder.relativize(file).toString(), read(file)));
      }
    }
    Path root = Fixtures.root();
    List<PathMatcher> matchers = fixtureGlobs.stream()
        .map(g -> FileSystems.getDefault().getPathMatcher("glob:" + g)).toList();
    for (Path file : files(root)) {
      Path relative = root.relativize(file);
      if (matchers.stream().anyMatch(m -> m.matches(relative)) && seeds.size() < max) {
        seeds.add(Arguments.of("fixtures/" + relative, read(file)));
      }
    }
    return seeds.stream();
  }

  private static List<Path> files(Path folder) {
    if (!Files.isDirectory(folder)) {
      return List.of();
    }
    try (Stream<Path> walk = Files.walk(folder)) {
      return walk.filter(Files::isRegularFile).filter(f -> size(f) <= MAX_SEED_BYTES)
          .sorted(Comparator.comparing(Path::toString)).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long size(Path f) {
    try {
      return Files.size(f);
    } catch (IOException e) {
      return Long.MAX_VALUE;
    }
  }

  private static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
