package dev.autoupload.engine.library;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.autoupload.engine.EngineStatus;
import dev.autoupload.engine.UploadEngine;
import dev.autoupload.engine.testing.InMemoryTarget;
import dev.autoupload.engine.upload.Sha256;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The source a host app hands its photos to, on its own and backed up by a real engine. */
class InMemoryAssetsTest {

  private static final Instant TAKEN = Instant.parse("2024-05-01T10:00:00Z");

  private static final ActorTestKit probes = ActorTestKit.create();

  @TempDir Path dataDir;

  @AfterAll
  static void shutdown() {
    probes.shutdownTestKit();
  }

  private static String sha256(byte[] content) {
    return HexFormat.of().formatHex(Sha256.newDigest().digest(content));
  }

  @Test
  void oneFromAssetSourcesLeavesTheLibraryIdToTheEngine() {
    InMemoryAssets photos = AssetSources.inMemory();
    Asset put = photos.put("PH-1", "DCIM/IMG_0001.JPG", new byte[10], TAKEN);

    assertThat(put.libraryId()).isEmpty();
    assertThat(photos.assets()).containsExactly(put);
    assertThat(photos.describe()).isEqualTo("memory");
  }

  @Test
  void handsBackWhatWasPutWithTheHostsIdDateAndHash() throws Exception {
    InMemoryAssets photos = new InMemoryAssets("camera");
    byte[] content = "jpeg bytes".getBytes(StandardCharsets.UTF_8);
    Asset put = photos.put("PH-1", "DCIM/IMG_0001.JPG", content, TAKEN);
    content[0] = 'X';

    List<Asset> scanned = new ArrayList<>();
    photos.scan(scanned::addAll);
    assertThat(scanned).containsExactly(put);
    assertThat(put.id()).isEqualTo("PH-1");
    assertThat(put.libraryId()).isEqualTo("camera");
    assertThat(put.size()).isEqualTo(10);
    assertThat(put.createdAt()).isEqualTo(TAKEN);
    assertThat(put.createdAtSource()).isEqualTo(CreationDateSource.HOST_APP);
    assertThat(put.contentHash()).contains(sha256("jpeg bytes".getBytes(StandardCharsets.UTF_8)));
    try (InputStream in = photos.open(put)) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("jpeg bytes");
    }
  }

  @Test
  void newContentUnderAPathIsANewVersionTheSameContentIsNotAndARemovedAssetIsGone() throws Exception {
    InMemoryAssets photos = new InMemoryAssets("camera");
    AtomicInteger changes = new AtomicInteger();
    photos.watch(changes::incrementAndGet);
    Asset first = photos.put("PH-1", "IMG_0001.JPG", new byte[] {1, 2, 3}, TAKEN);
    Asset second = photos.put("PH-1", "IMG_0001.JPG", new byte[] {1, 2, 4}, TAKEN);
    Asset handedOverAgain = new InMemoryAssets("camera").put("PH-1", "IMG_0001.JPG", new byte[] {1, 2, 4}, TAKEN);

    assertThat(second.version()).isNotEqualTo(first.version());
    assertThat(handedOverAgain.version()).isEqualTo(second.version());
    assertThat(photos.refresh(first)).contains(second);
    assertThat(photos.remove("IMG_0001.JPG")).isTrue();
    assertThat(photos.remove("IMG_0001.JPG")).isFalse();
    assertThat(photos.refresh(first)).isEmpty();
    assertThatThrownBy(() -> photos.open(first)).isInstanceOf(NoSuchFileException.class);
    assertThat(changes).hasValue(3);
  }

  @Test
  void theEngineBacksUpEveryAssetHandedOverByteExactAndThenWhatIsPutLater() throws Exception {
    InMemoryAssets photos = new InMemoryAssets("phone");
    for (int i = 1; i <= 5; i++) {
      photos.put("PH-" + i, "DCIM/IMG_000" + i + ".JPG", ("photo " + i).repeat(1000 * i).getBytes(StandardCharsets.UTF_8), TAKEN);
    }
    InMemoryTarget target = new InMemoryTarget();
    try (UploadEngine engine = UploadEngine.start(dataDir)) {
      engine.addLibrary(new Library("phone", photos, target).watched()).toCompletableFuture().get(10, TimeUnit.SECONDS);
      EngineStatus status = engine.awaitIdle().toCompletableFuture().get(60, TimeUnit.SECONDS);
      assertThat(status.backedUp()).isEqualTo(5);
      assertThat(hashesOn(target)).isEqualTo(hashesOf(photos));

      photos.put("PH-6", "DCIM/IMG_0006.JPG", "a later photo".getBytes(StandardCharsets.UTF_8), TAKEN);
      probes.createTestProbe().awaitAssert(
          Duration.ofSeconds(30), () -> assertThat(hashesOn(target)).isEqualTo(hashesOf(photos)));
    }
    assertThat(target.files()).hasSize(6);
  }

  private static Set<String> hashesOn(InMemoryTarget target) {
    return target.files().values().stream().map(InMemoryAssetsTest::sha256).collect(Collectors.toSet());
  }

  private static Set<String> hashesOf(InMemoryAssets photos) {
    return photos.assets().stream().map(asset -> asset.contentHash().orElseThrow()).collect(Collectors.toSet());
  }
}
