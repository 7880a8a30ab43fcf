package dev.promgate.policy;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;

/**
 * Directories that hold trust material promgate verified itself (a TUF repository's cached trusted
 * root): what is read back from them is trusted as if verified again, so nobody but promgate may be
 * able to write there. The default cache lies in the shared temporary directory, where any local
 * user could create the directory first and plant a root of their own. Checked where the file
 * system has Unix owners and modes; elsewhere (and where the process's user cannot be told) not.
 */
public final class PrivateDirectories {

  /**
   * Write for others. Write for the group is let through: Kubernetes makes volume contents group
   * writable for the pod's {@code fsGroup}, and another local user cannot create a directory that
   * the promgate user owns anyway.
   */
  private static final int WRITABLE_BY_ANYONE = 0002;

  private PrivateDirectories() {}

  /**
   * Why {@code dir} cannot hold trust material: it is a symbolic link, belongs to another user, or
   * anyone may write to it. Empty when it does not exist yet or is fine.
   */
  public static Optional<String> problem(Path dir) {
    try {
      if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
        return Optional.empty();
      }
      if (Files.isSymbolicLink(dir)) {
        return Optional.of("is a symbolic link");
      }
      Map<String, Object> attributes = Files.readAttributes(dir, "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
      int mode = (Integer) attributes.get("mode");
      if ((mode & WRITABLE_BY_ANYONE) != 0) {
        return Optional.of("can be written by any user (mode " + Integer.toOctalString(mode & 07777)
            + "; chmod o-w it)");
      }
      Optional<Integer> me = processUid();
      int owner = (Integer) attributes.get("uid");
      if (me.isPresent() && owner != me.get()) {
        return Optional.of("belongs to user " + owner + ", not to the user promgate runs as (" + me.get() + ")");
      }
      return Optional.empty();
    } catch (UnsupportedOperationException | IllegalArgumentException | IOException e) {
      return Optional.empty();
    }
  }

  /** Creates {@code dir} (its parents as usual) readable and writable by promgate only, unless it exists. */
  public static void create(Path dir) throws IOException {
    if (dir.getParent() != null) {
      Files.createDirectories(dir.getParent());
    }
    try {
      Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (UnsupportedOperationException noPosix) {
      Files.createDirectories(dir);
    } catch (FileAlreadyExistsException exists) {
      // checked by problem()
    }
  }

  /** The user the process runs as, where Linux tells it (the owner of /proc/self). */
  private static Optional<Integer> processUid() {
    try {
      return Optional.of((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    } catch (UnsupportedOperationException | IllegalArgumentException | IOException e) {
      return Optional.empty();
    }
  }
}
