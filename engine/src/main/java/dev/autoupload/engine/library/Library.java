package dev.autoupload.engine.library;

import java.util.Objects;

/**
 * A library to back up: where assets come from and where they go.
 *
 * @param id stable name of the library, used in the journal; letters, digits, '-', '_' and '.'
 * @param keepWatching whether the engine keeps watching the source after the first scan and backs
 *     up what appears later (see {@link AssetSource#watch}); false to back up what the first scan
 *     finds and stop
 */
public record Library(
    String id, AssetSource source, dev.autoupload.engine.upload.UploadTarget target, boolean keepWatching) {

  /** A library backed up once, as its first scan finds it. */
  public Library(String id, AssetSource source, dev.autoupload.engine.upload.UploadTarget target) {
    this(id, source, target, false);
  }

  /** This library, watched for new assets after its first scan. */
  public Library watched() {
    return new Library(id, source, target, true);
  }

  public Library {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(target, "target");
    if (id == null || !id.matches("[A-Za-z0-9._-]{1,100}")) {
      throw new IllegalArgumentException(
          "library id must be 1-100 letters, digits, '.', '_' or '-', got: " + id);
    }
  }
}
