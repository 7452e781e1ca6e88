package dev.autoupload.targets.webdav;

import dev.autoupload.engine.upload.RemoteFile;
import dev.autoupload.engine.upload.UploadError;
import dev.autoupload.engine.upload.UploadException;
import dev.autoupload.targets.StreamedSession;
import dev.autoupload.targets.TargetSettings;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * One WebDAV upload: one PUT of the part whose body is streamed as the chunks are appended; on
 * completion its stored size is checked, it is moved into place and its hash kept in the folder's
 * manifest (see {@link WebDavTarget}), or in a sidecar when its name starts with a dot. Always
 * starts at offset 0, as a plain WebDAV PUT cannot be continued.
 */
final class WebDavSession extends StreamedSession {

  private final WebDavTarget target;
  private final WebDavTarget.Location location;
  private final boolean replace;

  /**
   * @param replace whether the upload replaces a file already under the final name
   * @param settings the target's timeouts
   * @param release called once when the session closes, to let a later session open the path
   */
  WebDavSession(
      WebDavTarget target,
      WebDavTarget.Location location,
      long size,
      boolean replace,
      TargetSettings settings,
      Runnable release) {
    super(location.remotePath(), location.display(), size, settings, release);
    this.target = target;
    this.location = location;
    this.replace = replace;
  }

  @Override
  protected CompletableFuture<HttpResponse<String>> send(HttpRequest.BodyPublisher body) {
    return target.sendPart(location, body);
  }

  @Override
  protected String operation() {
    return "PUT " + location.display();
  }

  @Override
  protected void requireStored(HttpResponse<String> answer) throws UploadException {
    target.requirePartStored(location, answer);
  }

  @Override
  protected RemoteFile publish(HttpResponse<String> answer, Duration sending, long size, String sha256)
      throws UploadException {
    Optional<Instant> sent = WebDavTarget.dateOf(answer);
    Optional<Multistatus> part = target.statPart(location);
    long stored =
        part.filter(p -> p.contentLength().isPresent()).map(p -> p.contentLength().getAsLong()).orElse(-1L);
    if (stored != size) {
      target.deletePartQuietly(location);
      throw mismatch(
          "the server stored " + (stored < 0 ? "nothing it reports a size for" : stored + " bytes")
              + ", expected " + size);
    }
    if (WebDavTarget.inManifest(location)) {
      Optional<Optional<Instant>> moved = target.movePartIntoPlace(location, replace);
      if (moved.isPresent()) {
        target.published(location, size, sha256, sent, sending, moved.get());
      } else {
        acceptExisting(size, sha256);
      }
      return new RemoteFile(location.remotePath(), size, sha256);
    }
    if (target.movePartIntoPlace(location, replace).isPresent()) {
      target.keepSha256(location, size, sha256, part.get());
    } else {
      acceptExisting(size, sha256);
    }
    return new RemoteFile(location.remotePath(), size, sha256);
  }

  /** A file already sits under the final name: fine if its known hash says it is ours. */
  private void acceptExisting(long expectedSize, String sha256) throws UploadException {
    target.deletePartQuietly(location);
    Optional<Multistatus> existing = target.statFile(location);
    Optional<String> known =
        existing.isPresent() && !existing.get().collection()
            ? target.knownSha256(location, existing.get())
            : Optional.empty();
    boolean same =
        existing.isPresent()
            && existing.get().contentLength().isPresent()
            && existing.get().contentLength().getAsLong() == expectedSize
            && known.map(sha256::equalsIgnoreCase).orElse(false);
    if (!same) {
      String why =
          existing.isPresent() && !existing.get().collection() && known.isEmpty()
              ? " already exists and the target cannot tell its hash"
              : " already exists with different content";
      throw new UploadException(new UploadError.Conflict(location.display() + why));
    }
  }
}
