package dev.autoupload.engine.activity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.autoupload.engine.EngineStatus;
import dev.autoupload.engine.UploadEngine;
import dev.autoupload.engine.internal.EngineInternals;
import dev.autoupload.engine.internal.activity.ActivitySlices;
import dev.autoupload.engine.library.Library;
import dev.autoupload.engine.testing.InMemorySource;
import dev.autoupload.engine.testing.InMemoryTarget;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Activity read model on the real H2 journal, kept by the real projection. */
class ActivityTest {

  private static final ActorTestKit probes = ActorTestKit.create();

  @TempDir Path dataDir;

  @AfterAll
  static void shutdown() {
    probes.shutdownTestKit();
  }

  private static <T> T eventually(java.util.concurrent.Callable<T> check) {
    TestProbe<Object> probe = probes.createTestProbe();
    return probe.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(50), () -> {
      try {
        return check.call();
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    });
  }

  private static EngineStatus awaitIdle(UploadEngine engine) {
    return eventually(() -> {
      EngineStatus status = engine.status().toCompletableFuture().get(5, TimeUnit.SECONDS);
      assertThat(status.idle()).as("idle: %s", status).isTrue();
      return status;
    });
  }

  private static ActivityPage page(UploadEngine engine, int limit, Optional<String> before, ActivityOrder order)
      throws Exception {
    return engine.activity(limit, before, order).toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  private static List<String> paths(ActivityPage page) {
    return page.items().stream().map(ActivityItem::path).toList();
  }

  @Test
  void aPhotoFrom2023UploadedNowIsFirstByUploadTimeAndSitsIn2023ByCreationDate() throws Exception {
    InMemorySource source = new InMemorySource("camera");
    InMemoryTarget target = new InMemoryTarget();
    source.add("2025/beach.jpg", 5000, Instant.parse("2025-07-14T10:00:00Z"));
    source.add("2024/snow.jpg", 5000, Instant.parse("2024-01-20T09:00:00Z"));
    try (UploadEngine engine = UploadEngine.start(dataDir)) {
      engine.addLibrary(new Library("camera", source, target)).toCompletableFuture().get(5, TimeUnit.SECONDS);
      awaitIdle(engine);
    }
    source.add("2023/old-phone.jpg", 5000, Instant.parse("2023-03-02T18:30:00Z"));

    try (UploadEngine engine = UploadEngine.start(dataDir)) {
      engine.addLibrary(new Library("camera", source, target)).toCompletableFuture().get(5, TimeUnit.SECONDS);
      awaitIdle(engine);

      ActivityPage byUpload =
          eventually(() -> {
            ActivityPage page = page(engine, 10, Optional.empty(), ActivityOrder.UPLOADED);
            assertThat(page.items()).hasSize(3);
            return page;
          });
      assertThat(paths(byUpload).get(0)).isEqualTo("2023/old-phone.jpg");
      assertThat(byUpload.items().get(0).createdAt()).isEqualTo(Instant.parse("2023-03-02T18:30:00Z"));
      assertThat(byUpload.items().get(0).uploadedAt()).isPresent();
      assertThat(byUpload.items()).allSatisfy(item -> {
        assertThat(item.state()).isEqualTo(UploadState.COMPLETED);
        assertThat(item.percent()).isEqualTo(100);
        assertThat(item.bytes()).isEqualTo(5000);
      });

      ActivityPage byCreation = page(engine, 10, Optional.empty(), ActivityOrder.CREATED);
      assertThat(paths(byCreation)).containsExactly("2025/beach.jpg", "2024/snow.jpg", "2023/old-phone.jpg");

      assertThat(engine.counts().toCompletableFuture().get(5, TimeUnit.SECONDS))
          .containsEntry("camera", java.util.Map.of(UploadState.COMPLETED, 3L));
    }
  }

  @Test
  void aBackedUpItemIsFoundByIdWithItsSha256AndItsOriginalOpensAndCountsInItsHour() throws Exception {
    InMemorySource source = new InMemorySource("camera");
    byte[] content = source.add("DCIM/IMG_0007.JPG", 4000, Instant.parse("2024-05-01T08:00:00Z"));
    try (UploadEngine engine = UploadEngine.start(dataDir)) {
      engine.addLibrary(new Library("camera", source, new InMemoryTarget())).toCompletableFuture().get(5, TimeUnit.SECONDS);
      awaitIdle(engine);
      ActivityItem listed =
          eventually(() -> {
            ActivityPage page = page(engine, 10, Optional.empty(), ActivityOrder.UPLOADED);
            assertThat(page.items()).hasSize(1);
            return page.items().get(0);
          });

      ActivityItem found =
          engine.activityItem("camera", listed.assetId()).toCompletableFuture().get(5, TimeUnit.SECONDS).orElseThrow();
      assertThat(found.sha256())
          .hasValue(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(content)));
      assertThat(engine.activityItem("camera", "no-such-asset").toCompletableFuture().get(5, TimeUnit.SECONDS)).isEmpty();
      try (java.io.InputStream original = engine.openOriginal(found)) {
        assertThat(original.readAllBytes()).isEqualTo(content);
      }

      Instant uploadHour = found.uploadedAt().orElseThrow().truncatedTo(java.time.temporal.ChronoUnit.HOURS);
      List<Long> perHour =
          engine.backedUpPerHour(uploadHour.minus(Duration.ofHours(23)), 24).toCompletableFuture().get(5, TimeUnit.SECONDS);
      assertThat(perHour).hasSize(24);
      assertThat(perHour.get(23)).isEqualTo(1L);
      assertThat(perHour.subList(0, 23)).containsOnly(0L);
    }
  }

  @Test
  void anItemSaysWhichFileItReplacedOrThatBothWereKept() throws Exception {
    InMemorySource source = new InMemorySource("notes");
    InMemoryTarget target = new InMemoryTarget();
    Instant taken = Instant.parse("2024-03-01T12:00:00Z");
    byte[] mine = source.add("edited.jpg", 3000, taken);
    target.putFile("2024/03/edited.jpg", "another app's file".getBytes());
    com.typesafe.config.Config overwrite =
        com.typesafe.config.ConfigFactory.parseMap(
            java.util.Map.of(
                "autoupload.data-dir", dataDir.toAbsolutePath().toString(),
                "autoupload.upload.on-conflict", "overwrite"));

    try (UploadEngine engine = EngineInternals.start(overwrite)) {
      engine.addLibrary(new Library("notes", source, target)).toCompletableFuture().get(5, TimeUnit.SECONDS);
      awaitIdle(engine);

      ActivityItem replaced =
          eventually(() -> {
            ActivityPage page = page(engine, 10, Optional.empty(), ActivityOrder.UPLOADED);
            assertThat(page.items()).singleElement().satisfies(item -> assertThat(item.note()).isPresent());
            return page.items().get(0);
          });
      assertThat(replaced.note().get())
          .contains("replacing it (on-conflict = overwrite)")
          .contains("the replaced file had 18 bytes, sha256 ");
      assertThat(target.file("2024/03/edited.jpg")).hasValue(mine);
    }
  }

  @Test
  void anEditedPhotoUploadedAgainSaysItChangedSinceItsLastBackupAndThatBothWereKept() throws Exception {
    InMemorySource source = new InMemorySource("edits");
    InMemoryTarget target = new InMemoryTarget();
    Instant taken = Instant.parse("2023-05-10T12:00:00Z");
    byte[] original = source.add("DSC_0001.JPG", 5000, taken);
    try (UploadEngine engine = UploadEngine.start(dataDir)) {
      engine.addLibrary(new Library("edits", source, target)).toCompletableFuture().get(5, TimeUnit.SECONDS);
      awaitIdle(engine);
    }
    byte[] edited = java.util.Arrays.copyOf(original, 5100);
    source.rewrite("DSC_0001.JPG", edited);

    try (UploadEngine engine = UploadEngine.start(dataDir)) {
      engine.addLibrary(new Library("edits", source, target)).toCompletableFuture().get(5, TimeUnit.SECONDS);
      EngineStatus done = awaitIdle(engine);

      ActivityItem item =
          eventually(() -> {
            ActivityPage page = page(engine, 10, Optional.empty(), ActivityOrder.UPLOADED);
            assertThat(page.items()).singleElement().satisfies(i -> assertThat(i.bytes()).isEqualTo(5100));
            return page.items().get(0);
          });
      assertThat(done.libraries().get(0).completed()).isEqualTo(1);
      assertThat(item.note()).hasValueSatisfying(note -> assertThat(note)
          .startsWith("changed since its last backup")
          .contains("a different file already exists at 2023/05/DSC_0001.JPG; keeping both"));
      assertThat(item.remotePath()).hasValueSatisfying(path -> assertThat(path).startsWith("2023/05/DSC_0001~"));
      assertThat(target.file("2023/05/DSC_0001.JPG")).as("the earlier version stays").hasValue(original);
    }
  }

  @Test
  void aLivePhotoIsOneItemCarryingItsVideo() throws Exception {
    InMemorySource source = new InMemorySource("live");
    InMemoryTarget target = new InMemoryTarget();
    Instant taken = Instant.parse("2024-08-01T18:00:00Z");
    source.add("DCIM/IMG_0001.HEIC", 3000, taken);
    source.add("DCIM/IMG_0001.MOV", 9000, taken);
    source.add("DCIM/IMG_0002.JPG", 2000, taken.plusSeconds(60));
    // Another month, so the default layout files it elsewhere than the pair's video.
    source.add("Other/IMG_0001.MOV", 4000, taken.plusSeconds(40L * 24 * 3600));

    try (UploadEngine engine = UploadEngine.start(dataDir)) {
      engine.addLibrary(new Library("live", source, target)).toCompletableFuture().get(5, TimeUnit.SECONDS);
      awaitIdle(engine);

      ActivityPage recent =
          eventually(() -> {
            ActivityPage page = page(engine, 10, Optional.empty(), ActivityOrder.CREATED);
            assertThat(page.items()).hasSize(3);
            return page;
          });
      assertThat(paths(recent)).containsExactly("Other/IMG_0001.MOV", "DCIM/IMG_0002.JPG", "DCIM/IMG_0001.HEIC");
      ActivityItem live = recent.items().get(2);
      assertThat(live.livePhotoVideo()).as("the still carries its video").hasValueSatisfying(v -> assertThat(v).endsWith("IMG_0001.MOV"));
      assertThat(recent.items().get(0).livePhotoVideo()).as("a video in another folder is no half").isEmpty();
      assertThat(recent.items().get(1).livePhotoVideo()).isEmpty();
      assertThat(target.files()).as("both halves are uploaded").hasSize(4);
    }
  }

  @Test
  void aPairIsOneItemOnlyOnceBothHalvesAreBackedUp() throws Exception {
    InMemorySource source = new InMemorySource("half");
    InMemoryTarget target = new InMemoryTarget();
    Instant taken = Instant.parse("2024-08-01T18:00:00Z");
    source.add("DCIM/IMG_0001.HEIC", 3000, taken);
    source.add("DCIM/IMG_0001.MOV", 9000, taken);
    source.add("DCIM/IMG_0002.HEIC", 3000, taken.plusSeconds(60));
    source.add("DCIM/IMG_0002.MOV", 9000, taken.plusSeconds(60));
    target.failAppends(
        path -> path.endsWith("IMG_0001.MOV") || path.endsWith("IMG_0002.HEIC")
            ? Optional.of(new dev.autoupload.engine.upload.UploadError.Permanent("the server refused the file"))
            : Optional.empty());

    try (UploadEngine engine = UploadEngine.start(dataDir)) {
      engine.addLibrary(new Library("half", source, target)).toCompletableFuture().get(5, TimeUnit.SECONDS);
      awaitIdle(engine);

      List<ActivityItem> failed =
          eventually(() -> {
            List<ActivityItem> items =
                engine.uploads(Set.of(UploadState.FAILED)).toCompletableFuture().get(5, TimeUnit.SECONDS);
            assertThat(items).hasSize(2);
            return items;
          });
      assertThat(failed).extracting(ActivityItem::path).containsExactlyInAnyOrder("DCIM/IMG_0001.MOV", "DCIM/IMG_0002.HEIC");
      // The projection may still be folding in the other halves' completions.
      ActivityPage recent =
          eventually(() -> {
            ActivityPage page = page(engine, 10, Optional.empty(), ActivityOrder.CREATED);
            assertThat(paths(page)).as("each half that is backed up is shown").containsExactly("DCIM/IMG_0002.MOV", "DCIM/IMG_0001.HEIC");
            return page;
          });
      assertThat(recent.items()).allSatisfy(item -> assertThat(item.livePhotoVideo()).as("not Live while a half is missing").isEmpty());
    }
  }

  @Test
  void pagesWithACursorCoverEveryUploadOnceInOrder() throws Exception {
    InMemorySource source = new InMemorySource("pages");
    for (int i = 0; i < 23; i++) {
      source.add("IMG_%02d.JPG".formatted(i), 100 + i, Instant.parse("2024-01-01T00:00:00Z").plusSeconds(i * 3600L));
    }
    try (UploadEngine engine = UploadEngine.start(dataDir)) {
      engine.addLibrary(new Library("pages", source, new InMemoryTarget())).toCompletableFuture().get(5, TimeUnit.SECONDS);
      awaitIdle(engine);
      eventually(() -> assertThat(page(engine, 100, Optional.empty(), ActivityOrder.CREATED).items()).hasSize(23));

      for (ActivityOrder order : ActivityOrder.values()) {
        List<ActivityItem> seen = new ArrayList<>();
        Optional<String> cursor = Optional.empty();
        List<Integer> sizes = new ArrayList<>();
        do {
          ActivityPage page = page(engine, 10, cursor, order);
          sizes.add(page.items().size());
          seen.addAll(page.items());
          cursor = page.next();
        } while (cursor.isPresent());

        assertThat(sizes).as(order.name()).containsExactly(10, 10, 3);
        assertThat(seen).extracting(ActivityItem::assetId).doesNotHaveDuplicates().hasSize(23);
        List<Instant> keys =
            seen.stream().map(item -> order == ActivityOrder.CREATED ? item.createdAt() : item.uploadedAt().orElseThrow()).toList();
        assertThat(keys).isSortedAccordingTo(java.util.Comparator.reverseOrder());
      }
      String createdCursor = page(engine, 10, Optional.empty(), ActivityOrder.CREATED).next().orElseThrow();
      assertThatThrownBy(() -> page(engine, 10, Optional.of(createdCursor), ActivityOrder.UPLOADED))
          .hasCauseInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("invalid cursor");
      assertThatThrownBy(() -> page(engine, 10, Optional.of("not a cursor"), ActivityOrder.CREATED))
          .hasCauseInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> page(engine, 0, Optional.empty(), ActivityOrder.CREATED))
          .hasCauseInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("limit must be between 1 and 500");
    }
  }

  @Test
  void aRebuildFromTheJournalGivesIdenticalRows() throws Exception {
    InMemorySource source = new InMemorySource("rebuild");
    for (int i = 0; i < 30; i++) {
      source.add("r%02d.jpg".formatted(i), 300_000, Instant.parse("2022-05-05T05:05:05Z").plusSeconds(i));
    }
    source.makeUnreadable("r07.jpg");
    source.makeVanish("r08.jpg");
    try (UploadEngine engine = UploadEngine.start(dataDir)) {
      engine.addLibrary(new Library("rebuild", source, new InMemoryTarget())).toCompletableFuture().get(5, TimeUnit.SECONDS);
      awaitIdle(engine);
      List<List<Object>> before =
          eventually(() -> {
            // Counts first: once they are final the projection has caught up, and the rows read
            // after them are final too.
            assertThat(engine.counts().toCompletableFuture().get(5, TimeUnit.SECONDS).get("rebuild"))
                .containsEntry(UploadState.COMPLETED, 28L)
                .containsEntry(UploadState.FAILED, 1L)
                .containsEntry(UploadState.SKIPPED, 1L);
            List<List<Object>> rows = rows();
            assertThat(rows).hasSize(30);
            return rows;
          });
      assertThat(engine.uploads(Set.of(UploadState.FAILED)).toCompletableFuture().get(5, TimeUnit.SECONDS))
          .singleElement()
          .satisfies(item -> assertThat(item.lastError()).hasValue("Permanent: cannot read r07.jpg: permission denied"));

      engine.rebuildActivity().toCompletableFuture().get(10, TimeUnit.SECONDS);

      eventually(() -> {
        assertThat(rows()).isEqualTo(before);
        return null;
      });
    }
  }

  @Test
  void noRowIsLostOrDoubledWhenTheEngineStopsWhileEventsStream() throws Exception {
    InMemorySource source = new InMemorySource("restart");
    for (int i = 0; i < 120; i++) {
      source.add("s%03d.jpg".formatted(i), 2000, Instant.parse("2021-01-01T00:00:00Z").plusSeconds(i));
    }
    InMemoryTarget target = new InMemoryTarget();
    try (UploadEngine engine = UploadEngine.start(dataDir)) {
      engine.addLibrary(new Library("restart", source, target)).toCompletableFuture().get(5, TimeUnit.SECONDS);
      eventually(() -> {
        assertThat(target.files().size()).isGreaterThan(20);
        return null;
      });
    }
    try (UploadEngine engine = UploadEngine.start(dataDir)) {
      engine.addLibrary(new Library("restart", source, target)).toCompletableFuture().get(5, TimeUnit.SECONDS);
      awaitIdle(engine);
      List<List<Object>> projected =
          eventually(() -> {
            assertThat(engine.counts().toCompletableFuture().get(5, TimeUnit.SECONDS).get("restart"))
                .containsEntry(UploadState.COMPLETED, 120L);
            List<List<Object>> rows = rows();
            assertThat(rows).hasSize(120);
            return rows;
          });

      engine.rebuildActivity().toCompletableFuture().get(10, TimeUnit.SECONDS);
      eventually(() -> {
        assertThat(rows()).as("what a replay of the whole journal gives").isEqualTo(projected);
        return null;
      });
    }
  }

  @Test
  void aProjectionStoppedAndStartedWhileEventsStreamResumesFromItsOffsetWithNothingLostOrDoubled() throws Exception {
    com.typesafe.config.Config off =
        com.typesafe.config.ConfigFactory.parseMap(
            java.util.Map.of(
                "autoupload.data-dir", dataDir.toAbsolutePath().toString(),
                "autoupload.activity.projection", "off"));
    InMemorySource first = new InMemorySource("first");
    InMemorySource second = new InMemorySource("second");
    for (int i = 0; i < 40; i++) {
      first.add("a%03d.jpg".formatted(i), 2000, Instant.parse("2021-01-01T00:00:00Z").plusSeconds(i));
    }
    for (int i = 0; i < 150; i++) {
      second.add("b%03d.jpg".formatted(i), 20_000, Instant.parse("2021-02-01T00:00:00Z").plusSeconds(i));
    }
    try (UploadEngine engine = EngineInternals.start(off)) {
      engine.addLibrary(new Library("first", first, new InMemoryTarget())).toCompletableFuture().get(5, TimeUnit.SECONDS);
      awaitIdle(engine);
      // Off: the engine reads the read model but nothing writes it, however its events wake.
      org.awaitility.Awaitility.await()
          .during(Duration.ofSeconds(1))
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(() -> assertThat(rows()).isEmpty());
      assertThat(storedOffset()).isEmpty();
      assertThatThrownBy(() -> engine.rebuildActivity().toCompletableFuture().get(5, TimeUnit.SECONDS))
          .hasMessageContaining("autoupload.activity.projection = off");

      EngineInternals.startActivityProjection(engine, Duration.ofSeconds(5)).toCompletableFuture().get(10, TimeUnit.SECONDS);
      eventually(() -> {
        assertThat(rows()).hasSize(40);
        return null;
      });

      // Stopped and started again and again while the second library's events stream in, as a
      // cluster hands the projection from node to node: each start resumes from the stored offset.
      engine.addLibrary(new Library("second", second, new InMemoryTarget())).toCompletableFuture().get(5, TimeUnit.SECONDS);
      for (int round = 0; round < 4; round++) {
        EngineInternals.stopActivityProjection(engine, Duration.ofSeconds(10)).toCompletableFuture().get(15, TimeUnit.SECONDS);
        Optional<Long> stoppedAt = storedOffset();
        // Stopped means stopped: its offset (committed with its rows) stays where it is.
        org.awaitility.Awaitility.await()
            .during(Duration.ofMillis(600))
            .atMost(Duration.ofSeconds(5))
            .untilAsserted(() -> assertThat(storedOffset()).isEqualTo(stoppedAt));
        EngineInternals.startActivityProjection(engine, Duration.ofSeconds(5)).toCompletableFuture().get(10, TimeUnit.SECONDS);
        // Starting one that runs is a no-op.
        EngineInternals.startActivityProjection(engine, Duration.ofSeconds(5)).toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
      awaitIdle(engine);
      List<List<Object>> handedOver =
          eventually(() -> {
            assertThat(engine.counts().toCompletableFuture().get(5, TimeUnit.SECONDS).get("second"))
                .containsEntry(UploadState.COMPLETED, 150L);
            List<List<Object>> rows = rows();
            assertThat(rows).hasSize(190);
            return rows;
          });

      engine.rebuildActivity().toCompletableFuture().get(10, TimeUnit.SECONDS);
      eventually(() -> {
        assertThat(rows()).as("what one replay of the whole journal gives").isEqualTo(handedOver);
        return null;
      });
    }
  }

  @Test
  void eachSliceIsProjectedOnItsOwnFromItsOwnOffsetAndTogetherTheyListEveryUploadOnce() throws Exception {
    java.util.Map<String, Object> settings =
        new java.util.HashMap<>(
            java.util.Map.of(
                "autoupload.data-dir", dataDir.toAbsolutePath().toString(),
                "autoupload.activity.projection", "off",
                "autoupload.activity.slices", 3));
    InMemorySource source = new InMemorySource("sliced");
    for (int i = 0; i < 30; i++) {
      source.add("s%03d.jpg".formatted(i), 1000 + i, Instant.parse("2022-03-01T00:00:00Z").plusSeconds(i));
    }
    List<List<Object>> everyRow;
    try (UploadEngine engine = EngineInternals.start(com.typesafe.config.ConfigFactory.parseMap(settings))) {
      assertThat(EngineInternals.activitySlices(engine)).isEqualTo(3);
      engine.addLibrary(new Library("sliced", source, new InMemoryTarget())).toCompletableFuture().get(5, TimeUnit.SECONDS);
      awaitIdle(engine);
      // Every upload's events carry its slice's tag, and only that one.
      java.util.Map<String, Set<String>> tags = uploadTags();
      assertThat(tags).hasSize(30);
      tags.forEach((persistenceId, tagged) ->
          assertThat(tagged).as(persistenceId).containsExactly(ActivitySlices.tag(ActivitySlices.sliceOf(persistenceId, 3), 3)));
      long inSliceOne = tags.keySet().stream().filter(id -> ActivitySlices.sliceOf(id, 3) == 1).count();
      assertThat(inSliceOne).as("uploads in slice 1 of 3").isBetween(1L, 29L);

      // Slice 1 alone: its uploads are listed, and no other's.
      EngineInternals.startActivitySlice(engine, 1, Duration.ofSeconds(5)).toCompletableFuture().get(10, TimeUnit.SECONDS);
      eventually(() -> {
        assertThat(storedOffsets()).containsOnlyKeys("file-upload-1").containsEntry("file-upload-1", lastTagged("file-upload-1"));
        return null;
      });
      assertThat(rows()).hasSize((int) inSliceOne);
      for (List<Object> row : rows()) {
        assertThat(ActivitySlices.sliceOf("FileUpload|" + row.get(0) + ":" + row.get(1), 3)).as("%s", row).isEqualTo(1);
      }
      assertThatThrownBy(() -> engine.rebuildActivity().toCompletableFuture().get(5, TimeUnit.SECONDS))
          .hasMessageContaining("only 1 of the 3 Activity slices run on this engine");
      assertThatThrownBy(() -> EngineInternals.startActivitySlice(engine, 3, Duration.ofSeconds(5)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("slice 3 is not one of this journal's 3 Activity slices");

      // Then every slice: each from its own offset, every upload once.
      EngineInternals.startActivityProjection(engine, Duration.ofSeconds(5)).toCompletableFuture().get(10, TimeUnit.SECONDS);
      everyRow =
          eventually(() -> {
            assertThat(storedOffsets())
                .containsOnlyKeys("file-upload-0", "file-upload-1", "file-upload-2")
                .containsEntry("file-upload-0", lastTagged("file-upload-0"))
                .containsEntry("file-upload-2", lastTagged("file-upload-2"));
            List<List<Object>> rows = rows();
            assertThat(rows).hasSize(30);
            assertThat(rows).allSatisfy(row -> assertThat(row.get(7)).isEqualTo("COMPLETED"));
            return rows;
          });
      engine.rebuildActivity().toCompletableFuture().get(10, TimeUnit.SECONDS);
      eventually(() -> {
        assertThat(rows()).as("what one replay of every slice gives").isEqualTo(everyRow);
        return null;
      });
    }

    // The journal keeps the number of slices it was created with, whatever a later engine asks.
    settings.put("autoupload.activity.slices", 5);
    settings.put("autoupload.activity.projection", "on");
    try (UploadEngine engine = EngineInternals.start(com.typesafe.config.ConfigFactory.parseMap(settings))) {
      assertThat(EngineInternals.activitySlices(engine)).isEqualTo(3);
      assertThat(engine.activity(50, Optional.empty(), ActivityOrder.UPLOADED).toCompletableFuture().get(5, TimeUnit.SECONDS).items())
          .hasSize(30);
    }
  }

  /** The tags of each upload's events in the journal, by persistence id. */
  private java.util.Map<String, Set<String>> uploadTags() throws Exception {
    java.util.Map<String, Set<String>> tags = new java.util.TreeMap<>();
    try (Connection db = journal();
        Statement query = db.createStatement();
        ResultSet rows =
            query.executeQuery(
                "SELECT j.persistence_id, t.tag FROM event_journal j JOIN event_tag t ON t.event_id = j.ordering "
                    + "WHERE j.persistence_id LIKE 'FileUpload|%'")) {
      while (rows.next()) {
        tags.computeIfAbsent(rows.getString(1), id -> new java.util.TreeSet<>()).add(rows.getString(2));
      }
    }
    return tags;
  }

  /** The journal ordering of the last event tagged {@code tag}. */
  private long lastTagged(String tag) throws Exception {
    try (Connection db = journal();
        java.sql.PreparedStatement query = db.prepareStatement("SELECT MAX(event_id) FROM event_tag WHERE tag = ?")) {
      query.setString(1, tag);
      try (ResultSet rows = query.executeQuery()) {
        rows.next();
        return rows.getLong(1);
      }
    }
  }

  /** The Activity projection's stored offsets (journal orderings), by slice tag. */
  private java.util.Map<String, Long> storedOffsets() throws Exception {
    java.util.Map<String, Long> offsets = new java.util.TreeMap<>();
    try (Connection db = journal();
        Statement query = db.createStatement();
        ResultSet rows =
            query.executeQuery(
                "SELECT projection_key, current_offset FROM pekko_projection_offset_store WHERE projection_name = 'activity'")) {
      while (rows.next()) {
        offsets.put(rows.getString(1), Long.parseLong(rows.getString(2)));
      }
    }
    return offsets;
  }

  private Connection journal() throws Exception {
    return DriverManager.getConnection("jdbc:h2:file:" + dataDir.resolve("journal") + ";DATABASE_TO_UPPER=false", "sa", "");
  }

  /** The Activity projection's stored offset (a journal ordering), if it has stored one. */
  private Optional<Long> storedOffset() throws Exception {
    try (Connection db = DriverManager.getConnection(
            "jdbc:h2:file:" + dataDir.resolve("journal") + ";DATABASE_TO_UPPER=false", "sa", "");
        Statement query = db.createStatement();
        ResultSet rows =
            query.executeQuery(
                "SELECT current_offset FROM pekko_projection_offset_store WHERE projection_name = 'activity'")) {
      return rows.next() ? Optional.of(Long.parseLong(rows.getString(1))) : Optional.empty();
    }
  }

  private List<List<Object>> rows() throws Exception {
    try (Connection db = DriverManager.getConnection(
            "jdbc:h2:file:" + dataDir.resolve("journal") + ";DATABASE_TO_UPPER=false", "sa", "");
        Statement query = db.createStatement();
        ResultSet rows =
            query.executeQuery(
                "SELECT library_id, asset_id, path, remote_path, created_at, uploaded_at, bytes, state, "
                    + "offset_bytes, attempts, last_error, reasons FROM activity_asset ORDER BY library_id, asset_id")) {
      ResultSetMetaData meta = rows.getMetaData();
      List<List<Object>> result = new ArrayList<>();
      while (rows.next()) {
        List<Object> row = new ArrayList<>();
        for (int column = 1; column <= meta.getColumnCount(); column++) {
          row.add(rows.getObject(column));
        }
        result.add(row);
      }
      return result;
    }
  }
}
