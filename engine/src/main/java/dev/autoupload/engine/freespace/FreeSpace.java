package dev.autoupload.engine.freespace;

import dev.autoupload.engine.freespace.AfterBackup.Action;
import dev.autoupload.engine.freespace.Originals.Facts;
import dev.autoupload.engine.library.Asset;
import dev.autoupload.engine.library.AssetSource;
import dev.autoupload.engine.upload.Sha256;
import dev.autoupload.engine.verify.FileVerdict;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves or deletes the originals a verification has just proven backed up, as {@link
 * AfterBackup} says and {@link Originals#decide} allows, re-checking each file immediately before
 * its action. Every action is written to the {@link FreedLog} before it is taken; if that write
 * fails, the original is kept.
 *
 * <p>Blocking; safe to use from several threads at once, each on another file.
 */
public final class FreeSpace {

  private static final Logger log = LoggerFactory.getLogger(FreeSpace.class);
  private static final int BUFFER_BYTES = 1 << 20;

  private final AfterBackup setting;
  private final FreedLog journal;
  private final Clock clock;

  /**
   * Frees space after verifications.
   *
   * @param setting what to do with proven originals
   * @param journal where every action is written before it is taken
   * @param clock the time, for a backup's age and the journal's rows
   */
  public FreeSpace(AfterBackup setting, FreedLog journal, Clock clock) {
    this.setting = setting;
    this.journal = journal;
    this.clock = clock;
  }

  /** {@return the setting this was made with} */
  public AfterBackup setting() {
    return setting;
  }

  /**
   * Acts on {@code asset} of library {@code libraryId} after this run's {@code verdict} on it.
   *
   * @param libraryId the library the asset belongs to
   * @param source the library's source, to look at and reach the file
   * @param asset the asset as the verification scanned it, whose content it hashed
   * @param verdict this run's verdict on the file
   * @param backedUpAt when the journal recorded its backup, if it did
   * @return what became of the original: done, or kept and why; never throws for a file it cannot act on
   */
  public Outcome after(String libraryId, AssetSource source, Asset asset, FileVerdict verdict, Optional<Instant> backedUpAt) {
    String path = asset.relativePath();
    Optional<Path> file;
    Optional<Facts> now;
    try {
      file = source.localFile(asset);
      now = facts(source, asset);
    } catch (IOException e) {
      return new Outcome.Kept(path, "cannot look at it: " + reason(e));
    }
    if (file.isEmpty()) {
      return new Outcome.Kept(path, "its source does not keep it as a local file");
    }
    Decision decision = Originals.decide(setting, verdict, factsOf(asset), now, backedUpAt, clock.instant());
    if (decision instanceof Decision.Keep keep) {
      return new Outcome.Kept(
          path, keep.reasons().stream().sorted().map(Decision.Reason::words).collect(Collectors.joining("; ")));
    }
    if (decision instanceof Decision.Move move && setting.action() instanceof Action.MoveTo to) {
      Optional<String> problem = moveProblem(file.get(), path, to.folder());
      if (problem.isPresent()) {
        return new Outcome.Kept(path, problem.get());
      }
    }
    Freed freed =
        new Freed(
            path,
            decision instanceof Decision.Move ? Freed.Action.MOVED : Freed.Action.DELETED,
            decision instanceof Decision.Move move ? Optional.of(move.to()) : Optional.empty(),
            verdict.proof().orElseThrow().sha256(),
            verdict.remotePath(),
            backedUpAt,
            clock.instant());
    long row;
    try {
      row = journal.intend(libraryId, freed, verdict.proof().get().evidence().name());
    } catch (SQLException e) {
      return new Outcome.Kept(path, "cannot write to the journal what would be done: " + e.getMessage());
    }
    Optional<String> abandoned = take(freed, file.get(), source, asset);
    try {
      journal.settle(row, abandoned.isPresent() ? FreedLog.State.ABANDONED : FreedLog.State.DONE, abandoned);
    } catch (SQLException e) {
      // The intent is recorded; whether the file is still there tells what happened.
      log.warn("cannot record in the journal that {} was {}: {}", path, freed.action(), e.getMessage());
    }
    return abandoned.<Outcome>map(why -> new Outcome.Kept(path, why)).orElseGet(() -> new Outcome.Done(freed));
  }

  /** Takes the action; empty when taken, else why not. */
  private static Optional<String> take(Freed freed, Path file, AssetSource source, Asset asset) {
    Facts verified = factsOf(asset);
    try {
      if (freed.action() == Freed.Action.DELETED) {
        // Hashed once more, then checked unchanged: an edit during the hashing moves its ctime.
        String sha256 = sha256Of(file);
        if (!sha256.equals(freed.sha256())) {
          return Optional.of("it no longer hashes to the sha256 its backup was proven to hold");
        }
        if (!facts(source, asset).equals(Optional.of(verified))) {
          return Optional.of("it changed while it was hashed once more");
        }
        Files.delete(file);
        return Optional.empty();
      }
      if (!facts(source, asset).equals(Optional.of(verified))) {
        return Optional.of("it changed since it was verified");
      }
      return move(file, freed.movedTo().orElseThrow(), freed.sha256());
    } catch (IOException e) {
      return Optional.of("cannot " + (freed.action() == Freed.Action.DELETED ? "delete" : "move") + " it: " + reason(e));
    }
  }

  /**
   * Moves without ever replacing a file: a hard link made at the destination, which fails if
   * anything is there, then the original unlinked; across file systems, a copy to a new file,
   * hashed and compared before the original goes. The new name (and a copy's bytes) reach the disk
   * before the original is unlinked, so a power cut leaves at least one of them.
   */
  private static Optional<String> move(Path file, Path to, String sha256) throws IOException {
    Files.createDirectories(to.getParent());
    try {
      Files.createLink(to, file);
    } catch (FileAlreadyExistsException e) {
      return Optional.of("something is already at " + to + "; it is not overwritten");
    } catch (FileSystemException | UnsupportedOperationException e) {
      try {
        Files.copy(file, to, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
      } catch (FileAlreadyExistsException exists) {
        return Optional.of("something is already at " + to + "; it is not overwritten");
      }
      try (FileChannel copy = FileChannel.open(to, StandardOpenOption.WRITE)) {
        copy.force(true);
      }
      if (!sha256Of(to).equals(sha256)) {
        Files.delete(to);
        return Optional.of("its copy at " + to + " did not hash to its sha256; the copy was removed");
      }
    }
    syncFolder(to.getParent());
    Files.delete(file);
    return Optional.empty();
  }

  private static void syncFolder(Path folder) {
    try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // Some file systems cannot sync a folder (Windows); their entries are written through anyway.
    }
  }

  /**
   * Why moving {@code file} there is unsafe: the folder is inside the library's own folder (its
   * originals would be scanned again as new ones); empty when it is not.
   */
  private static Optional<String> moveProblem(Path file, String relativePath, Path folder) {
    Path root = file.toAbsolutePath();
    for (int i = 0; i < relativePath.split("/", -1).length && root != null; i++) {
      root = root.getParent();
    }
    if (root == null) {
      return Optional.of("cannot tell the library's folder from " + file);
    }
    if (real(folder).startsWith(real(root))) {
      return Optional.of("the move-to folder " + folder + " is inside the library's folder " + root);
    }
    return Optional.empty();
  }

  private static Path real(Path path) {
    Path absolute = path.toAbsolutePath().normalize();
    Path existing = absolute;
    while (existing.getParent() != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    try {
      return existing.toRealPath().resolve(existing.relativize(absolute)).normalize();
    } catch (IOException e) {
      return absolute;
    }
  }

  private static Optional<Facts> facts(AssetSource source, Asset asset) throws IOException {
    return source.refresh(asset).map(FreeSpace::factsOf);
  }

  private static Facts factsOf(Asset asset) {
    return new Facts(asset.size(), asset.modifiedAt(), asset.changeStamp());
  }

  private static String sha256Of(Path file) throws IOException {
    MessageDigest digest = Sha256.newDigest();
    byte[] buffer = new byte[BUFFER_BYTES];
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
    }
    return Sha256.hex(digest);
  }

  private static String reason(IOException e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
