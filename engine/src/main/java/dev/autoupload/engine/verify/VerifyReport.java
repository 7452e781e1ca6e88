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
 *
 * @param libraryId the library verified
 * @param mode how the backups were checked
 * @param files a verdict for every file, in the order the source listed them
 * @param bytesRead bytes read to hash files, here and read back from the target
 * @param elapsed how long the verification took
 * @param afterBackup what became of each original proven backed up; empty when no space was to be freed
 */
public record VerifyReport(
    String libraryId,
    VerifyMode mode,
    List<FileVerdict> files,
    long bytesRead,
    Duration elapsed,
    List<Outcome> afterBackup) {

  /**
   * A report of a verification that freed no space.
   *
   * @param libraryId the library verified
   * @param mode how the backups were checked
   * @param files a verdict for every file, in the order the source listed them
   * @param bytesRead bytes read to hash files
   * @param elapsed how long the verification took
   */
  public VerifyReport(String libraryId, VerifyMode mode, List<FileVerdict> files, long bytesRead, Duration elapsed) {
    this(libraryId, mode, files, bytesRead, elapsed, List.of());
  }

  /**
   * Copies the lists.
   *
   * @param libraryId the library verified
   * @param mode how the backups were checked
   * @param files a verdict for every file, in the order the source listed them
   * @param bytesRead bytes read to hash files, here and read back from the target
   * @param elapsed how long the verification took
   * @param afterBackup what became of each original proven backed up; empty when no space was to be freed
   */
  public VerifyReport {
    files = List.copyOf(files);
    afterBackup = List.copyOf(afterBackup);
  }

  /**
   * The originals moved or deleted after their backup was proven.
   *
   * @return the originals freed, in the order they were verified; empty when none
   */
  public List<Freed> freed() {
    return afterBackup.stream().flatMap(o -> o instanceof Outcome.Done done ? Stream.of(done.freed()) : Stream.empty()).toList();
  }

  /**
   * How many files proven the same were kept all the same.
   *
   * @return the count, 0 or more
   */
  public long keptAfterProof() {
    return files.stream().filter(file -> file.mark() == Mark.SAME).count() - freed().size();
  }

  /**
   * How many files got {@code mark}.
   *
   * @param mark a verdict
   * @return the count
   */
  public long count(Mark mark) {
    return files.stream().filter(file -> file.mark() == mark).count();
  }

  /**
   * Whether every file is on the target with the same content: the backup is complete.
   *
   * @return true when every file is {@link Mark#SAME}; also for a library with no file
   */
  public boolean complete() {
    return files.stream().allMatch(file -> file.mark() == Mark.SAME);
  }
}
