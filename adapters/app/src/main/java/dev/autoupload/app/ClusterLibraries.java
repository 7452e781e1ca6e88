package dev.autoupload.app;

import com.fasterxml.jackson.databind.JsonNode;
import dev.autoupload.cluster.ClusterControl;
import dev.autoupload.cluster.LibraryOwner;
import dev.autoupload.http.LibraryCatalog;
import dev.autoupload.http.LibraryControl;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;

/**
 * The control endpoint of a cluster node, for every library of the cluster: {@code /api/libraries}
 * lists the config file's libraries and refuses changes (409), since every node must know every
 * library and for now they all read them from the same config file; {@code /api/status}, pause,
 * resume and retry reach each library on the node that runs it ({@link ClusterControl}).
 */
final class ClusterLibraries implements LibraryCatalog, LibraryControl {

  private static final String REFUSED =
      "the libraries of a cluster come from its config file, the same on every node: change it there and restart the nodes";

  private final Map<String, LibraryDefinition> definitions;
  /** Set once the node has joined (the endpoint starts before, so that a port in use stops it first). */
  private volatile ClusterControl control;

  /** @param definitions every library of the cluster by id, in the config file's order */
  ClusterLibraries(Map<String, LibraryDefinition> definitions) {
    this.definitions = Collections.unmodifiableMap(new LinkedHashMap<>(definitions));
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
    return definitions.values().stream()
        .map(definition -> new Entry(definition.id(), definition.source().toString(), definition.shownTarget(), "cluster"))
        .toList();
  }

  @Override
  public CompletionStage<Entry> add(JsonNode definition) {
    return CompletableFuture.failedFuture(new ChangeRefusedException(REFUSED));
  }

  @Override
  public CompletionStage<Void> remove(String id) {
    return CompletableFuture.failedFuture(new ChangeRefusedException(REFUSED));
  }

  @Override
  public CompletionStage<List<LibraryReport>> status() {
    return control().thenCompose(ClusterControl::status).thenApply(reports -> reports.stream().map(this::shown).toList());
  }

  private LibraryReport shown(LibraryOwner.Report report) {
    LibraryDefinition definition = definitions.get(report.libraryId());
    return new LibraryReport(
        report.libraryId(),
        definition == null ? "" : definition.source().toString(),
        definition == null ? "" : definition.shownTarget(),
        Optional.of(report.node()).filter(node -> !node.isEmpty()),
        report.status(),
        report.unknown());
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
}
