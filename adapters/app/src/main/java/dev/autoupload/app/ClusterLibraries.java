package dev.autoupload.app;

import com.fasterxml.jackson.databind.JsonNode;
import dev.autoupload.engine.UploadEngine;
import dev.autoupload.http.LibraryCatalog;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code /api/libraries} on a cluster node: lists the libraries that run on this node, and refuses
 * changes (409), since every node must know every library and for now they all read them from the
 * same config file.
 */
final class ClusterLibraries implements LibraryCatalog {

  private static final String REFUSED =
      "the libraries of a cluster come from its config file, the same on every node: change it there and restart the nodes";

  private final UploadEngine engine;

  ClusterLibraries(UploadEngine engine) {
    this.engine = engine;
  }

  @Override
  public List<Entry> list() {
    return engine.libraries().stream()
        .map(library -> new Entry(library.id(), library.source().describe(), library.target().describe(), "cluster"))
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
}
