package dev.autoupload.engine.library;

import java.util.Objects;

/**
 * A library to back up: where assets come from and where they go.
 *
 * @param id stable name of the library, used in the journal; letters, digits, '-', '_' and '.'
 * @param source where its assets come from
 * @param target where they go; the engine closes it when it closes
 * @param keepWatching whether the engine keeps watching the source after the first scan and backs
 *     up what appears later (see {@link AssetSource#watch}); false to back up what the first scan
 *     finds and stop
 * @param rules which of its assets may upload when: mobile data per kind, a maximum size on
 *     metered networks, a minimum age, a first date ({@link LibraryRules#NONE} for none)
 * @param ownConditions whether its uploads follow conditions reported for this library alone
 *     ({@code UploadEngine.reportConditions(libraryId, conditions)}) instead of the device's: a
 *     server backing up a phone's camera folder follows that phone's Wi-Fi and battery, not its
 *     own. Such a library waits ({@code CONDITIONS_UNKNOWN}) until its first report; the user's
 *     pause holds for it as for every library
 */
public record Library(
    String id,
    AssetSource source,
    dev.autoupload.engine.upload.UploadTarget target,
    boolean keepWatching,
    LibraryRules rules,
    boolean ownConditions) {

  /**
   * A library backed up once, as its first scan finds it, without rules of its own.
   *
   * @param id stable name of the library
   * @param source where its assets come from
   * @param target where they go
   */
  public Library(String id, AssetSource source, dev.autoupload.engine.upload.UploadTarget target) {
    this(id, source, target, false);
  }

  /**
   * A library without rules of its own.
   *
   * @param id stable name of the library
   * @param source where its assets come from
   * @param target where they go
   * @param keepWatching whether the engine backs up what appears after the first scan
   */
  public Library(
      String id, AssetSource source, dev.autoupload.engine.upload.UploadTarget target, boolean keepWatching) {
    this(id, source, target, keepWatching, LibraryRules.NONE);
  }

  /**
   * A library that follows the device's conditions.
   *
   * @param id stable name of the library
   * @param source where its assets come from
   * @param target where they go
   * @param keepWatching whether the engine backs up what appears after the first scan
   * @param rules which of its assets may upload when
   */
  public Library(
      String id,
      AssetSource source,
      dev.autoupload.engine.upload.UploadTarget target,
      boolean keepWatching,
      LibraryRules rules) {
    this(id, source, target, keepWatching, rules, false);
  }

  /**
   * This library, watched for new assets after its first scan.
   *
   * @return a copy that is watched
   */
  public Library watched() {
    return new Library(id, source, target, true, rules, ownConditions);
  }

  /**
   * This library, with {@code rules} for which of its assets may upload when.
   *
   * @param rules the rules, replacing its own
   * @return a copy with the rules
   */
  public Library withRules(LibraryRules rules) {
    return new Library(id, source, target, keepWatching, rules, ownConditions);
  }

  /**
   * This library, following conditions reported for it alone (see {@code ownConditions}).
   *
   * @return a copy that waits for its own reports
   */
  public Library withOwnConditions() {
    return new Library(id, source, target, keepWatching, rules, true);
  }

  /**
   * Checks the id and that nothing is missing.
   *
   * @param id stable name of the library
   * @param source where its assets come from
   * @param target where they go
   * @param keepWatching whether the engine backs up what appears after the first scan
   * @param rules which of its assets may upload when
   * @param ownConditions whether it follows conditions reported for it alone
   * @throws IllegalArgumentException for an id that is not 1–100 letters, digits, '.', '_' or '-'
   */
  public Library {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(rules, "rules");
    if (id == null || !id.matches("[A-Za-z0-9._-]{1,100}")) {
      throw new IllegalArgumentException(
          "library id must be 1-100 letters, digits, '.', '_' or '-', got: " + id);
    }
  }
}
