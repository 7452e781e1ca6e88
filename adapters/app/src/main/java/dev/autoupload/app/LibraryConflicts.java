package dev.autoupload.app;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What two libraries of one {@code serve} must not share: an id, overlapping source folders (a
 * file would be backed up by both, and each would count the other's files), one target, or a
 * local target folder inside the other's source (the one would back up the other's backups).
 */
final class LibraryConflicts {

  private LibraryConflicts() {}

  /** Every conflict among {@code libraries}, one line each, in the order they are listed. */
  static List<String> among(List<LibraryDefinition> libraries) {
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < libraries.size(); i++) {
      for (int j = 0; j < i; j++) {
        between(libraries.get(j), libraries.get(i)).ifPresent(problems::add);
      }
    }
    return problems;
  }

  /** Why {@code added} cannot run beside {@code others}, each one line; empty when it can. */
  static List<String> with(LibraryDefinition added, List<LibraryDefinition> others) {
    List<String> problems = new ArrayList<>();
    for (LibraryDefinition other : others) {
      between(other, added).ifPresent(problems::add);
    }
    return problems;
  }

  /** The first conflict of {@code second} with {@code first}, in one line. */
  static Optional<String> between(LibraryDefinition first, LibraryDefinition second) {
    String pair = "libraries " + first.id() + " and " + second.id();
    if (first.id().equals(second.id())) {
      return Optional.of("two libraries have the id " + first.id() + "; each needs its own");
    }
    Path firstSource = FolderOverlap.real(first.source());
    Path secondSource = FolderOverlap.real(second.source());
    if (firstSource.startsWith(secondSource) || secondSource.startsWith(firstSource)) {
      return Optional.of(
          pair + ": the source folders " + first.source() + " and " + second.source()
              + " overlap; a folder can belong to one library only");
    }
    if (sameTarget(first.target(), second.target())) {
      return Optional.of(pair + ": both back up to " + first.shownTarget() + "; give each its own target");
    }
    Optional<Path> firstFolder = localFolder(first.target());
    Optional<Path> secondFolder = localFolder(second.target());
    if (firstFolder.isPresent() && secondFolder.isPresent()) {
      Path a = FolderOverlap.real(firstFolder.get());
      Path b = FolderOverlap.real(secondFolder.get());
      if (a.startsWith(b) || b.startsWith(a)) {
        return Optional.of(
            pair + ": the target folders " + firstFolder.get() + " and " + secondFolder.get()
                + " overlap; give each its own target");
      }
    }
    return firstFolder
        .flatMap(folder -> insideSource(folder, second, pair))
        .or(() -> secondFolder.flatMap(folder -> insideSource(folder, first, pair)));
  }

  private static Optional<String> insideSource(Path targetFolder, LibraryDefinition other, String pair) {
    return FolderOverlap.real(targetFolder).startsWith(FolderOverlap.real(other.source()))
        ? Optional.of(
            pair + ": the target folder " + targetFolder + " is inside the source folder " + other.source()
                + " of " + other.id() + ", which would back up the backups")
        : Optional.empty();
  }

  /** One target written two ways: case of scheme and host, a trailing slash. */
  private static boolean sameTarget(String first, String second) {
    return normalized(first).equals(normalized(second));
  }

  private static String normalized(String uri) {
    String text = uri.strip().replaceFirst("(?<=[^/])/+$", "");
    try {
      URI parsed = new URI(text);
      if (parsed.getScheme() != null && parsed.getHost() != null) {
        return new URI(
                parsed.getScheme().toLowerCase(Locale.ROOT),
                parsed.getUserInfo(),
                parsed.getHost().toLowerCase(Locale.ROOT),
                parsed.getPort(),
                parsed.getPath(),
                parsed.getQuery(),
                parsed.getFragment())
            .toString();
      }
    } catch (URISyntaxException e) {
      // Compared as written; opening the target names what is wrong with it.
    }
    return text;
  }

  /** The folder of a {@code file:} target; empty for any other kind, or a URI that does not parse. */
  static Optional<Path> localFolder(String target) {
    try {
      URI uri = new URI(target.strip());
      return "file".equalsIgnoreCase(uri.getScheme()) && uri.getPath() != null && !uri.getPath().isEmpty()
          ? Optional.of(Path.of(uri.getPath()).normalize())
          : Optional.empty();
    } catch (URISyntaxException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
