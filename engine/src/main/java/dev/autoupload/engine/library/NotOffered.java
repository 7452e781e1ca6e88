package dev.autoupload.engine.library;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The files a source's last whole scan found and did not offer for a rule of its own, such as a
 * folder's files that are no photo or video by their extension (hidden files and Autoupload's own
 * parts are not counted: they are never the user's photos), so that a run can say what it left out
 * instead of passing over it in silence: a folder of documents, or the {@code .AAE} edit files of
 * an iPhone export.
 *
 * @param files how many
 * @param byExtension how many of each extension, lower case, {@code ""} for a name without one; the
 *     first {@value #MOST_EXTENSIONS} extensions a scan met, so that a tree of odd names cannot fill
 *     the memory (the files of others are counted in {@code files} alone)
 */
public record NotOffered(int files, SortedMap<String, Integer> byExtension) {

  /** Extensions counted one by one at most. */
  public static final int MOST_EXTENSIONS = 64;

  /** Extensions a description names at most; the files of the rest are counted together. */
  private static final int MOST_NAMED = 5;

  /** Nothing passed over, or no whole scan yet. */
  public static final NotOffered NONE = new NotOffered(0, new TreeMap<>());

  /**
   * Checks the count and copies the map.
   *
   * @param files how many
   * @param byExtension how many of each extension; none when null (a status from a node that did
   *     not count them)
   */
  public NotOffered {
    if (files < 0) {
      throw new IllegalArgumentException("negative count " + files);
    }
    byExtension = Collections.unmodifiableSortedMap(byExtension == null ? new TreeMap<>() : new TreeMap<>(byExtension));
  }

  /**
   * What was passed over in words, as the command line's note and the Activity page say it: the
   * count, the five extensions with the most files (then by name), and the rest together. The
   * text is as the source and the names are: whoever shows it makes it safe for its medium.
   *
   * @param source the source as it describes itself
   * @return the sentence, empty when nothing was passed over
   */
  public Optional<String> describe(String source) {
    if (files == 0) {
      return Optional.empty();
    }
    List<Map.Entry<String, Integer>> most =
        byExtension.entrySet().stream()
            .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
            .toList();
    List<Map.Entry<String, Integer>> named = most.subList(0, Math.min(MOST_NAMED, most.size()));
    int others = files - named.stream().mapToInt(Map.Entry::getValue).sum();
    String extensions =
        named.stream()
            .map(entry -> (entry.getKey().isEmpty() ? "no extension" : "." + entry.getKey()) + " " + entry.getValue())
            .collect(Collectors.joining(", "))
            + (others > 0 ? " and " + others + (others == 1 ? " file" : " files") + " of other extensions" : "");
    return Optional.of(
        files + (files == 1 ? " file" : " files") + " under " + source + (files == 1 ? " is" : " are")
            + " not a photo or video by extension and " + (files == 1 ? "was" : "were") + " not backed up ("
            + extensions + ")");
  }
}
