package dev.autoupload.app;

import dev.autoupload.engine.library.NotOffered;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The line a run prints on stderr when its scan passed over files for their extension: a folder
 * of documents backed up nothing and said nothing but {@code files=0}, which looked like a backup.
 */
final class NotOfferedNote {

  /** Extensions named at most; the rest are counted together. */
  private static final int MOST_NAMED = 5;

  private NotOfferedNote() {}

  /** {@return the note for {@code source}'s last scan, empty when it passed over nothing}. */
  static Optional<String> of(String source, NotOffered notOffered) {
    if (notOffered.files() == 0) {
      return Optional.empty();
    }
    List<Map.Entry<String, Integer>> most =
        notOffered.byExtension().entrySet().stream()
            .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
            .toList();
    List<Map.Entry<String, Integer>> named = most.subList(0, Math.min(MOST_NAMED, most.size()));
    int files = notOffered.files();
    int others = files - named.stream().mapToInt(Map.Entry::getValue).sum();
    String extensions =
        named.stream()
            .map(entry -> (entry.getKey().isEmpty() ? "no extension" : "." + entry.getKey()) + " " + entry.getValue())
            .collect(Collectors.joining(", "))
            + (others > 0 ? " and " + others + (others == 1 ? " file" : " files") + " of other extensions" : "");
    return Optional.of(
        "autoupload: note: " + files + (files == 1 ? " file" : " files") + " under " + OneLine.of(source)
            + (files == 1 ? " is" : " are") + " not a photo or video by extension and "
            + (files == 1 ? "was" : "were") + " not backed up (" + OneLine.of(extensions)
            + "); autoupload.source.folder.extensions lists what is");
  }
}
