package dev.autoupload.engine.internal.library;

import dev.autoupload.engine.library.Asset;
import java.util.Optional;

/**
 * Where an asset that needs backing up goes once the ledger was asked and, where needed, its content
 * read: a pure function of the asset, the {@link Ledger} and what the run is doing, each answer
 * naming its reason.
 */
sealed interface Placement {

  /** In plain words, for logs and tests. */
  String reason();

  /** Its content is already on the target: recorded as backed up without a byte sent. */
  record Alias(String content, String reason) implements Placement {}

  /**
   * Upload it. {@code content}: its known content, which copies found meanwhile then wait for;
   * {@code unread}: its content is unknown, so files of its size found meanwhile wait for it (they
   * may be its copies).
   */
  record Upload(Optional<String> content, boolean unread, String reason) implements Placement {}

  /**
   * Wait for the upload of another asset of its size to end: one of them goes unread, and one may
   * be a copy of the other.
   */
  record WaitForSize(String assetId, String reason) implements Placement {}

  /** Wait for the upload of another asset with its content: then it is that one's alias. */
  record WaitForContent(String assetId, String reason) implements Placement {}

  /** What the run is doing that placing an asset depends on. */
  interface Run {
    /** The asset of this size uploading unread, if any. */
    Optional<String> unreadOfSize(long size);

    /** The asset uploading this content, if any. */
    Optional<String> uploaderOf(String content);

    /** How many assets of this size the run has pending, this one included. */
    int pendingOfSize(long size);

    /** An asset of this size whose known content is being uploaded (queued, sending or retrying), if any. */
    Optional<String> uploadingOfSize(long size);
  }

  /**
   * Decides. {@code uploadEachCopy} is {@code same-content = upload-both}: every file is uploaded
   * under its own name and none is read first.
   */
  static Placement of(Asset asset, Ledger ledger, Run run, boolean uploadEachCopy) {
    Optional<String> content = asset.contentHash();
    if (uploadEachCopy) {
      return new Upload(Optional.empty(), false, "copies are uploaded each (same-content = upload-both)");
    }
    if (content.isPresent() && ledger.containsContent(content.get())) {
      return new Alias(content.get(), "its content is already backed up");
    }
    Optional<String> unread = run.unreadOfSize(asset.size()).filter(id -> !id.equals(asset.id()));
    if (unread.isPresent()) {
      return new WaitForSize(unread.get(), "it may be a copy of an asset of its size uploading unread");
    }
    if (content.isEmpty()) {
      if (cannotBeACopy(asset, ledger, run)) {
        return new Upload(Optional.empty(), true, "no backed-up or pending file has its size, so it cannot be a copy");
      }
      // Sent at once, it could publish that one's content a second time.
      Optional<String> sameSize = run.uploadingOfSize(asset.size()).filter(id -> !id.equals(asset.id()));
      if (sameSize.isPresent()) {
        return new WaitForSize(
            sameSize.get(), "its content could not be read, and it may be a copy of an asset of its size being uploaded");
      }
      return new Upload(
          Optional.empty(),
          true,
          "its content could not be read; its upload says why, or learns it and then publishes no content already"
              + " backed up");
    }
    Optional<String> uploader = run.uploaderOf(content.get()).filter(id -> !id.equals(asset.id()));
    if (uploader.isPresent()) {
      return new WaitForContent(uploader.get(), "another asset with its content is being uploaded");
    }
    return new Upload(content, false, "its content is not on the target yet");
  }

  /**
   * Whether {@code asset} may be uploaded without reading it first: its content is unknown, and it
   * shares its size with no other pending asset and no backed-up content, so it cannot be a copy.
   */
  static boolean cannotBeACopy(Asset asset, Ledger ledger, Run run) {
    return asset.contentHash().isEmpty()
        && run.pendingOfSize(asset.size()) == 1
        && !ledger.mayHoldContentOfSize(asset.size());
  }
}
