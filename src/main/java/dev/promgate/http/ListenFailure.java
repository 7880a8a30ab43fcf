package dev.promgate.http;

import java.io.IOException;
import java.net.BindException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Why the server could not listen, in words an operator can act on: the address and port, and,
 * when the port is taken, which process holds it (read from {@code /proc} on Linux, where the
 * listening socket's inode leads to the process that has it open; elsewhere, or without the
 * permission to look, a hint how to find out).
 */
final class ListenFailure extends IOException {
  private static final long serialVersionUID = 1L;

  private ListenFailure(String message, Throwable cause) {
    super(message, cause);
  }

  static Throwable of(String host, int port, Throwable failure) {
    if (!(failure instanceof BindException)) {
      return failure;
    }
    String where = host + ":" + port;
    String reason = failure.getMessage() == null ? "cannot bind" : failure.getMessage().toLowerCase(Locale.ROOT);
    if (!reason.contains("in use")) {
      return new ListenFailure("cannot listen on " + where + ": " + failure.getMessage()
          + (port < 1024 ? " (ports below 1024 need privileges; use --port 8443)" : ""), failure);
    }
    String holder = holder(port).map(h -> "it is held by " + h)
        .orElse("another process holds it (find it with: ss -ltnp 'sport = :" + port + "')");
    return new ListenFailure("cannot listen on " + where + ": port " + port + " is already in use; " + holder
        + "; stop it or choose another --port", failure);
  }

  /** The process listening on {@code port}, as {@code pid N (command line)}, if /proc tells. */
  static Optional<String> holder(int port) {
    Set<String> inodes = new HashSet<>();
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      try {
        for (String line : Files.readAllLines(Path.of(table))) {
          String[] f = line.trim().split("\\s+");
          // local_address is HEXIP:HEXPORT; state 0A is LISTEN; the inode is the tenth field.
          if (f.length > 9 && f[1].contains(":") && f[3].equals("0A")
              && Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16) == port) {
            inodes.add("socket:[" + f[9] + "]");
          }
        }
      } catch (IOException | RuntimeException e) {
        // not Linux, or not readable: no answer
      }
    }
    if (inodes.isEmpty()) {
      return Optional.empty();
    }
    try (DirectoryStream<Path> processes = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString()
        .chars().allMatch(Character::isDigit))) {
      for (Path process : processes) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(process.resolve("fd"))) {
          for (Path fd : fds) {
            if (inodes.contains(Files.readSymbolicLink(fd).toString())) {
              return Optional.of("pid " + process.getFileName() + " (" + commandLine(process) + ")");
            }
          }
        } catch (IOException | RuntimeException e) {
          // another user's process, or gone meanwhile
        }
      }
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }

  private static String commandLine(Path process) {
    try {
      String cmd = new String(Files.readAllBytes(process.resolve("cmdline")), StandardCharsets.UTF_8)
          .replace('\0', ' ').strip();
      return cmd.length() > 120 ? cmd.substring(0, 119) + "…" : cmd;
    } catch (IOException e) {
      return "?";
    }
  }
}
