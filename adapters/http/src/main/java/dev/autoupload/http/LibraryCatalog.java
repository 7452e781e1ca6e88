package dev.autoupload.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The libraries a server process runs, which {@code /api/libraries} lists and may change while it
 * runs: {@code GET} lists them, {@code POST} adds one, {@code DELETE /api/libraries/{id}} removes
 * one. What a library is made of (a source folder, a target URI, its own settings) and whether the
 * change outlives the process is the catalog's business; the endpoint only carries requests to it.
 */
public interface LibraryCatalog {

  /**
   * A library as the API shows it.
   *
   * @param id the library's id
   * @param source where its files come from, e.g. the source folder
   * @param target where they go, without credentials
   * @param origin where the library was defined, e.g. {@code config} or {@code api}
   * @param conditions whose conditions it follows: {@code device} (the process's) or {@code
   *     reported} (its own, {@code PUT /api/libraries/{id}/conditions})
   */
  record Entry(String id, String source, String target, String origin, String conditions) {}

  /** Adding failed because a library with the id runs already: the API answers 409. */
  final class DuplicateIdException extends RuntimeException {

    /**
     * A refusal naming the id.
     *
     * @param message one line naming the id
     */
    public DuplicateIdException(String message) {
      super(message);
    }
  }

  /**
   * The catalog does not take changes through the API (a host whose libraries are fixed): the API
   * answers 409.
   */
  final class ChangeRefusedException extends RuntimeException {

    /**
     * A refusal saying where the libraries are changed instead.
     *
     * @param message one line
     */
    public ChangeRefusedException(String message) {
      super(message);
    }
  }

  /**
   * The libraries running now, in the order they were added.
   *
   * @return an unmodifiable list
   */
  List<Entry> list();

  /**
   * Adds the library {@code definition} describes and starts backing it up.
   *
   * @param definition the request's JSON body, e.g. {@code {"id": "carol", "source": "/photos",
   *     "target": "file:///backup/carol"}}
   * @return the library added; fails with {@link IllegalArgumentException} (400) for a bad
   *     definition, with {@link DuplicateIdException} (409) when its id runs already, with {@link
   *     ChangeRefusedException} (409) when the catalog takes no changes
   */
  CompletionStage<Entry> add(JsonNode definition);

  /**
   * Removes a library: its backup stops (what it backed up stays backed up).
   *
   * @param id the library's id
   * @return completes once its backup has stopped; fails with {@link
   *     java.util.NoSuchElementException} (404) when no library has that id, with {@link
   *     ChangeRefusedException} (409) when the catalog takes no changes
   */
  CompletionStage<Void> remove(String id);
}
