package dev.autoupload.engine.verify;

import dev.autoupload.engine.freespace.Freed;
import dev.autoupload.engine.freespace.Outcome;
import dev.autoupload.engine.verify.FileVerdict.Mark;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a verification of a library found: a verdict for every file its source holds, in the order
 * the source listed them; and, where it was asked to free up space, what became of each original
 * (see {@link dev.autoupload.engine.freespace.FreeSpace}).
 */
public record VerifyReport(
    String libraryId,
    VerifyMode mode,
    List<FileVerdict> files,
    long bytesRead,
    Duration elapsed,
    List<Outcome> afterBackup) {

  /** A report of a verification that freed no space. */
  public VerifyReport(String libraryId, VerifyMode mode, List<FileVerdict> files, long bytesRead, Duration elapsed) {
    this(libraryId, mode, files, bytesRead, elapsed, List.of());
  }

  public VerifyReport {
    files = List.copyOf(files);
    afterBackup = List.copyOf(afterBackup);
  }

  /** The originals moved or deleted after their backup was proven. */
  public List<Freed> freed() {
    return afterBackup.stream().flatMap(o -> o instanceof Outcome.Done done ? Stream.of(done.freed()) : Stream.empty()).toList();
  }

  /** How many files proven the same were kept all the same. */
  public long keptAfterProof() {
    return files.stream().filter(file -> file.mark() == Mark.SAME).count() - freed().size();
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
