package dev.promgate.policy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the files a load depends on and records a digest of each, so a watcher can later tell by
 * content (not modification time) whether anything changed. Content matters because Kubernetes
 * updates a mounted ConfigMap by swapping a {@code ..data} symlink, which leaves the files' own
 * modification times alone.
 */
final class InputFiles {

  /** Above every per-kind limit of the loader; larger files are refused by it anyway. */
  private static final int WATCH_LIMIT = 16 << 20;

  private final Map<Path, String> digests = new LinkedHashMap<>();

  /** A file that could not be read, with a reason for the user. */
  static final class Unreadable extends Exception {
    Unreadable(String message) {
      super(message, null, false, false);
    }
  }

  Map<Path, String> digests() {
    return digests;
  }

  /** Reads a whole file of at most {@code maxBytes}, recording its digest (or its absence). */
  byte[] read(Path path, int maxBytes) throws Unreadable {
    Path key = path.toAbsolutePath().normalize();
    try {
      byte[] bytes = readCapped(path, maxBytes);
      digests.put(key, sha256(bytes));
      return bytes;
    } catch (Unreadable e) {
      digests.put(key, currentDigest(path, false));
      throw e;
    }
  }

  /**
   * The policy files of a directory ({@code *.yaml}, {@code *.yml}; hidden files and directories
   * skipped), sorted by name, recording the listing itself as an input.
   */
  List<Path> list(Path directory) throws Unreadable {
    Path key = directory.toAbsolutePath().normalize();
    try {
      List<Path> files = policyFiles(directory);
      digests.put(key, listingDigest(files));
      return files;
    } catch (Unreadable e) {
      digests.put(key, PolicyLoadResult.ABSENT);
      throw e;
    }
  }

  /** The digest {@link #read} or {@link #list} would record for this input now. */
  static String currentDigest(Path input, boolean isDirectory) {
    try {
      if (isDirectory) {
        return listingDigest(policyFiles(input));
      }
      long size = Files.size(input);
      if (size > WATCH_LIMIT) {
        // Too large to load anyway; size and time are enough to notice it being replaced.
        return "large:" + size + ":" + Files.getLastModifiedTime(input).toMillis();
      }
      return sha256(readCapped(input, WATCH_LIMIT));
    } catch (Unreadable | IOException e) {
      return PolicyLoadResult.ABSENT;
    }
  }

  static List<Path> policyFiles(Path directory) throws Unreadable {
    if (!Files.exists(directory)) {
      throw new Unreadable("the policy directory does not exist");
    }
    if (!Files.isDirectory(directory)) {
      throw new Unreadable("is not a directory; give the directory that holds the policy files");
    }
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        String lower = name.toLowerCase(Locale.ROOT);
        // Hidden names cover editor droppings (.#shop.yaml) and the ..data links of a ConfigMap;
        // kustomization.yaml packages the directory as a ConfigMap and is kustomize's, not ours.
        if (name.startsWith(".") || !(lower.endsWith(".yaml") || lower.endsWith(".yml"))
            || lower.equals("kustomization.yaml") || lower.equals("kustomization.yml")) {
          continue;
        }
        if (Files.isDirectory(entry)) {
          continue;
        }
        files.add(entry);
      }
    } catch (AccessDeniedException e) {
      throw new Unreadable("the policy directory cannot be read: permission denied");
    } catch (IOException e) {
      throw new Unreadable("the policy directory cannot be read: " + e.getMessage());
    }
    files.sort((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()));
    return files;
  }

  private static String listingDigest(List<Path> files) {
    StringBuilder names = new StringBuilder("dir");
    for (Path f : files) {
      names.append('\n').append(f.getFileName());
    }
    return "dir:" + sha256(names.toString().getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] readCapped(Path path, int maxBytes) throws Unreadable {
    if (Files.isDirectory(path)) {
      throw new Unreadable("is a directory, not a file");
    }
    try (InputStream in = Files.newInputStream(path)) {
      byte[] bytes = in.readNBytes(maxBytes + 1);
      if (bytes.length > maxBytes) {
        throw new Unreadable("is larger than " + maxBytes / 1024 + " KiB");
      }
      return bytes;
    } catch (NoSuchFileException e) {
      throw new Unreadable("does not exist");
    } catch (AccessDeniedException e) {
      throw new Unreadable("cannot be read: permission denied");
    } catch (IOException e) {
      throw new Unreadable("cannot be read: " + e.getMessage());
    }
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
