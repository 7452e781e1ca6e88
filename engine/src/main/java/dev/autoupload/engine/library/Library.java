package dev.autoupload.engine.library;

import java.util.Objects;

/**
 * A library to back up: where assets come from and where they go.
 *
 * @param id stable name of the library, used in the journal; letters, digits, '-', '_' and '.'
 */
public record Library(String id, AssetSource source, dev.autoupload.engine.upload.UploadTarget target) {

  public Library {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(target, "target");
    if (id == null || !id.matches("[A-Za-z0-9._-]{1,100}")) {
      throw new IllegalArgumentException(
          "library id must be 1-100 letters, digits, '.', '_' or '-', got: " + id);
    }
  }
}
