package dev.autoupload.engine.internal.verify;

import com.typesafe.config.Config;
import dev.autoupload.engine.freespace.FreeSpace;
import dev.autoupload.engine.freespace.Outcome;
import dev.autoupload.engine.internal.library.OwnAssets;
import dev.autoupload.engine.library.Asset;
import dev.autoupload.engine.library.AssetSource;
import dev.autoupload.engine.library.ContentHashCache;
import dev.autoupload.engine.library.Library;
import dev.autoupload.engine.library.RemoteLayout;
import dev.autoupload.engine.upload.NameRules;
import dev.autoupload.engine.verify.FileCheck;
import dev.autoupload.engine.verify.FileVerdict;
import dev.autoupload.engine.verify.Verdicts;
import dev.autoupload.engine.verify.VerifyException;
import dev.autoupload.engine.verify.VerifyMode;
import dev.autoupload.engine.verify.VerifyProgress;
import dev.autoupload.engine.verify.VerifyReport;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies libraries against their targets without trusting the journal: every file the source
 * holds now is looked for on the target, where the journal recorded its content, else under its
 * layout path, else beside that under its keep-both names (see {@link Verdicts#places}), and is
 * checked there by {@link FileCheck}. The journal only says where to look; what counts is what the
 * target holds.
 */
public final class Verifier {

  private static final Logger log = LoggerFactory.getLogger(Verifier.class);

  private final ActorSystem<?> system;
  private final RemoteLayout layout;
  private final ContentHashCache hashes;
  private final int parallelism;
  private final Executor blockingIo;

  /**
   * @param system the engine's, whose journal holds the libraries' records
   * @param layout where a file goes on the target when the journal did not record it
   * @param hashes content hashes already known, so an unchanged file is not read again
   * @param parallelism files checked at once
   * @param blockingIo where reads and target calls run
   */
  public Verifier(ActorSystem<?> system, RemoteLayout layout, ContentHashCache hashes, int parallelism, Executor blockingIo) {
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism must be at least 1, got " + parallelism);
    }
    this.system = system;
    this.layout = layout;
    this.hashes = hashes;
    this.parallelism = parallelism;
    this.blockingIo = blockingIo;
  }

  /**
   * {@code autoupload.verify.parallelism} from a resolved configuration.
   *
   * @param config the engine's configuration, with its defaults under it
   * @return the number of files checked at once
   * @throws IllegalArgumentException when it is below 1
   * @throws com.typesafe.config.ConfigException when it is missing or not a number
   */
  public static int parallelism(Config config) {
    int parallelism = config.getInt("autoupload.verify.parallelism");
    if (parallelism < 1) {
      throw new IllegalArgumentException("autoupload.verify.parallelism must be at least 1, got " + parallelism);
    }
    return parallelism;
  }

  /**
   * Verifies {@code library}; see {@link dev.autoupload.engine.UploadEngine#verify}. Cancelling the
   * returned future stops it once the files being checked are done.
   *
   * @param library the library, whose source and target are read
   * @param mode how closely each file is checked
   * @param progress told of each file as it is checked, on a thread of {@code blockingIo}
   * @return the report, or a {@link VerifyException} when the journal, source or target cannot be
   *     read at all
   */
  public CompletableFuture<VerifyReport> verify(Library library, VerifyMode mode, Consumer<VerifyProgress> progress) {
    return verify(library, mode, Optional.empty(), progress);
  }

  /**
   * Verifies {@code library} and, with {@code freeSpace}, acts on each original right after its
   * verdict, while what verify read of it is freshest; see {@link
   * dev.autoupload.engine.UploadEngine#verifyAndFreeSpace}.
   *
   * @param library the library, whose source and target are read
   * @param mode how closely each file is checked
   * @param freeSpace what to do with an original once its backup is proven; empty to only verify
   * @param progress told of each file as it is checked, on a thread of {@code blockingIo}
   * @return the report, or a {@link VerifyException} when the journal, source or target cannot be
   *     read at all
   */
  public CompletableFuture<VerifyReport> verify(
      Library library, VerifyMode mode, Optional<FreeSpace> freeSpace, Consumer<VerifyProgress> progress) {
    long startedNanos = System.nanoTime();
    CompletableFuture<VerifyReport> report = new CompletableFuture<>();
    JournalIndex.read(system, library.id())
        .whenComplete(
            (journal, error) -> {
              if (error != null) {
                report.completeExceptionally(
                    new VerifyException(
                        VerifyException.Problem.JOURNAL_UNREADABLE,
                        "cannot read the journal of library " + library.id() + ": " + message(error),
                        error));
              } else {
                CompletableFuture.runAsync(
                        () -> check(library, journal, mode, freeSpace, progress, startedNanos, report), blockingIo)
                    .exceptionally(failure -> {
                      report.completeExceptionally(failure instanceof CompletionException ? failure.getCause() : failure);
                      return null;
                    });
              }
            });
    return report;
  }

  private void check(
      Library library,
      JournalIndex journal,
      VerifyMode mode,
      Optional<FreeSpace> freeSpace,
      Consumer<VerifyProgress> listener,
      long startedNanos,
      CompletableFuture<VerifyReport> report) {
    AssetSource source = OwnAssets.of(library.id(), library.source());
    List<Asset> assets = scan(source);
    Progress progress = new Progress(library.id(), assets.size(), listener);
    progress.tell(new VerifyProgress.Started(library.id(), assets.size(), assets.stream().mapToLong(Asset::size).sum()));
    NameRules rules = library.target().nameRules();
    FileCheck check =
        new FileCheck(
            source,
            hashes,
            library.target(),
            (asset, sha256) -> Verdicts.places(journal.pathFor(asset.id(), sha256), layout.remotePath(asset, rules), sha256),
            mode);
    FileVerdict[] verdicts = new FileVerdict[assets.size()];
    Outcome[] outcomes = new Outcome[freeSpace.isPresent() ? assets.size() : 0];
    AtomicInteger next = new AtomicInteger();
    Runnable worker =
        () -> {
          for (int i; !report.isDone() && (i = next.getAndIncrement()) < verdicts.length; ) {
            Asset asset = assets.get(i);
            verdicts[i] = check.check(asset);
            progress.checked(verdicts[i], check.bytesRead());
            if (freeSpace.isPresent()) {
              Optional<Instant> uploadedAt =
                  verdicts[i].proof().flatMap(proof -> journal.uploadedAt(proof.sha256()));
              outcomes[i] = freeSpace.get().after(library.id(), source, asset, verdicts[i], uploadedAt);
              progress.tell(new VerifyProgress.AfterBackup(library.id(), outcomes[i]));
            }
          }
        };
    CompletableFuture<?>[] workers = new CompletableFuture<?>[Math.min(parallelism, Math.max(1, assets.size()))];
    Arrays.setAll(workers, n -> CompletableFuture.runAsync(worker, blockingIo));
    CompletableFuture.allOf(workers)
        .whenComplete(
            (done, error) -> {
              if (error != null) {
                report.completeExceptionally(error);
              } else {
                report.complete(
                    new VerifyReport(
                        library.id(), mode, Arrays.asList(verdicts), check.bytesRead(),
                        Duration.ofNanos(System.nanoTime() - startedNanos), Arrays.asList(outcomes)));
              }
            });
  }

  private static List<Asset> scan(AssetSource source) {
    List<Asset> assets = new ArrayList<>();
    try {
      source.scan(assets::addAll);
    } catch (Exception e) {
      throw new VerifyException(
          VerifyException.Problem.SCAN_FAILED,
          "cannot scan " + source.describe() + ": " + message(e),
          e);
    }
    return assets;
  }

  private static String message(Throwable error) {
    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    return cause.getMessage() == null ? cause.toString() : cause.getMessage();
  }

  /** Tells the listener one thing at a time, whichever thread checked the file. */
  private static final class Progress {
    private final String libraryId;
    private final long total;
    private final Consumer<VerifyProgress> listener;
    private long checked;

    Progress(String libraryId, long total, Consumer<VerifyProgress> listener) {
      this.libraryId = libraryId;
      this.total = total;
      this.listener = listener;
    }

    synchronized void checked(FileVerdict verdict, long bytesRead) {
      tell(new VerifyProgress.Checked(libraryId, verdict, ++checked, total, bytesRead));
    }

    synchronized void tell(VerifyProgress event) {
      try {
        listener.accept(event);
      } catch (RuntimeException e) {
        log.warn("A verify listener failed on {}", event, e);
      }
    }
  }
}
