package dev.autoupload.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Whether a local target folder and the source folder overlap, links resolved. The same folder
 * would count every file as already backed up although no second copy exists; a target inside
 * the source gets scanned as part of it, so a watching run backs up its own copies again and
 * again; a source inside the target puts backups among the files they back up.
 */
final class FolderOverlap {

  private FolderOverlap() {}

  /** Why the two folders cannot be source and target, in one line; empty when they are apart. */
  static Optional<String> problem(Path source, Path target) {
    Path realSource = real(source);
    Path realTarget = real(target);
    String advice = "; choose a target folder outside the source folder";
    if (realTarget.equals(realSource)) {
      return Optional.of(
          "the target folder " + target + " is the source folder " + source
              + ": nothing would be backed up" + advice);
    }
    if (realTarget.startsWith(realSource)) {
      return Optional.of(
          "the target folder " + target + " is inside the source folder " + source
              + ": the backup would back up its own copies" + advice);
    }
    if (realSource.startsWith(realTarget)) {
      return Optional.of(
          "the source folder " + source + " is inside the target folder " + target
              + ": the backups would land among the files they back up" + advice);
    }
    return Optional.empty();
  }

  /**
   * {@code path} absolute with every symbolic link resolved; a part that does not exist yet (a
   * target folder the run will create) is taken as written, below its nearest existing folder.
   */
  static Path real(Path path) {
    Path absolute = path.toAbsolutePath().normalize();
    Path existing = absolute;
    while (existing.getParent() != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
      existing = existing.getParent();
    }
    try {
      return existing.toRealPath().resolve(existing.relativize(absolute)).normalize();
    } catch (IOException e) {
      // Unreadable on the way: compare as written, which still catches the plain cases.
      return absolute;
    }
  }
}
