package dev.autoupload.engine.testing;

import dev.autoupload.engine.library.Asset;
import dev.autoupload.engine.library.AssetSource;
import dev.autoupload.engine.library.CreationDateSource;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A library of {@code count} tiny assets that exist only as descriptions, so a test can queue a
 * million of them without a million files. Each asset's content is its own path.
 */
public final class GeneratedSource implements AssetSource {

  private final String libraryId;
  private final int count;

  public GeneratedSource(String libraryId, int count) {
    this.libraryId = libraryId;
    this.count = count;
  }

  private Asset asset(int index) {
    String path = "generated/%07d.jpg".formatted(index);
    Instant taken = Instant.ofEpochSecond(1_600_000_000L + index);
    return new Asset(
        "g" + index, libraryId, path, path.getBytes(StandardCharsets.UTF_8).length, taken, CreationDateSource.HOST_APP, taken, Optional.empty());
  }

  @Override
  public String describe() {
    return "generated:" + count;
  }

  @Override
  public void scan(Consumer<List<Asset>> batches) {
    List<Asset> batch = new ArrayList<>(1000);
    for (int i = 0; i < count; i++) {
      batch.add(asset(i));
      if (batch.size() == 1000) {
        batches.accept(batch);
        batch = new ArrayList<>(1000);
      }
    }
    if (!batch.isEmpty()) {
      batches.accept(batch);
    }
  }

  @Override
  public InputStream open(Asset asset) {
    return new ByteArrayInputStream(asset.relativePath().getBytes(StandardCharsets.UTF_8));
  }
}
