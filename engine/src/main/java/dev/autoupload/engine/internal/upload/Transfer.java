package dev.autoupload.engine.internal.upload;

import dev.autoupload.engine.library.Asset;
import dev.autoupload.engine.library.AssetSource;
import dev.autoupload.engine.upload.Md5;
import dev.autoupload.engine.upload.RemoteFile;
import dev.autoupload.engine.upload.RemoteState;
import dev.autoupload.engine.upload.Sha256;
import dev.autoupload.engine.upload.UploadError;
import dev.autoupload.engine.upload.UploadException;
import dev.autoupload.engine.upload.UploadSession;
import dev.autoupload.engine.upload.UploadTarget;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * The moving parts of one upload attempt: the open source stream, the target session and the
 * running sha256. Every method blocks and is called from the blocking-I/O dispatcher, one step
 * at a time; {@link FileUpload} decides which step comes next.
 *
 * <p>On a resumed upload the bytes the target already holds are read from the source once more,
 * locally, to hash them (the final hash always covers the whole file) and to let the session check
 * them against what the target holds.
 */
final class Transfer {

  private final Asset asset;
  private final AssetSource source;
  private final UploadTarget target;
  private final String remotePath;
  private final Optional<String> resumeToken;
  private final byte[] buffer;
  private final BandwidthLimiter bandwidth;
  private final MessageDigest digest = Sha256.newDigest();

  /** The file this upload is to replace ({@code on-conflict = overwrite}); null when none. */
  private RemoteState.Complete replacing;
  private InputStream in;
  private UploadSession session;
  private long offset;
  private final StepTracker steps;
  private boolean busy;
  private volatile boolean cancelled;
  /** Set from the actor's thread, read by the step's: a chunk not yet read is then not sent. */
  private volatile boolean pauseRequested;
  /** Set while the actor writes a checkpoint: the step goes on sending meanwhile, see {@link #sendChunks}. */
  private volatile boolean checkpointing;

  Transfer(
      Asset asset,
      AssetSource source,
      UploadTarget target,
      String remotePath,
      Optional<String> resumeToken,
      int chunkBytes,
      BandwidthLimiter bandwidth,
      StepTracker steps) {
    this.asset = asset;
    this.source = source;
    this.target = target;
    this.remotePath = remotePath;
    this.resumeToken = resumeToken;
    this.bandwidth = bandwidth;
    this.steps = steps;
    this.buffer = new byte[(int) Math.min(chunkBytes, Math.max(1, asset.size()))];
  }

  /** The source's hashes, lowercase hex: sha256 always, MD5 (else null) for targets that report only that. */
  record SourceHashes(String sha256, String md5) {}

  /** Where an opened session stands, and the token to record before sending. */
  record Opening(long offset, Optional<String> resumeToken) {}

  /**
   * What the target holds under the remote path. A finished file of the source's size whose hash
   * the target cannot tell (plain WebDAV without its sidecar: another app's file, or this upload's
   * own after a kill between publishing and writing the sidecar) is read back to learn it, where
   * the target can, so it is known the same or different instead of staying a conflict.
   */
  RemoteState probe() throws UploadException {
    RemoteState found = target.probe(remotePath, resumeToken);
    if (!(found instanceof RemoteState.Complete complete) || complete.hasHash() || complete.size() != asset.size()) {
      return found;
    }
    Optional<InputStream> readBack = target.openRead(remotePath);
    if (readBack.isEmpty()) {
      return found;
    }
    MessageDigest read = Sha256.newDigest();
    try (InputStream in = readBack.get()) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        read.update(buffer, 0, n);
      }
    } catch (IOException e) {
      throw new UploadException(
          new UploadError.Transient("cannot read back " + remotePath + " to compare it: " + e.getMessage()), e);
    }
    return new RemoteState.Complete(complete.size(), Optional.of(Sha256.hex(read)), complete.md5());
  }

  /** Makes the upload, once opened, replace {@code found}, the file the probe found. */
  void replace(RemoteState.Complete found) {
    this.replacing = found;
  }

  /** Whether the upload replaces a file on the target. */
  boolean replaces() {
    return replacing != null;
  }

  /**
   * The source's hashes to compare with the file {@code remote} the target already holds: the
   * content hash learnt when the asset was identified, while the file is as it was scanned;
   * otherwise the source read once more. MD5 only where the target reports nothing stronger.
   */
  SourceHashes hashesFor(RemoteState.Complete remote) throws UploadException, AssetGoneException {
    boolean withMd5 = remote.sha256().isEmpty() && remote.md5().isPresent();
    return withMd5 ? hashSource(true) : new SourceHashes(sourceSha256(), null);
  }

  /**
   * The source's sha256 without sending any of it: the content hash learnt when the asset was
   * identified, while the file is as it was scanned; otherwise the source read once to hash it.
   */
  private String sourceSha256() throws UploadException, AssetGoneException {
    if (asset.contentHash().isPresent() && current().map(this::asScanned).orElse(false)) {
      return asset.contentHash().get();
    }
    return hashSource(false).sha256();
  }

  /** Hashes the whole source. */
  private SourceHashes hashSource(boolean withMd5) throws UploadException, AssetGoneException {
    MessageDigest sha256 = Sha256.newDigest();
    MessageDigest md5 = withMd5 ? Md5.newDigest() : null;
    try (InputStream whole = openSource()) {
      for (int n; (n = whole.read(buffer)) > 0; ) {
        sha256.update(buffer, 0, n);
        if (md5 != null) {
          md5.update(buffer, 0, n);
        }
      }
      return new SourceHashes(Sha256.hex(sha256), md5 == null ? null : Sha256.hex(md5));
    } catch (IOException e) {
      throw sourceFailure(e);
    }
  }

  /** The asset as the source sees it now; empty when it is gone. */
  private Optional<Asset> current() throws UploadException, AssetGoneException {
    try {
      return source.refresh(asset);
    } catch (IOException e) {
      throw sourceFailure(e);
    }
  }

  /** Whether {@code now} is still the version the scan saw: size, modification time, change stamp. */
  private boolean asScanned(Asset now) {
    return now.version().equals(asset.version());
  }

  /**
   * Opens the target session where the target says it stands, and brings the source stream and
   * the hash to the same offset.
   *
   * @return the offset the upload continues from, and the session's resume token
   */
  Opening open() throws UploadException, AssetGoneException, AssetChangedException {
    // The source first: a file that cannot be read must leave nothing behind on the target.
    Optional<String> sha256 =
        target.wantsSha256First(asset.size()) ? Optional.of(sourceSha256()) : Optional.empty();
    in = openSource();
    if (sha256.isPresent()) {
      session = target.openKnowing(remotePath, asset.size(), resumeToken, replacing != null, sha256.get());
    } else {
      session =
          replacing != null
              ? target.openReplacing(remotePath, asset.size(), resumeToken)
              : target.open(remotePath, asset.size(), resumeToken);
    }
    offset = session.offset();
    if (offset < 0 || offset > asset.size()) {
      long claimed = offset;
      offset = 0;
      throw new UploadException(
          new UploadError.Permanent(
              "target reports offset " + claimed + " for " + remotePath + " of " + asset.size() + " bytes"));
    }
    try {
      long skipped = 0;
      while (skipped < offset) {
        int n = in.read(buffer, 0, (int) Math.min(buffer.length, offset - skipped));
        if (n < 0) {
          throw shorter();
        }
        digest.update(buffer, 0, n);
        session.alreadySent(skipped, ByteBuffer.wrap(buffer, 0, n));
        skipped += n;
      }
    } catch (IOException e) {
      throw sourceFailure(e);
    }
    return new Opening(offset, session.resumeToken());
  }

  /**
   * Reads the next chunk from the source, hashes it and sends it. Returns the new offset, which is
   * unchanged when a pause came while the chunk waited for bandwidth: then nothing was read or sent.
   */
  long sendChunk() throws UploadException, AssetGoneException, AssetChangedException {
    int want = (int) Math.min(buffer.length, asset.size() - offset);
    try {
      bandwidth.acquire(want);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UploadException(new UploadError.Transient("interrupted while waiting for bandwidth"), e);
    }
    if (pauseRequested) {
      return offset;
    }
    int filled = 0;
    try {
      while (filled < want) {
        int n = in.read(buffer, filled, want - filled);
        if (n < 0) {
          throw shorter();
        }
        filled += n;
      }
    } catch (IOException e) {
      throw sourceFailure(e);
    }
    digest.update(buffer, 0, filled);
    offset = session.append(offset, ByteBuffer.wrap(buffer, 0, filled));
    return offset;
  }

  /**
   * Sends the next chunk, and more while the actor is writing a checkpoint: the actor takes no
   * message until the journal has it, and nothing needs to wait for it (the target, not the
   * journal, says where a later attempt goes on), so the upload does not stop for each commit.
   * Returns as {@link #sendChunk} does.
   */
  long sendChunks() throws UploadException, AssetGoneException, AssetChangedException {
    long reached = sendChunk();
    while (checkpointing && !pauseRequested && !cancelled && reached < asset.size()) {
      long before = reached;
      reached = sendChunk();
      if (reached == before) {
        break;
      }
    }
    return reached;
  }

  /** Tells the step whether a checkpoint is being written, during which it keeps sending. */
  void checkpointing(boolean writing) {
    checkpointing = writing;
  }

  /**
   * The source ended before the size scanned: it is another version now, to be scanned again once
   * it settles, not a failure to retry against the size it no longer has.
   */
  private AssetChangedException shorter() {
    return new AssetChangedException(
        asset.relativePath() + " became shorter while it was uploaded; it is uploaded again once it settles");
  }

  /**
   * Makes sure the source still holds what was sent, and that it is not a content backed up
   * already which the upload learnt only as it sent it, then asks the target to verify size and
   * hash and publish the file.
   */
  RemoteFile complete(KnownBackups backups)
      throws UploadException, AssetGoneException, AssetChangedException, ContentBackedUpException {
    String sha256 = Sha256.hex(digest);
    requireSourceUnchanged(sha256);
    Optional<String> copy = FileUpload.copyLearntLate(asset, sha256, backups);
    if (copy.isPresent()) {
      throw new ContentBackedUpException(sha256, copy.get());
    }
    if (replacing != null) {
      requireReplacedFileUnchanged();
    }
    RemoteFile file = session.complete(asset.size(), sha256);
    if (file.size() != asset.size() || !file.sha256().equalsIgnoreCase(sha256)) {
      throw new UploadException(
          new UploadError.Transient(
              "target confirmed " + file.size() + " bytes with sha256 " + file.sha256()
                  + " but sent " + asset.size() + " bytes with sha256 " + sha256));
    }
    return file;
  }

  /**
   * The decision to replace was made for the file found then: one that has changed since (another
   * device wrote it) is not replaced unseen.
   */
  private void requireReplacedFileUnchanged() throws UploadException {
    RemoteState now = target.probe(remotePath, resumeToken);
    if (now instanceof RemoteState.Complete found && !found.sameFileAs(replacing)) {
      throw new UploadException(
          new UploadError.Conflict(
              "the file at " + remotePath + " changed on the target since it was found; it was not replaced"));
    }
  }

  /**
   * After the last byte: a source that is no longer the version scanned is read once more, and
   * only content hashing the same as what was streamed may be published; a deleted one is gone.
   * Content other than what the asset was identified as is not published either, even when the
   * file holds it now: the plan (which content is already backed up, under which name) was made for
   * the identified content, so the new version goes through the plan again.
   */
  private void requireSourceUnchanged(String streamedSha256)
      throws UploadException, AssetGoneException, AssetChangedException {
    Optional<Asset> now = current();
    if (now.isEmpty()) {
      throw new AssetGoneException(asset.relativePath() + " was deleted while it was uploaded", null);
    }
    if (asScanned(now.get())) {
      return;
    }
    boolean asIdentified = asset.contentHash().map(identified -> identified.equalsIgnoreCase(streamedSha256)).orElse(true);
    if (!asIdentified || now.get().size() != asset.size() || !hashSource(false).sha256().equals(streamedSha256)) {
      throw new AssetChangedException(
          asset.relativePath() + " changed while it was uploaded; it is uploaded again once it settles");
    }
  }

  long offset() {
    return offset;
  }

  /** Whether a later attempt could go on from this one's offset; false before it is opened. */
  boolean resumable() {
    return session != null && session.resumable();
  }

  String remotePath() {
    return remotePath;
  }

  void pause(boolean paused) {
    pauseRequested = paused;
  }

  synchronized void startStep() {
    busy = true;
    steps.enter();
  }

  /** Called when a step ends; closes everything if the upload was cancelled meanwhile. */
  synchronized void endStep() {
    busy = false;
    if (cancelled) {
      closeQuietly();
    }
    steps.exit();
  }

  /**
   * Releases the source and the session, now or, when a step is running on another thread, as
   * soon as it ends. What the target received is kept for a later resume.
   */
  synchronized void cancel() {
    cancelled = true;
    if (!busy) {
      closeQuietly();
    }
  }

  private void closeQuietly() {
    if (session != null) {
      session.close();
      session = null;
    }
    if (in != null) {
      try {
        in.close();
      } catch (IOException ignored) {
        // Nothing left to read from it; the next attempt opens the source again.
      }
      in = null;
    }
  }

  private InputStream openSource() throws UploadException, AssetGoneException {
    try {
      return source.open(asset);
    } catch (IOException e) {
      throw sourceFailure(e);
    }
  }

  /** Classifies a source problem: a vanished file is skipped, anything else fails the asset. */
  private UploadException sourceFailure(IOException e) throws AssetGoneException {
    if (e instanceof NoSuchFileException || e instanceof FileNotFoundException) {
      throw new AssetGoneException(asset.relativePath() + " no longer exists", e);
    }
    String reason =
        e instanceof AccessDeniedException
            ? "permission denied"
            : e.getMessage() == null
            ? e.getClass().getSimpleName()
            : e.getMessage();
    String message =
        reason.startsWith("cannot read") ? reason : "cannot read " + asset.relativePath() + ": " + reason;
    return new UploadException(new UploadError.Permanent(message), e);
  }
}
