package dev.autoupload.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.autoupload.engine.activity.ActivityItem;
import dev.autoupload.engine.activity.UploadState;
import dev.autoupload.engine.conditions.DeviceConditions;
import dev.autoupload.engine.library.Asset;
import dev.autoupload.engine.library.AssetSource;
import dev.autoupload.engine.library.Library;
import dev.autoupload.engine.testing.InMemoryTarget;
import dev.autoupload.engine.verify.VerifyMode;
import dev.autoupload.engine.verify.VerifyReport;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A host's own source builds its assets with {@link Asset#of}, leaving the library id to the engine. */
class AssetWithoutLibraryIdTest {

  private static final ActorTestKit probes = ActorTestKit.create();
  private static final Instant TAKEN = Instant.parse("2024-05-01T10:00:00Z");

  @TempDir Path dataDir;

  @AfterAll
  static void shutdown() {
    probes.shutdownTestKit();
  }

  /** A host's photo library: it knows ids, paths, sizes and dates, nothing of the engine's libraries. */
  private static final class HostPhotos implements AssetSource {
    private final Map<String, byte[]> byPath = new TreeMap<>();

    HostPhotos(Map<String, byte[]> photos) {
      byPath.putAll(photos);
    }

    private Asset asset(String path) {
      return Asset.of("host-" + path, path, byPath.get(path).length, TAKEN, TAKEN);
    }

    @Override
    public String describe() {
      return "host photos";
    }

    @Override
    public void scan(Consumer<List<Asset>> batches) {
      batches.accept(byPath.keySet().stream().map(this::asset).toList());
    }

    @Override
    public InputStream open(Asset asset) throws NoSuchFileException {
      byte[] content = byPath.get(asset.relativePath());
      if (content == null) {
        throw new NoSuchFileException(asset.relativePath());
      }
      return new ByteArrayInputStream(content);
    }

    @Override
    public Optional<Asset> refresh(Asset asset) {
      return Optional.ofNullable(byPath.get(asset.relativePath())).map(content -> asset(asset.relativePath()));
    }
  }

  @Test
  void assetsBuiltWithoutALibraryIdAreBackedUpByteExactUnderTheirLibrarysId() throws Exception {
    Map<String, byte[]> photos = new TreeMap<>();
    for (int i = 1; i <= 3; i++) {
      photos.put("DCIM/IMG_000" + i + ".JPG", ("photo " + i + " ").repeat(3000 * i).getBytes(StandardCharsets.UTF_8));
    }
    assertThat(Asset.of("x", "a.jpg", 1, TAKEN, TAKEN).libraryId()).isEmpty();
    InMemoryTarget target = new InMemoryTarget();
    List<EngineEvent.AssetUploaded> uploaded = new CopyOnWriteArrayList<>();
    try (UploadEngine engine =
        UploadEngine.builder().dataDir(dataDir).initialConditions(DeviceConditions.desktop()).start()) {
      engine.addListener(
          event -> {
            if (event instanceof EngineEvent.AssetUploaded done) {
              uploaded.add(done);
            }
          });
      Library camera = new Library("camera", new HostPhotos(photos), target);
      engine.addLibrary(camera).toCompletableFuture().get(5, TimeUnit.SECONDS);
      EngineStatus status = engine.awaitIdle().toCompletableFuture().get(60, TimeUnit.SECONDS);

      assertThat(status.backedUp()).isEqualTo(3);
      assertThat(status.failed()).isZero();
      assertThat(sha256s(target.files())).isEqualTo(sha256s(photos));
      assertThat(uploaded).hasSize(3).allSatisfy(event -> assertThat(event.libraryId()).isEqualTo("camera"));
      for (String path : photos.keySet()) {
        // The Activity is read from the journal a little after the events (README, "Consistency"):
        // an item may still say UPLOADING while the read model catches up.
        ActivityItem item =
            probes.createTestProbe().awaitAssert(
                Duration.ofSeconds(10),
                () -> {
                  ActivityItem read =
                      engine.activityItem("camera", "host-" + path).toCompletableFuture().get(5, TimeUnit.SECONDS).orElseThrow();
                  assertThat(read.state()).isEqualTo(UploadState.COMPLETED);
                  return read;
                });
        assertThat(item.libraryId()).isEqualTo("camera");
      }
      assertThat(engine.counts().toCompletableFuture().get(5, TimeUnit.SECONDS))
          .containsOnlyKeys("camera");
      VerifyReport verified =
          engine.verify(camera, VerifyMode.DOWNLOAD, progress -> {}).toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertThat(verified.files()).hasSize(3);
      assertThat(verified.complete()).isTrue();
    }
  }

  private static List<String> sha256s(Map<String, byte[]> files) throws Exception {
    List<String> hashes = new java.util.ArrayList<>();
    for (byte[] content : files.values()) {
      hashes.add(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)));
    }
    return hashes.stream().sorted().collect(Collectors.toList());
  }
}
