package dev.autoupload.engine.library;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

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
}
