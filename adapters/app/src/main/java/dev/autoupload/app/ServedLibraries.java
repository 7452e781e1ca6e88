package dev.autoupload.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;
import dev.autoupload.engine.UploadEngine;
import dev.autoupload.engine.library.Library;
import dev.autoupload.http.LibraryCatalog;
import dev.autoupload.http.LibraryControl;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The libraries {@code serve} runs, and the API's way to change them: each change is checked as the
 * config file's libraries are, carried out on the engine, and saved ({@link SavedLibraries}). The
 * changes run one after another on a thread of their own, so two requests cannot both take an id
 * or a folder, and an HTTP thread never waits for a target's check or the engine.
 */
final class ServedLibraries implements LibraryCatalog, AutoCloseable {

  private final UploadEngine engine;
  private final Config config;
  private final SavedLibraries saved;
  private final Set<String> ofConfigFile;
  private final Duration askTimeout;
  private final PrintWriter out;
  private final Map<String, SavedLibraries.Planned> running = new LinkedHashMap<>();
  private final CountDownLatch ready = new CountDownLatch(1);
  private final ExecutorService changes = changesThread();

  /**
   * @param ofConfigFile the ids the config file lists (a removal of one of them must be remembered)
   * @param out where a line tells of each change
   */
  ServedLibraries(
      UploadEngine engine, Config config, SavedLibraries saved, Set<String> ofConfigFile, PrintWriter out) {
    this.engine = engine;
    this.config = config;
    this.saved = saved;
    this.ofConfigFile = Set.copyOf(ofConfigFile);
    this.askTimeout = config.getDuration("autoupload.ask-timeout");
    this.out = out;
  }

  /** Records a library that runs from the start. */
  synchronized void started(SavedLibraries.Planned library) {
    running.put(library.definition().id(), library);
  }

  /** The libraries that run from the start are in the engine: changes may begin. */
  void ready() {
    ready.countDown();
  }

  /**
   * Holds a change back until the libraries that run from the start are in the engine (the
   * endpoint listens while they recover): removing one before would ask the engine for a library it
   * does not have yet.
   */
  private void awaitReady() {
    try {
      if (!ready.await(askTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new LibraryControl.NoAnswerException("the libraries of the config file are still starting");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LibraryControl.NoAnswerException("interrupted while the libraries of the config file started");
    }
  }

  @Override
  public synchronized List<Entry> list() {
    return running.values().stream().map(ServedLibraries::entry).toList();
  }

  @Override
  public CompletionStage<Entry> add(JsonNode body) {
    return CompletableFuture.supplyAsync(() -> addNow(body), changes);
  }

  @Override
  public CompletionStage<Void> remove(String id) {
    return CompletableFuture.runAsync(() -> removeNow(id), changes);
  }

  private Entry addNow(JsonNode body) {
    awaitReady();
    LibraryDefinition definition = definitionOf(body, config);
    List<LibraryDefinition> others;
    synchronized (this) {
      if (running.containsKey(definition.id())) {
        throw new DuplicateIdException(
            "library " + definition.id() + " runs already; DELETE /api/libraries/" + definition.id() + " first to change it");
      }
      others = running.values().stream().map(SavedLibraries.Planned::definition).toList();
    }
    List<String> conflicts = LibraryConflicts.with(definition, others);
    if (!conflicts.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", conflicts));
    }
    Library library;
    try {
      library = definition.open(config);
    } catch (RunFailure e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    boolean wasRemoved = saved.removed(definition.id());
    try {
      saved.add(definition);
    } catch (IOException e) {
      library.target().close();
      throw new UncheckedIOException("cannot save " + SavedLibraries.FILE + ": " + e.getMessage(), e);
    }
    try {
      RunWatch.await(engine.addLibrary(library), askTimeout, "cannot add library " + definition.id());
    } catch (RunFailure e) {
      library.target().close();
      try {
        saved.remove(definition.id(), wasRemoved);
      } catch (IOException undo) {
        e.addSuppressed(undo);
      }
      throw new IllegalStateException(e.getMessage(), e);
    }
    SavedLibraries.Planned added = new SavedLibraries.Planned(definition, "api");
    synchronized (this) {
      running.put(definition.id(), added);
    }
    tell("autoupload: library " + definition.id() + " added: backing up " + definition.source() + " to " + definition.shownTarget());
    return entry(added);
  }

  private void removeNow(String id) {
    awaitReady();
    synchronized (this) {
      if (!running.containsKey(id)) {
        throw new NoSuchElementException("no library " + id + " runs here");
      }
    }
    RunWatch.await(engine.removeLibrary(id), askTimeout, "cannot remove library " + id);
    synchronized (this) {
      running.remove(id);
    }
    try {
      saved.remove(id, ofConfigFile.contains(id));
    } catch (IOException e) {
      throw new UncheckedIOException(
          "library " + id + " stopped, but saving " + SavedLibraries.FILE + " failed (it runs again after a restart): " + e.getMessage(), e);
    }
    tell("autoupload: library " + id + " removed");
  }

  /**
   * The one thread a catalog makes its changes on, one at a time: they open sources and targets
   * and write files or tables.
   */
  static ExecutorService changesThread() {
    return Executors.newSingleThreadExecutor(
        task -> {
          Thread thread = new Thread(task, "autoupload-library-changes");
          thread.setDaemon(true);
          return thread;
        });
  }

  /**
   * The library a {@code POST /api/libraries} body defines, checked as the config file's entries.
   *
   * @throws IllegalArgumentException (400) naming every problem
   */
  static LibraryDefinition definitionOf(JsonNode body, Config config) {
    if (!body.isObject()) {
      throw new IllegalArgumentException(
          "the body must be a JSON object such as {\"id\": \"carol\", \"source\": \"/photos/carol\", \"target\": \"file:///backup/carol\"}");
    }
    List<String> problems = new ArrayList<>();
    return LibraryDefinition.parse(json(body.toString()), "library", config, problems)
        .orElseThrow(() -> new IllegalArgumentException(String.join("; ", problems)));
  }

  /** A JSON body as HOCON, for the same checks as the config file's entries. */
  static ConfigValue json(String body) {
    try {
      return ConfigFactory.parseString(
              body, ConfigParseOptions.defaults().setSyntax(ConfigSyntax.JSON).setOriginDescription("the body"))
          .root();
    } catch (ConfigException e) {
      throw new IllegalArgumentException("the body is not a library: " + OneLine.of(e.getMessage()), e);
    }
  }

  private static Entry entry(SavedLibraries.Planned library) {
    LibraryDefinition definition = library.definition();
    return new Entry(
        definition.id(), definition.source().toString(), definition.shownTarget(), library.origin(), definition.conditionsName());
  }

  private void tell(String line) {
    out.println(line);
    out.flush();
  }

  @Override
  public void close() {
    changes.shutdownNow();
  }
}
