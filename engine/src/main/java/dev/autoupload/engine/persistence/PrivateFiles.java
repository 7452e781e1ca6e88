package dev.autoupload.engine.persistence;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Keeps the data dir its owner's alone, whatever the umask: the folder 0700, its files 0600. The
 * journal holds every remote path and the resume URLs of uploads in flight (a tus URL lets anyone
 * who has it write to that upload), so it must not be world-readable as umask 022 would leave it.
 * Where the file system has no POSIX permissions (Windows), the OS's defaults stand.
 */
public final class PrivateFiles {

  private static final Set<PosixFilePermission> FOLDER = PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

  private PrivateFiles() {}

  /** Creates {@code dir} when it is missing and makes it the owner's alone. */
  public static void folder(Path dir) throws IOException {
    Files.createDirectories(dir);
    if (posix(dir)) {
      Files.setPosixFilePermissions(dir, FOLDER);
    }
  }

  /**
   * Makes every file directly in {@code dir} the owner's alone: the files other code created there
   * with the umask's mode (the journal that H2 creates). Links are left alone.
   */
  public static void files(Path dir) throws IOException {
    if (!posix(dir)) {
      return;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        if (Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS)) {
          Files.setPosixFilePermissions(entry, FILE);
        }
      }
    }
  }

  /** The attributes to create a new file in {@code dir} with: 0600 where permissions exist. */
  public static FileAttribute<?>[] newFile(Path dir) {
    return posix(dir) ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE)} : new FileAttribute<?>[0];
  }

  private static boolean posix(Path dir) {
    return Files.getFileAttributeView(dir, PosixFileAttributeView.class) != null;
  }
}
