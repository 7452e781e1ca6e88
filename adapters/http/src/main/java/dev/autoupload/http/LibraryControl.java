package dev.autoupload.http;

import dev.autoupload.engine.EngineStatus;
import dev.autoupload.engine.conditions.DeviceConditions;
import dev.autoupload.engine.conditions.LibraryConditions;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * What {@code /api/status}, {@code /api/pause}, {@code /api/resume} and {@code POST
 * /api/uploads/{id}/retry} act on when the process's engine runs only some of the libraries: on a
 * cluster node, every library of the cluster, wherever it runs. Without one the endpoint asks its
 * engine. How a library is reached is the implementation's business; the endpoint only shows what
 * it answers.
 */
public interface LibraryControl {

  /**
   * Some libraries did not answer in time (their node is unreachable, say): the API answers 503
   * with this message, which names them.
   */
  final class NoAnswerException extends RuntimeException {

    /**
     * A failure naming what did not answer.
     *
     * @param message one line naming the libraries and the time they had
     */
    public NoAnswerException(String message) {
      super(message);
    }
  }

  /**
   * One library's status as the process that runs it has it.
   *
   * @param libraryId the library's id
   * @param source where its files come from, e.g. the source folder (shown when its status is unknown)
   * @param target where they go, without credentials (shown when its status is unknown)
   * @param node where it runs, e.g. {@code 10.0.0.5:2551}; empty when no node answered
   * @param status the status of the engine that runs it, with this library alone among its
   *     libraries (that engine's verdict and conditions, or the library's own for one with {@code
   *     ownConditions}; the library's stall); empty when unknown
   * @param unknown why its status is unknown (no node answered in time, it is starting or moving);
   *     empty when the status is there
   * @param ownConditions the library follows conditions reported for it alone: its verdict and
   *     conditions are its own, not its node's, and do not count as the device's
   */
  record LibraryReport(
      String libraryId,
      String source,
      String target,
      Optional<String> node,
      Optional<EngineStatus> status,
      Optional<String> unknown,
      boolean ownConditions) {}

  /**
   * Every library's status, each asked from where it runs.
   *
   * @return a report for every library, none left out: one that did not answer in time comes with
   *     its status empty and the reason in {@link LibraryReport#unknown()}
   */
  CompletionStage<List<LibraryReport>> status();

  /**
   * The user's pause, wherever the libraries run.
   *
   * @return completes once every library's engine took it; fails with {@link NoAnswerException}
   *     (503) when some did not answer in time (those that did have taken it)
   */
  CompletionStage<Void> pause();

  /**
   * Ends the user's pause, wherever the libraries run.
   *
   * @return as {@link #pause()}
   */
  CompletionStage<Void> resume();

  /**
   * Tries a failed upload again, wherever its library runs.
   *
   * @param assetId the asset whose upload failed
   * @return completes when a library had it; fails with {@link java.util.NoSuchElementException}
   *     (404) when none had it, with {@link NoAnswerException} (503) when none that answered had it
   *     and some did not answer in time
   */
  CompletionStage<Void> retry(String assetId);

  /**
   * The conditions one library follows and its verdict on them, from the node that runs it; with
   * a report, that node's engine takes it first ({@code PUT /api/libraries/{id}/conditions}).
   *
   * @param libraryId the library
   * @param report its conditions now, for a library with conditions of its own; empty to read them
   * @return fails with {@link java.util.NoSuchElementException} (404) for a library that is not
   *     there, with {@link dev.autoupload.engine.conditions.NotOwnConditionsException} (409) for a
   *     report to one that follows the device's conditions, with {@link NoAnswerException} (503)
   *     when its node did not answer in time or it is starting or moving (report again)
   */
  CompletionStage<LibraryConditions> conditions(String libraryId, Optional<DeviceConditions> report);
}
