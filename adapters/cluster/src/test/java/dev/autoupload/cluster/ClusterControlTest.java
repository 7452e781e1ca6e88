package dev.autoupload.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.autoupload.engine.UploadEngine;
import dev.autoupload.engine.EngineStatus;
import dev.autoupload.engine.conditions.BlockerReason;
import dev.autoupload.engine.conditions.DeviceConditions;
import dev.autoupload.engine.conditions.LibraryConditions;
import dev.autoupload.engine.conditions.NotOwnConditionsException;
import dev.autoupload.engine.internal.EngineInternals;
import dev.autoupload.engine.library.Library;
import dev.autoupload.engine.library.LibraryStatus;
import dev.autoupload.engine.testing.InMemorySource;
import dev.autoupload.engine.testing.InMemoryTarget;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real one-node cluster in this JVM (a node's engine with cluster sharding and remembered
 * libraries, its journal H2): what {@link ClusterNode#join} returns answers for every library
 * through its {@link LibraryOwner}, and a pause and a resume sent through it reach the engine that
 * runs the library.
 */
class ClusterControlTest {

  private static final int FILES = 6;
  private static final Duration WITHIN = Duration.ofSeconds(30);

  @TempDir Path dataDir;

  @Test
  void everyLibraryIsReportedAndAPauseAndResumeThroughTheOwnersReachTheirEngine() throws Exception {
    int port = freePort();
    ClusterSettings cluster = oneNode(port);
    Config config = nodeConfig();
    Map<String, InMemorySource> sources = new HashMap<>();
    Map<String, InMemoryTarget> targets = new HashMap<>();
    Map<String, Map<String, byte[]>> contents = new HashMap<>();
    for (String id : List.of("alice", "bob")) {
      InMemorySource source = new InMemorySource(id);
      Map<String, byte[]> files = new HashMap<>();
      for (int i = 0; i < FILES; i++) {
        files.put("img" + i + ".jpg", source.add("img" + i + ".jpg", 20_000 + i * 1000));
      }
      sources.put(id, source);
      targets.put(id, new InMemoryTarget());
      contents.put(id, files);
    }
    // The libraries open only once the pause has been taken, so nothing can go up before it.
    CountDownLatch paused = new CountDownLatch(1);
    List<String> notes = new CopyOnWriteArrayList<>();
    try (UploadEngine engine = EngineInternals.start(ClusterSettings.engineSettings(config), cluster.pekkoSettings())) {
      ActorTestKit testKit = ActorTestKit.create(EngineInternals.actorSystem(engine));
      TestProbe<Object> probe = testKit.createTestProbe();
      ClusterControl control =
          ClusterNode.join(
              engine,
              cluster,
              () -> List.of("alice", "bob", "ghost"),
              id -> {
                if (!sources.containsKey(id)) {
                  return Optional.empty();
                }
                try {
                  paused.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  throw new IllegalStateException(e);
                }
                return Optional.of(new Library(id, sources.get(id), targets.get(id)));
              },
              notes::add);

      control.setPaused(true).toCompletableFuture().get(30, TimeUnit.SECONDS);
      paused.countDown();
      // The node follows the cluster's pause flag as well (a node without libraries would too).
      probe.awaitAssert(
          WITHIN, () -> assertThat(notes).contains("the cluster is paused: uploads on this node wait for a resume"));

      probe.awaitAssert(
          WITHIN,
          () -> {
            Map<String, LibraryOwner.Report> reports = reports(control);
            assertThat(reports.keySet()).containsExactly("alice", "bob", "ghost");
            for (String id : List.of("alice", "bob")) {
              LibraryOwner.Report report = reports.get(id);
              assertThat(report.node()).isEqualTo("127.0.0.1:" + port);
              assertThat(report.unknown()).isEmpty();
              assertThat(report.status()).isPresent();
              assertThat(report.status().get().reasons()).contains(BlockerReason.USER_PAUSED);
              LibraryStatus library = report.status().get().libraries().get(0);
              assertThat(library.libraryId()).isEqualTo(id);
              assertThat(library.scanning()).isFalse();
              assertThat(library.discovered()).isEqualTo(FILES);
              assertThat(library.queued() + library.running()).isEqualTo(FILES);
              assertThat(library.completed()).isZero();
            }
            // A library this node has no definition for is listed, with why its status is unknown.
            assertThat(reports.get("ghost").status()).isEmpty();
            assertThat(reports.get("ghost").unknown()).isPresent();
            return null;
          });
      // Paused: the libraries found every file and sent none.
      assertThat(targets.get("alice").files()).isEmpty();
      assertThat(targets.get("bob").files()).isEmpty();

      assertThatThrownBy(() -> control.retry("no-such-asset").toCompletableFuture().get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(NoSuchElementException.class);

      control.setPaused(false).toCompletableFuture().get(30, TimeUnit.SECONDS);
      probe.awaitAssert(WITHIN, () -> assertThat(notes).contains("the cluster is resumed: uploads on this node go on"));
      probe.awaitAssert(
          WITHIN,
          () -> {
            Map<String, LibraryOwner.Report> reports = reports(control);
            for (String id : List.of("alice", "bob")) {
              LibraryOwner.Report report = reports.get(id);
              assertThat(report.status().get().reasons()).doesNotContain(BlockerReason.USER_PAUSED);
              assertThat(report.status().get().libraries().get(0).completed()).isEqualTo(FILES);
              Map<String, byte[]> onTarget = targets.get(id).files();
              assertThat(onTarget).hasSize(FILES);
              contents.get(id).forEach((path, content) -> assertThat(onTarget.values()).anyMatch(sent -> Arrays.equals(sent, content)));
            }
            return null;
          });
      assertThat(notes).contains("library alice runs on this node", "library bob runs on this node");
    }
  }

  @Test
  void aLibraryStartedWhileTheNodeRunsBacksUpAndARetiredOneStopsForGood() throws Exception {
    int port = freePort();
    ClusterSettings cluster = oneNode(port);
    Config config = nodeConfig();
    Map<String, InMemorySource> sources = new ConcurrentHashMap<>();
    Map<String, InMemoryTarget> targets = new ConcurrentHashMap<>();
    for (String id : List.of("alice", "carol")) {
      InMemorySource source = new InMemorySource(id);
      for (int i = 0; i < FILES; i++) {
        source.add("img" + i + ".jpg", 10_000 + i);
      }
      sources.put(id, source);
      targets.put(id, new InMemoryTarget());
    }
    // What every node would read from the shared registry: the libraries now, and those removed.
    List<String> libraries = new CopyOnWriteArrayList<>(List.of("alice"));
    Set<String> removed = ConcurrentHashMap.newKeySet();
    List<String> notes = new CopyOnWriteArrayList<>();
    try (UploadEngine engine = EngineInternals.start(ClusterSettings.engineSettings(config), cluster.pekkoSettings())) {
      TestProbe<Object> probe = ActorTestKit.create(EngineInternals.actorSystem(engine)).createTestProbe();
      ClusterControl control =
          ClusterNode.join(
              engine,
              cluster,
              () -> List.copyOf(libraries),
              id ->
                  libraries.contains(id) && !removed.contains(id)
                      ? Optional.of(new Library(id, sources.get(id), targets.get(id)))
                      : Optional.empty(),
              notes::add);
      probe.awaitAssert(WITHIN, () -> assertThat(targets.get("alice").files()).hasSize(FILES));

      libraries.add("carol");
      control.start("carol");
      probe.awaitAssert(WITHIN, () -> assertThat(targets.get("carol").files()).hasSize(FILES));
      assertThat(control.libraryIds()).containsExactly("alice", "carol");

      removed.add("alice");
      libraries.remove("alice");
      control.retire("alice").toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertThat(notes).contains("library alice stopped on this node");
      assertThat(engine.status().toCompletableFuture().get(30, TimeUnit.SECONDS).libraries())
          .extracting(LibraryStatus::libraryId)
          .containsExactly("carol");
      assertThat(reports(control).keySet()).containsExactly("carol");

      // A late start (a node that read the list before the removal) opens nothing and is forgotten.
      control.start("alice");
      probe.awaitAssert(
          WITHIN,
          () ->
              assertThat(notes)
                  .contains("library alice is not among this node's libraries (removed, or missing from its config file): it does not run"));
      assertThat(engine.status().toCompletableFuture().get(30, TimeUnit.SECONDS).libraries())
          .extracting(LibraryStatus::libraryId)
          .containsExactly("carol");
    }
  }

  @Test
  void aLibraryWithItsOwnConditionsHearsThemThroughItsOwnerAndReportsThemAsItsOwn() throws Exception {
    int port = freePort();
    ClusterSettings cluster = oneNode(port);
    InMemorySource nasPhotos = new InMemorySource("alice");
    InMemorySource phonePhotos = new InMemorySource("phone");
    for (int i = 0; i < FILES; i++) {
      nasPhotos.add("img" + i + ".jpg", 10_000 + i);
      phonePhotos.add("IMG_" + i + ".JPG", 20_000 + i);
    }
    InMemoryTarget nasTarget = new InMemoryTarget();
    InMemoryTarget phoneTarget = new InMemoryTarget();
    DeviceConditions phoneOnWifi =
        DeviceConditions.phone().withBattery(90, false).withWifi("home").withNetworkSince(Instant.parse("2020-01-01T00:00:00Z"));
    try (UploadEngine engine = EngineInternals.start(ClusterSettings.engineSettings(nodeConfig()), cluster.pekkoSettings())) {
      TestProbe<Object> probe = ActorTestKit.create(EngineInternals.actorSystem(engine)).createTestProbe();
      ClusterControl control =
          ClusterNode.join(
              engine,
              cluster,
              () -> List.of("alice", "phone"),
              id ->
                  switch (id) {
                    case "alice" -> Optional.of(new Library(id, nasPhotos, nasTarget));
                    case "phone" -> Optional.of(new Library(id, phonePhotos, phoneTarget).withOwnConditions());
                    default -> Optional.empty();
                  },
              note -> {});
      probe.awaitAssert(WITHIN, () -> assertThat(nasTarget.files()).hasSize(FILES));

      // The phone's library waits for its phone, and its report says so with its own verdict, not the node's.
      LibraryConditions waiting =
          probe.awaitAssert(WITHIN, () -> control.conditions("phone", Optional.empty()).toCompletableFuture().get(10, TimeUnit.SECONDS));
      assertThat(waiting.own()).isTrue();
      assertThat(waiting.conditions()).isEmpty();
      assertThat(waiting.verdict().reasons()).containsExactly(BlockerReason.CONDITIONS_UNKNOWN);
      EngineStatus phoneStatus = reports(control).get("phone").status().orElseThrow();
      assertThat(phoneStatus.verdict().reasons()).containsExactly(BlockerReason.CONDITIONS_UNKNOWN);
      assertThat(phoneStatus.conditions()).isEmpty();
      assertThat(reports(control).get("alice").status().orElseThrow().conditions()).contains(DeviceConditions.desktop());
      assertThat(phoneTarget.files()).isEmpty();

      assertThatThrownBy(() -> control.conditions("alice", Optional.of(phoneOnWifi)).toCompletableFuture().get(10, TimeUnit.SECONDS))
          .cause()
          .isInstanceOf(NotOwnConditionsException.class);

      LibraryConditions reported = control.conditions("phone", Optional.of(phoneOnWifi)).toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertThat(reported.conditions()).contains(phoneOnWifi);
      probe.awaitAssert(WITHIN, () -> assertThat(phoneTarget.files()).hasSize(FILES));
      assertThat(reports(control).get("phone").status().orElseThrow().conditions()).contains(phoneOnWifi);
    }
  }

  /** A cluster of this one node. */
  private static ClusterSettings oneNode(int port) {
    return new ClusterSettings("127.0.0.1", port, List.of("127.0.0.1:" + port), 1, Duration.ofSeconds(3));
  }

  private Config nodeConfig() {
    return ConfigFactory.parseMap(
            Map.of(
                "autoupload.data-dir", dataDir.toString(),
                "autoupload.conditions.initial", "desktop",
                "autoupload.cluster.library-ask-timeout", "5s"))
        .withFallback(ConfigFactory.load());
  }

  private static Map<String, LibraryOwner.Report> reports(ClusterControl control) throws Exception {
    Map<String, LibraryOwner.Report> byId = new LinkedHashMap<>();
    for (LibraryOwner.Report report : control.status().toCompletableFuture().get(30, TimeUnit.SECONDS)) {
      byId.put(report.libraryId(), report);
    }
    return byId;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
