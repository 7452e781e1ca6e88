package dev.autoupload.http;

import dev.autoupload.engine.UploadEngine;
import dev.autoupload.engine.library.Library;
import dev.autoupload.engine.verify.FileVerdict.Mark;
import dev.autoupload.engine.verify.VerifyMode;
import dev.autoupload.engine.verify.VerifyProgress;
import dev.autoupload.engine.verify.VerifyReport;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.pekko.http.javadsl.model.StatusCodes;

/**
 * The verifications the endpoint runs, one at a time, and the latest one's report. Each
 * verification checks its libraries one after the other, telling the event feed its progress,
 * every file's verdict and its end.
 */
final class Verifications {

  private final UploadEngine engine;
  private final EventFeed feed;
  private final Clock clock;
  private Optional<Job> latest = Optional.empty();

  Verifications(UploadEngine engine, EventFeed feed, Clock clock) {
    this.engine = engine;
    this.feed = feed;
    this.clock = clock;
  }

  /**
   * Starts verifying {@code libraryId}, or every library the engine backs up when empty.
   *
   * @throws ApiProblem 409 while a verification runs, 404 for an unknown library or none at all
   */
  synchronized ApiJson.Verification start(Optional<String> libraryId, VerifyMode mode) {
    if (latest.isPresent() && latest.get().running()) {
      String id = latest.get().id;
      throw new ApiProblem(
          StatusCodes.CONFLICT,
          "verification " + id + " is still running; follow it at /api/verify/" + id + " or on /api/events",
          Optional.empty());
    }
    List<Library> libraries = libraries(libraryId);
    Job job = new Job(UUID.randomUUID().toString(), mode, libraries.stream().map(Library::id).toList(), clock.instant());
    latest = Optional.of(job);
    CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
    for (Library library : libraries) {
      chain = chain.thenCompose(done -> engine.verify(library, mode, job::progress).thenAccept(job::finished));
    }
    chain.whenComplete((done, error) -> job.end(Optional.ofNullable(error)));
    return job.json(false);
  }

  private List<Library> libraries(Optional<String> libraryId) {
    List<Library> all = engine.libraries();
    if (all.isEmpty()) {
      throw new ApiProblem(StatusCodes.NOT_FOUND, "there is no library to verify", Optional.empty());
    }
    if (libraryId.isEmpty()) {
      return all;
    }
    return all.stream()
        .filter(library -> library.id().equals(libraryId.get()))
        .findFirst()
        .map(List::of)
        .orElseThrow(
            () ->
                new ApiProblem(
                    StatusCodes.NOT_FOUND,
                    "no library " + libraryId.get() + " here; this instance backs up "
                        + String.join(", ", all.stream().map(Library::id).toList()),
                    Optional.of("library")));
  }

  /** The latest verification's report, with its files once it has ended. */
  synchronized ApiJson.Verification latest() {
    return latest
        .map(job -> job.json(true))
        .orElseThrow(() -> new ApiProblem(StatusCodes.NOT_FOUND, "no verification has run yet", Optional.empty()));
  }

  /** The report of verification {@code id}; only the latest is kept. */
  synchronized ApiJson.Verification get(String id) {
    return latest
        .filter(job -> job.id.equals(id))
        .map(job -> job.json(true))
        .orElseThrow(
            () ->
                new ApiProblem(
                    StatusCodes.NOT_FOUND, "no verification " + id + " (only the latest is kept)", Optional.empty()));
  }

  /** One verification: its progress, updated from engine threads, and its reports. */
  private final class Job {
    private final String id;
    private final VerifyMode mode;
    private final List<String> libraries;
    private final Instant startedAt;
    private final List<VerifyReport> reports = new ArrayList<>();
    private final Map<Mark, Long> counts = new EnumMap<>(Mark.class);
    private long total;
    private long checked;
    /** Of the libraries already done; the one running adds its own. */
    private long bytesReadBefore;
    private long bytesRead;
    private Optional<Instant> finishedAt = Optional.empty();
    private Optional<String> error = Optional.empty();

    Job(String id, VerifyMode mode, List<String> libraries, Instant startedAt) {
      this.id = id;
      this.mode = mode;
      this.libraries = libraries;
      this.startedAt = startedAt;
    }

    synchronized boolean running() {
      return finishedAt.isEmpty();
    }

    /** Called by the engine, one call at a time per library. */
    void progress(VerifyProgress progress) {
      String library;
      ApiJson.VerifyProgressEvent event;
      synchronized (this) {
        if (progress instanceof VerifyProgress.Checked one) {
          library = one.libraryId();
          checked++;
          counts.merge(one.file().mark(), 1L, Long::sum);
          bytesRead = bytesReadBefore + one.bytesRead();
        } else if (progress instanceof VerifyProgress.Started started) {
          library = started.libraryId();
          total += started.files();
        } else {
          // Verifications through the endpoint never free up space; nothing else is counted.
          return;
        }
        event = new ApiJson.VerifyProgressEvent(id, library, checked, total, bytesRead);
      }
      if (progress instanceof VerifyProgress.Checked one) {
        feed.publish(EventFeed.VERIFY_FILE, new ApiJson.VerifyFileEvent(id, ApiJson.VerifiedFile.of(library, one.file())));
      }
      feed.publish(EventFeed.VERIFY_PROGRESS, event);
    }

    synchronized void finished(VerifyReport report) {
      reports.add(report);
      bytesReadBefore += report.bytesRead();
      bytesRead = bytesReadBefore;
    }

    void end(Optional<Throwable> failure) {
      ApiJson.Verification done;
      synchronized (this) {
        error =
            failure.map(e -> e instanceof CompletionException && e.getCause() != null ? e.getCause() : e)
                .map(e -> e.getMessage() == null ? e.toString() : e.getMessage());
        finishedAt = Optional.of(clock.instant());
        done = json(false);
      }
      feed.publish(EventFeed.VERIFY_DONE, done);
    }

    synchronized ApiJson.Verification json(boolean withFiles) {
      Optional<List<ApiJson.VerifiedFile>> files =
          withFiles && finishedAt.isPresent()
              ? Optional.of(
                  reports.stream()
                      .flatMap(report -> report.files().stream().map(file -> ApiJson.VerifiedFile.of(report.libraryId(), file)))
                      .toList())
              : Optional.empty();
      return new ApiJson.Verification(
          id,
          finishedAt.isEmpty() ? "running" : error.isPresent() ? "failed" : "done",
          ApiJson.mode(mode),
          libraries,
          startedAt,
          finishedAt,
          checked,
          total,
          bytesRead,
          ApiJson.VerifyCounts.of(checked, counts),
          finishedAt.isPresent() && error.isEmpty()
              ? Optional.of(reports.stream().allMatch(VerifyReport::complete))
              : Optional.empty(),
          error,
          files);
    }
  }
}
