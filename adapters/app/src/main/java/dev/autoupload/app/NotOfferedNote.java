package dev.autoupload.app;

import dev.autoupload.engine.library.NotOffered;
import java.util.Optional;

/**
 * The line a run prints on stderr when its scan passed over files for their extension: a folder
 * of documents backed up nothing and said nothing but {@code files=0}, which looked like a backup.
 */
final class NotOfferedNote {

  private NotOfferedNote() {}

  /** {@return the note for {@code source}'s last scan, empty when it passed over nothing}. */
  static Optional<String> of(String source, NotOffered notOffered) {
    return notOffered
        .describe(source)
        .map(words -> "autoupload: note: " + OneLine.of(words) + "; autoupload.source.folder.extensions lists what is");
  }
}
