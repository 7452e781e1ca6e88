package dev.autoupload.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import dev.autoupload.cluster.ClusterControl;
import dev.autoupload.cluster.LibraryOwner;
import dev.autoupload.engine.conditions.DeviceConditions;
import dev.autoupload.engine.conditions.LibraryConditions;
import dev.autoupload.engine.conditions.NotOwnConditionsException;
import dev.autoupload.engine.library.Library;
import dev.autoupload.http.LibraryCatalog;
import dev.autoupload.http.LibraryControl;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The libraries of a cluster, as every node sees them: the config file's (the same file on each
 * node), changed by what {@code POST} and {@code DELETE /api/libraries} did on any node, which the
 * nodes share in their database ({@link ClusterRegistry}). It answers the control endpoint of a
 * node for every library of the cluster: {@code /api/libraries} lists and changes them, {@code
 * /api/status}, pause, resume and retry reach each library on the node that runs it ({@link
 * ClusterControl}). It also tells the node which libraries there are ({@link #ids()}) and opens
 * one by id ({@link #open(String)}) for its owner, wherever sharding starts it.
 */
final class ClusterLibraries implements LibraryCatalog, LibraryControl, AutoCloseable {

  private static final String CONFIG = "config";
  private static final String API = "api";

  private final Map<String, LibraryDefinition> ofConfigFile;
  private final ClusterRegistry registry;
  private final Config config;
  private final Consumer<String> notes;
  /** The added definitions this node could not read, each said once (the list is read often). */
  private final Set<String> unreadable = ConcurrentHashMap.newKeySet();
  /** Set once the node has joined (the endpoint starts before, so that a port in use stops it first). */
  private volatile ClusterControl control;
  private final ExecutorService changes = ServedLibraries.changesThread();

  /**
   * @param ofConfigFile the config file's libraries by id, in its order
   * @param registry the changes the API made, shared by the nodes
   * @param config the node's configuration, for the defaults of a library added through the API
   * @param notes told a line when a library is added or removed through this node
   */
  ClusterLibraries(
      Map<String, LibraryDefinition> ofConfigFile, ClusterRegistry registry, Config config, Consumer<String> notes) {
    this.ofConfigFile = Collections.unmodifiableMap(new LinkedHashMap<>(ofConfigFile));
    this.registry = registry;
    this.config = config;
    this.notes = notes;
  }

  /**
   * The libraries of the cluster now: the config file's, less those the API removed or added
   * again, then those the API added, in the order they were added.
   *
   * @throws UncheckedIOException when the shared database cannot be read
   */
  private Map<String, SavedLibraries.Planned> current() {
    Map<String, Optional<String>> changed;
    try {
      changed = registry.changes();
    } catch (SQLException e) {
      throw new UncheckedIOException(
          new IOException("cannot read the cluster's libraries from its database: " + e.getMessage(), e));
    }
    Map<String, SavedLibraries.Planned> libraries = new LinkedHashMap<>();
    ofConfigFile.forEach(
        (id, definition) -> {
          if (!changed.containsKey(id)) {
            libraries.put(id, new SavedLibraries.Planned(definition, CONFIG));
          }
        });
    changed.forEach(
        (id, json) -> json.flatMap(this::definition).ifPresent(definition -> libraries.put(id, new SavedLibraries.Planned(definition, API))));
    return libraries;
  }

  /** A definition the API added, as this node reads it with its own defaults; empty if it cannot. */
  private Optional<LibraryDefinition> definition(String json) {
    List<String> problems = new ArrayList<>();
    Optional<LibraryDefinition> definition;
    try {
      definition = LibraryDefinition.parse(ServedLibraries.json(json), "a library added through the API", config, problems);
    } catch (IllegalArgumentException e) {
      problems.add(e.getMessage());
      definition = Optional.empty();
    }
    if (definition.isEmpty() && unreadable.add(json)) {
      notes.accept("a library added through the API cannot be read on this node: " + String.join("; ", problems));
    }
    return definition;
  }

  /** {@return the ids of the cluster's libraries now} (reads the shared database) */
  List<String> ids() {
    return List.copyOf(current().keySet());
  }

  /**
   * Opens a library for its owner on this node: checks its source and target.
   *
   * @param id the library's id
   * @return the library, or empty when the cluster has no such library (now)
   */
  Optional<Library> open(String id) {
    return Optional.ofNullable(current().get(id)).map(planned -> planned.definition().open(config));
  }

  /** @param joined reaches each library's owner wherever it runs */
  void joined(ClusterControl joined) {
    this.control = joined;
  }

  /** The node's control, once it has joined; until then a 503 to try again. */
  private CompletionStage<ClusterControl> control() {
    ClusterControl joined = control;
    return joined != null
        ? CompletableFuture.completedFuture(joined)
        : CompletableFuture.failedFuture(new NoAnswerException("this node is still joining its cluster"));
  }

  /** The cluster's {@link TimeoutException}, which names the libraries, as the API's 503. */
  private static <T> CompletionStage<T> answered(CompletionStage<T> asked) {
    return asked.handle(
            (value, failure) -> {
              Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
              if (cause instanceof TimeoutException) {
                return CompletableFuture.<T>failedFuture(new NoAnswerException(cause.getMessage()));
              }
              return failure != null ? CompletableFuture.<T>failedFuture(cause) : CompletableFuture.completedFuture(value);
            })
        .thenCompose(stage -> stage);
  }

  @Override
  public List<Entry> list() {
    return current().values().stream().map(ClusterLibraries::entry).toList();
  }

  private static Entry entry(SavedLibraries.Planned library) {
    LibraryDefinition definition = library.definition();
    return new Entry(
        definition.id(), definition.source().toString(), definition.shownTarget(), library.origin(), definition.conditionsName());
  }

  /**
   * Checks the library as a single process would (its definition, its conflicts with the others,
   * its source and target, here on this node), records it for every node, and has sharding start
   * it on one of them. Two nodes adding one id at once: the database takes one, the other is 409.
   */
  @Override
  public CompletionStage<Entry> add(JsonNode body) {
    return control().thenApplyAsync(joined -> addNow(joined, body), changes);
  }

  private Entry addNow(ClusterControl joined, JsonNode body) {
    LibraryDefinition definition = ServedLibraries.definitionOf(body, config);
    Map<String, SavedLibraries.Planned> now = current();
    if (now.containsKey(definition.id())) {
      throw duplicate(definition.id());
    }
    List<String> conflicts =
        LibraryConflicts.with(definition, now.values().stream().map(SavedLibraries.Planned::definition).toList());
    if (!conflicts.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", conflicts));
    }
    try {
      definition.open(config).target().close();
    } catch (RunFailure e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    String json = definition.toConfig().render(ConfigRenderOptions.concise().setJson(true));
    try {
      if (!registry.add(definition.id(), json)) {
        throw duplicate(definition.id());
      }
    } catch (SQLException e) {
      throw new UncheckedIOException(new IOException("cannot record the library in the cluster's database: " + e.getMessage(), e));
    }
    joined.start(definition.id());
    notes.accept("library " + definition.id() + " added: backing up " + definition.source() + " to " + definition.shownTarget());
    return entry(new SavedLibraries.Planned(definition, API));
  }

  private static DuplicateIdException duplicate(String id) {
    return new DuplicateIdException("library " + id + " runs already; DELETE /api/libraries/" + id + " first to change it");
  }

  /**
   * Records the removal for every node first (so that the library does not start again anywhere),
   * then stops it on the node that runs it; answers once it has stopped.
   */
  @Override
  public CompletionStage<Void> remove(String id) {
    return answered(
        control()
            .thenApplyAsync(
                joined -> {
                  if (!current().containsKey(id)) {
                    throw new NoSuchElementException("no library " + id + " runs in this cluster");
                  }
                  try {
                    registry.remove(id);
                  } catch (SQLException e) {
                    throw new UncheckedIOException(
                        new IOException("cannot record the removal in the cluster's database: " + e.getMessage(), e));
                  }
                  return joined;
                },
                changes)
            .thenCompose(joined -> joined.retire(id))
            .thenRun(() -> notes.accept("library " + id + " removed")));
  }

  @Override
  public CompletionStage<List<LibraryReport>> status() {
    return control()
        .thenCompose(
            joined -> {
              Map<String, SavedLibraries.Planned> libraries = current();
              return joined
                  .status(List.copyOf(libraries.keySet()))
                  .thenApply(reports -> reports.stream().map(report -> shown(report, libraries)).toList());
            });
  }

  private LibraryReport shown(LibraryOwner.Report report, Map<String, SavedLibraries.Planned> libraries) {
    Optional<LibraryDefinition> definition =
        Optional.ofNullable(libraries.get(report.libraryId())).map(SavedLibraries.Planned::definition);
    return new LibraryReport(
        report.libraryId(),
        definition.map(d -> d.source().toString()).orElse(""),
        definition.map(LibraryDefinition::shownTarget).orElse(""),
        Optional.of(report.node()).filter(node -> !node.isEmpty()),
        report.status(),
        report.unknown(),
        definition.map(LibraryDefinition::reportedConditions).orElse(false));
  }

  @Override
  public CompletionStage<Void> pause() {
    return answered(control().thenCompose(joined -> joined.setPaused(true)));
  }

  @Override
  public CompletionStage<Void> resume() {
    return answered(control().thenCompose(joined -> joined.setPaused(false)));
  }

  @Override
  public CompletionStage<Void> retry(String assetId) {
    return answered(control().thenCompose(joined -> joined.retry(assetId)));
  }

  /**
   * From the node that runs the library. A report while it starts or moves is not kept for its
   * next node, which waits for a newer one: 503, report again.
   */
  @Override
  public CompletionStage<LibraryConditions> conditions(String libraryId, Optional<DeviceConditions> report) {
    return answered(
        control()
            .thenCompose(
                joined -> {
                  if (!current().containsKey(libraryId)) {
                    throw new NoSuchElementException("no library " + libraryId + " runs in this cluster");
                  }
                  return joined.conditions(libraryId, report);
                })
            .exceptionally(
                failure -> {
                  Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
                  if (cause instanceof IllegalStateException && !(cause instanceof NotOwnConditionsException)) {
                    throw new NoAnswerException(cause.getMessage());
                  }
                  throw failure instanceof CompletionException completion ? completion : new CompletionException(failure);
                }));
  }

  /** Stops taking changes and closes the connections to the shared database. */
  @Override
  public void close() {
    changes.shutdownNow();
    registry.close();
  }
}
