package dev.autoupload.engine.verify;

/** How a verification goes, told to its listener as it runs. */
public sealed interface VerifyProgress {

  /** The library's source was scanned: {@code files} files, {@code bytes} bytes in all, are to be checked. */
  record Started(String libraryId, long files, long bytes) implements VerifyProgress {}

  /**
   * One more file was checked: {@code checked} of {@code total} now, after {@code bytesRead} bytes
   * read here and back from the target.
   */
  record Checked(String libraryId, FileVerdict file, long checked, long total, long bytesRead)
      implements VerifyProgress {}

  /** After {@code file} was checked, its original was moved, deleted, or kept for a reason. */
  record AfterBackup(String libraryId, dev.autoupload.engine.freespace.Outcome outcome) implements VerifyProgress {}
}
