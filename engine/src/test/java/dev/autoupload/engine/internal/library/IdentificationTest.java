package dev.autoupload.engine.internal.library;

import static org.assertj.core.api.Assertions.assertThat;

import dev.autoupload.engine.library.Asset;
import dev.autoupload.engine.library.AssetSource;
import dev.autoupload.engine.library.ContentHashCache;
import dev.autoupload.engine.upload.Sha256;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * A read that fails while the file is there as found is tried once more: renamed away and back
 * while it was read, a file would otherwise go up unread, and could send a content the target
 * already holds under another name. One that is another version by then waits for the next scan.
 */
class IdentificationTest {

  private static final byte[] CONTENT = "the photo".getBytes(StandardCharsets.UTF_8);
  private static final Asset ASSET =
      Asset.of("clip.mp4", "clip.mp4", CONTENT.length, Instant.parse("2024-05-01T10:00:00Z"), Instant.parse("2024-05-01T10:00:00Z"));

  @Test
  void aFileRenamedAwayAndBackIsReadAgain() throws IOException {
    ScriptedSource source = new ScriptedSource(new NoSuchFileException("clip.mp4"), null);

    assertThat(Identification.of(source, ContentHashCache.inMemory(), ASSET))
        .isEqualTo(LibraryPlan.Identity.of(Sha256.of(new ByteArrayInputStream(CONTENT))));
  }

  @Test
  void aFileThatCannotBeReadWhereItIsStaysUnreadable() {
    ScriptedSource source = new ScriptedSource(new AccessDeniedException("clip.mp4"), new AccessDeniedException("clip.mp4"));

    assertThat(Identification.of(source, ContentHashCache.inMemory(), ASSET)).isEqualTo(LibraryPlan.Identity.unreadable());
  }

  @Test
  void aFileThatFailsItsReadAndIsAnotherVersionNowWaitsForTheNextScan() {
    Asset touched = Asset.of("clip.mp4", "clip.mp4", CONTENT.length, ASSET.createdAt(), ASSET.modifiedAt().plusSeconds(60));
    ScriptedSource source = new ScriptedSource(Optional.of(touched), new NoSuchFileException("clip.mp4"));

    assertThat(Identification.of(source, ContentHashCache.inMemory(), ASSET)).isEqualTo(LibraryPlan.Identity.changed());
  }

  @Test
  void aFileThatFailsItsReadAndIsNotThereStaysUnreadableForItsUploadToSayWhy() {
    ScriptedSource source = new ScriptedSource(Optional.empty(), new NoSuchFileException("clip.mp4"));

    assertThat(Identification.of(source, ContentHashCache.inMemory(), ASSET)).isEqualTo(LibraryPlan.Identity.unreadable());
  }

  /** Fails its opens as scripted ({@code null}: succeeds); a look again finds {@code now}. */
  private static final class ScriptedSource implements AssetSource {
    private final Deque<Optional<IOException>> opens = new ArrayDeque<>();
    private final Optional<Asset> now;

    ScriptedSource(IOException... failures) {
      this(Optional.of(ASSET), failures);
    }

    ScriptedSource(Optional<Asset> now, IOException... failures) {
      this.now = now;
      for (IOException failure : failures) {
        opens.add(Optional.ofNullable(failure));
      }
    }

    @Override
    public String describe() {
      return "a scripted source";
    }

    @Override
    public void scan(Consumer<List<Asset>> batches) {
      batches.accept(List.of(ASSET));
    }

    @Override
    public InputStream open(Asset asset) throws IOException {
      Optional<IOException> failure = opens.isEmpty() ? Optional.empty() : opens.poll();
      if (failure.isPresent()) {
        throw failure.get();
      }
      return new ByteArrayInputStream(CONTENT);
    }

    @Override
    public Optional<Asset> refresh(Asset asset) {
      return now;
    }
  }
}
