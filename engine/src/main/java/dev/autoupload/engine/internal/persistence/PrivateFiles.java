package dev.autoupload.engine.internal.persistence;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.Set;

/**
 * Keeps the data dir its owner's alone, whatever the umask: the folder 0700, its files 0600. The
 * journal holds every remote path and the resume URLs of uploads in flight (a tus URL lets anyone
 * who has it write to that upload), so it must not be world-readable as umask 022 would leave it.
 * Where the file system has no POSIX permissions (Windows), the OS's defaults stand; a folder or
 * file another user owns (a shared data dir someone else made) is left as it is, as only its owner
 * may change its mode.
 */
public final class PrivateFiles {

  private static final Set<PosixFilePermission> FOLDER = PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

  private PrivateFiles() {}

  /**
   * Creates {@code dir} when it is missing and makes it the owner's alone.
   *
   * @param dir the folder, with any missing parents
   * @throws IOException when it cannot be created or its mode cannot be changed
   */
  public static void folder(Path dir) throws IOException {
    Files.createDirectories(dir);
    if (posix(dir)) {
      restrict(dir, FOLDER);
    }
  }

  /**
   * Makes every file directly in {@code dir} the owner's alone: the files other code created there
   * with the umask's mode (the journal that H2 creates). Links are left alone.
   *
   * @param dir the folder, not its sub-folders
   * @throws IOException when it cannot be listed or a file's mode cannot be changed
   */
  public static void files(Path dir) throws IOException {
    if (!posix(dir)) {
      return;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        if (Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS)) {
          restrict(entry, FILE);
        }
      }
    }
  }

  /**
   * The attributes to create a new file in {@code dir} with: 0600 where permissions exist.
   *
   * @param dir the folder the file goes in, whose file system decides
   * @return the attributes; none where the file system has no POSIX permissions
   */
  public static FileAttribute<?>[] newFile(Path dir) {
    return posix(dir) ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE)} : new FileAttribute<?>[0];
  }

  private static void restrict(Path path, Set<PosixFilePermission> permissions) throws IOException {
    if (ownedByThisUser(path)) {
      Files.setPosixFilePermissions(path, permissions);
    }
  }

  /** True also when this process's user cannot be told: then changing the mode is tried. */
  private static boolean ownedByThisUser(Path path) throws IOException {
    UserPrincipal owner = Files.getOwner(path, LinkOption.NOFOLLOW_LINKS);
    try {
      return owner.equals(
          path.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(System.getProperty("user.name")));
    } catch (UserPrincipalNotFoundException | UnsupportedOperationException e) {
      return true;
    }
  }

  private static boolean posix(Path dir) {
    return Files.getFileAttributeView(dir, PosixFileAttributeView.class) != null;
  }
}
