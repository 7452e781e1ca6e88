package dev.autoupload.engine.verify;

import dev.autoupload.engine.verify.FileVerdict.Mark;
import java.time.Duration;
import java.util.List;

/**
 * What a verification of a library found: a verdict for every file its source holds, in the order
 * the source listed them.
 */
public record VerifyReport(String libraryId, VerifyMode mode, List<FileVerdict> files, long bytesRead, Duration elapsed) {

  public VerifyReport {
    files = List.copyOf(files);
  }

  /** How many files got {@code mark}. */
  public long count(Mark mark) {
    return files.stream().filter(file -> file.mark() == mark).count();
  }

  /** Whether every file is on the target with the same content: the backup is complete. */
  public boolean complete() {
    return files.stream().allMatch(file -> file.mark() == Mark.SAME);
  }
}
