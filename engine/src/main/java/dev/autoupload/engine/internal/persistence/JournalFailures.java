package dev.autoupload.engine.internal.persistence;

import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * Tells what a failure of the journal means, in the user's words: a full disk names the folder
 * ("no space left on /var/lib/autoupload"), a damaged H2 file says how to move it aside, and
 * anything else gives the database's own message.
 *
 * <p>H2 closes a database whose write failed, so every later call fails with "the database has
 * been closed" instead of the cause. The first such cause seen is remembered and given for those,
 * which makes this the one stateful piece here (thread-safe); when none was seen, the folder's free
 * space tells.
 */
public final class JournalFailures {

  /** H2's error codes: the file is damaged, from another H2 version, or the database was closed. */
  private static final int H2_FILE_CORRUPTED = 90030;
  private static final int H2_FILE_VERSION = 90048;
  private static final int H2_DATABASE_IS_CLOSED = 90098;
  /** Less free space than this, and a write H2 failed was for want of space: its chunks are larger. */
  private static final long ALMOST_FULL = 1024 * 1024;

  private final Optional<Path> file;
  private final AtomicReference<String> firstFatal = new AtomicReference<>();

  /**
   * @param file the journal's file when it is an embedded H2 file database ({@code
   *     <data-dir>/journal.mv.db}); empty for a database server
   */
  public JournalFailures(Optional<Path> file) {
    this.file = file.map(Path::toAbsolutePath);
  }

  /**
   * Whether {@code failure} came from the journal's database.
   *
   * @param failure what an actor or the journal plugin threw
   * @return true when a JDBC error is somewhere in its causes
   */
  public static boolean fromJournal(Throwable failure) {
    return causes(failure).anyMatch(SQLException.class::isInstance);
  }

  /**
   * Whether the journal cannot work again in this process: the disk under an embedded journal is
   * full, or H2 has closed the database after such a failure. Restarting an actor cannot help;
   * starting the engine again, once there is room, can.
   *
   * @param failure what the journal threw
   * @return true only for an embedded journal in one of those states
   */
  public boolean restartCannotHelp(Throwable failure) {
    return file.isPresent() && (noSpace(failure) || errorCode(failure, H2_DATABASE_IS_CLOSED));
  }

  /**
   * The failure in the user's words, on one line.
   *
   * @param failure what the journal threw
   * @return {@link #explained}'s words, or else the failure's own message
   */
  public String describe(Throwable failure) {
    return explained(failure).orElseGet(() -> message(failure));
  }

  /**
   * The failure in the user's words when it is one this class knows (a full disk, a closed or
   * damaged embedded journal); empty for others, whose own message is then the best there is. A
   * full disk is remembered, to explain the "database closed" errors that follow it.
   *
   * @param failure what the journal threw
   * @return the explanation, or empty
   */
  public Optional<String> explained(Throwable failure) {
    if (noSpace(failure)) {
      String words =
          file.map(JournalFailures::noSpaceOn)
              .orElse("no space left on the journal's database server: " + message(failure));
      firstFatal.compareAndSet(null, words);
      return Optional.of(words);
    }
    if (file.isPresent() && errorCode(failure, H2_DATABASE_IS_CLOSED)) {
      // The failed write may have been one this class never saw (the Activity view's, say): a
      // folder with next to no space left tells why.
      return Optional.of(
          Optional.ofNullable(firstFatal.get())
              .or(() -> almostFull(file.get().getParent()) ? Optional.of(noSpaceOn(file.get())) : Optional.empty())
              .orElse("the journal " + file.get() + " was closed after a failed write; start again"));
    }
    return damaged(failure);
  }

  private static String noSpaceOn(Path journal) {
    return "no space left on " + journal.getParent()
        + ": the journal cannot be written; free some space and start again (nothing backed up is lost)";
  }

  /** Whether {@code folder} has less than {@link #ALMOST_FULL} bytes free. */
  private static boolean almostFull(Path folder) {
    try {
      return Files.getFileStore(folder).getUsableSpace() < ALMOST_FULL;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * When {@code failure} says the embedded journal file is damaged: what is wrong and how to move
   * it aside. A new journal then starts empty and finds what is already on the target by probing
   * it, so nothing is uploaded twice.
   *
   * @param failure what opening or reading the journal threw
   * @return what is wrong with the file and what to do, or empty when it is not damaged or not
   *     an embedded file
   */
  public Optional<String> damaged(Throwable failure) {
    if (file.isEmpty()) {
      return Optional.empty();
    }
    Optional<String> what;
    if (errorCode(failure, H2_FILE_CORRUPTED)) {
      what = Optional.of("H2 finds it corrupt");
    } else if (errorCode(failure, H2_FILE_VERSION)) {
      what = Optional.of("it was written by another version of H2");
    } else if (causes(failure).anyMatch(EOFException.class::isInstance)) {
      what = Optional.of("it ends early, as if cut off");
    } else {
      what = Optional.empty();
    }
    String path = file.get().toString();
    return what.map(
        words ->
            "the journal " + path + " is damaged (" + words + "): move it aside with `mv " + quoted(path) + " "
                + quoted(path + ".damaged") + "` and start again; the new journal finds what is already on the"
                + " target, so nothing is uploaded twice");
  }

  private static boolean noSpace(Throwable failure) {
    return causes(failure)
        .map(Throwable::getMessage)
        .anyMatch(m -> m != null && m.toLowerCase(Locale.ROOT).contains("no space left on device"));
  }

  private static boolean errorCode(Throwable failure, int code) {
    return causes(failure).anyMatch(c -> c instanceof SQLException sql && sql.getErrorCode() == code);
  }

  private static Stream<Throwable> causes(Throwable failure) {
    return Stream.iterate(failure, c -> c != null, c -> c.getCause() == c ? null : c.getCause());
  }

  /** The first message in the chain, as the outermost exception usually says what was being done. */
  private static String message(Throwable failure) {
    return causes(failure)
        .map(Throwable::getMessage)
        .filter(m -> m != null && !m.isBlank())
        .findFirst()
        .orElse(failure.getClass().getSimpleName());
  }

  /** {@code path} as a POSIX shell word. */
  private static String quoted(String path) {
    return path.matches("[A-Za-z0-9_./@%+=:,-]+") ? path : "'" + path.replace("'", "'\\''") + "'";
  }
}
