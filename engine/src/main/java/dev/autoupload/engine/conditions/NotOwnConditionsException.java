package dev.autoupload.engine.conditions;

/**
 * A report of conditions for a library that follows the device's: it takes none of its own (see
 * {@code Library.ownConditions}).
 */
public final class NotOwnConditionsException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  /**
   * The failure for one library.
   *
   * @param libraryId the library
   */
  public NotOwnConditionsException(String libraryId) {
    super(
        "library " + libraryId + " follows the device's conditions: report those for the whole engine, "
            + "or give the library conditions of its own");
  }
}
