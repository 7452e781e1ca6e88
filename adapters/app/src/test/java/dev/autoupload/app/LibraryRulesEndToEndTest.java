package dev.autoupload.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import dev.autoupload.engine.EngineEvent;
import dev.autoupload.engine.EngineStatus;
import dev.autoupload.engine.UploadEngine;
import dev.autoupload.engine.conditions.BlockerReason;
import dev.autoupload.engine.conditions.DeviceConditions;
import dev.autoupload.engine.conditions.DeviceConditions.Network;
import dev.autoupload.engine.conditions.DeviceConditions.OsState;
import dev.autoupload.engine.conditions.DeviceConditions.PhotoAccess;
import dev.autoupload.engine.internal.EngineInternals;
import dev.autoupload.engine.library.LibraryStatus;
import dev.autoupload.engine.upload.Sha256;
import dev.autoupload.http.HttpControlServer;
import dev.autoupload.targets.local.LocalFolderTarget;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A library's rules end to end, as the {@code run} command sets them up from config: the real
 * engine on its H2 journal, a real folder source, a local folder target, and the control endpoint
 * that {@code autoupload status} reads.
 */
class LibraryRulesEndToEndTest {

  private static final Duration MIN_AGE = Duration.ofSeconds(10);

  @TempDir Path dir;

  private static DeviceConditions phone(Network network) {
    return new DeviceConditions(
        100, true, false, network, false, Optional.of("home").filter(ssid -> network == Network.WIFI), true,
        PhotoAccess.FULL, OsState.FOREGROUND);
  }

  private static Path write(Path file, int size, long seed, Instant modified) throws IOException {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    Files.createDirectories(file.getParent());
    Files.write(file, bytes);
    Files.setLastModifiedTime(file, FileTime.from(modified));
    return file;
  }

  private static String sha256(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return Sha256.of(in);
    }
  }

  /** Every file below {@code root} by its name, with its sha256. */
  private static Map<String, String> contents(Path root) throws IOException {
    Map<String, String> byName = new TreeMap<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        byName.put(file.getFileName().toString(), sha256(file));
      }
    }
    return byName;
  }

  private static String status(Path data) {
    StringWriter out = new StringWriter();
    CommandLine commandLine = new CommandLine(new Main());
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(new StringWriter(), true));
    assertThat(commandLine.execute("status", "--data-dir", data.toString())).isZero();
    return out.toString();
  }

  private static EngineStatus status(UploadEngine engine) throws Exception {
    return engine.status().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void oldFilesAreLeftOutFreshOnesWaitForMinAgeAndVideosAndLargeFilesWaitForWifi() throws Exception {
    Path photos = Files.createDirectories(dir.resolve("photos"));
    Path backup = Files.createDirectories(dir.resolve("backup"));
    Path data = dir.resolve("data");
    write(photos.resolve("2019/IMG_0001.jpg"), 4_000, 1, Instant.parse("2019-06-01T10:00:00Z"));
    Path small = write(photos.resolve("IMG_0002.jpg"), 10_000, 2, Instant.parse("2025-01-01T10:00:00Z"));
    Path large = write(photos.resolve("IMG_0003.jpg"), 300_000, 3, Instant.parse("2025-02-01T10:00:00Z"));
    Path video = write(photos.resolve("clip.mp4"), 60_000, 4, Instant.parse("2025-03-01T10:00:00Z"));
    Config config =
        ConfigLoader.withDataDir(
            ConfigLoader.load(
                Optional.empty(),
                List.of(
                    "autoupload.policy.allow-cellular=true",
                    "autoupload.conditions.debounce=100ms",
                    "autoupload.source.folder.stable-for=0s",
                    "autoupload.layout.time-zone=UTC",
                    "autoupload.rules.videos.mobile-data=false",
                    "autoupload.rules.max-size-on-metered=100KiB",
                    "autoupload.rules.min-age=" + MIN_AGE.toSeconds() + "s",
                    "autoupload.rules.only-since=2024-01-01")),
            data);
    List<EngineEvent.AssetUploaded> uploaded = new CopyOnWriteArrayList<>();

    try (UploadEngine engine = EngineInternals.start(config);
        HttpControlServer server = HttpControlServer.start(engine, data, "127.0.0.1", 0)) {
      engine.addListener(
          event -> {
            if (event instanceof EngineEvent.AssetUploaded done) {
              uploaded.add(done);
            }
          });
      engine.reportConditions(phone(Network.CELLULAR));
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> status(engine).verdict().metered());
      Instant taken = Instant.now();
      Path fresh = write(photos.resolve("IMG_0004.jpg"), 5_000, 5, taken);
      engine
          .addLibrary(CommandSetup.library("photos", photos, new LocalFolderTarget(backup), config))
          .toCompletableFuture()
          .get(10, TimeUnit.SECONDS);

      // On mobile data: the small photo goes; the video, the large photo and the fresh one wait, each saying why.
      Awaitility.await()
          .atMost(MIN_AGE.minusSeconds(2))
          .untilAsserted(
              () -> {
                LibraryStatus library = status(engine).libraries().get(0);
                assertThat(library.completed()).isEqualTo(1);
                assertThat(library.held())
                    .extracting(LibraryStatus.Held::path, LibraryStatus.Held::reasons)
                    .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("IMG_0004.jpg", Set.of(BlockerReason.TOO_RECENT)),
                        org.assertj.core.groups.Tuple.tuple("IMG_0003.jpg", Set.of(BlockerReason.TOO_LARGE_FOR_MOBILE_DATA)),
                        org.assertj.core.groups.Tuple.tuple("clip.mp4", Set.of(BlockerReason.VIDEOS_WAIT_FOR_WIFI)));
                assertThat(library.reasons())
                    .contains(
                        BlockerReason.TOO_RECENT, BlockerReason.TOO_LARGE_FOR_MOBILE_DATA, BlockerReason.VIDEOS_WAIT_FOR_WIFI);
                assertThat(library.leftOutByOnlySince()).isEqualTo(1);
              });
      assertThat(status(data))
          .contains(
              "waiting: clip.mp4: " + BlockerReason.VIDEOS_WAIT_FOR_WIFI.description(),
              "waiting: IMG_0003.jpg: " + BlockerReason.TOO_LARGE_FOR_MOBILE_DATA.description(),
              "waiting: IMG_0004.jpg: " + BlockerReason.TOO_RECENT.description() + " (goes in ",
              "; 1 left out by only-since");

      // Nothing changes but time: the fresh photo goes by itself once it is min-age old, not before.
      Awaitility.await()
          .atMost(MIN_AGE.plusSeconds(20))
          .until(() -> uploaded.stream().anyMatch(event -> event.path().equals("IMG_0004.jpg")));
      EngineEvent.AssetUploaded freshUp =
          uploaded.stream().filter(event -> event.path().equals("IMG_0004.jpg")).findFirst().orElseThrow();
      assertThat(freshUp.uploadedAt()).isAfterOrEqualTo(taken.plus(MIN_AGE).truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
      assertThat(uploaded).extracting(EngineEvent.AssetUploaded::path).containsExactlyInAnyOrder("IMG_0002.jpg", "IMG_0004.jpg");

      engine.reportConditions(phone(Network.WIFI));
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> status(engine).idle());
      EngineStatus done = status(engine);

      assertThat(done.libraries().get(0).reasons()).isEmpty();
      assertThat(Summary.of(done, Duration.ofSeconds(1)).line())
          .startsWith("summary: files=4 backed-up=4 uploaded=4 already=0 skipped=0 failed=0 left-out-by-only-since=1 ");
      assertThat(contents(backup))
          .isEqualTo(
              Stream.of(small, large, video, fresh)
                  .collect(
                      Collectors.toMap(
                          file -> file.getFileName().toString(),
                          file -> {
                            try {
                              return sha256(file);
                            } catch (IOException e) {
                              throw new java.io.UncheckedIOException(e);
                            }
                          })));
    }
  }
}
