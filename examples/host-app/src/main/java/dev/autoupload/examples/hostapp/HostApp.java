package dev.autoupload.examples.hostapp;

import dev.autoupload.engine.EngineEvent;
import dev.autoupload.engine.EngineStatus;
import dev.autoupload.engine.UploadEngine;
import dev.autoupload.engine.conditions.DeviceConditions;
import dev.autoupload.engine.library.AssetSources;
import dev.autoupload.engine.library.InMemoryAssets;
import dev.autoupload.engine.library.Library;
import dev.autoupload.targets.Targets;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/** A host app that backs up its own photos to a local folder: {@code HostApp <data dir> <backup folder>}. */
public final class HostApp {

  public static void main(String[] args) throws Exception {
    Path dataDir = Path.of(args[0]);
    Path backupFolder = Path.of(args[1]);

    InMemoryAssets photos = AssetSources.inMemory(); // its assets get the id of the library it is added to
    Instant taken = Instant.parse("2024-06-01T09:30:00Z");
    library().forEach((name, bytes) -> photos.put("asset-" + name, "DCIM/" + name, bytes, taken));

    try (UploadEngine engine = UploadEngine.builder().dataDir(dataDir).start()) {
      // Until the first report the engine waits (CONDITIONS_UNKNOWN): it cannot know the phone is on Wi-Fi.
      engine.reportConditions(DeviceConditions.phone().withBattery(85, false).withWifi("home"));
      engine.addListener(
          event -> {
            if (event instanceof EngineEvent.AssetUploaded uploaded) {
              String remote = uploaded.remotePath().orElse("(content already there under another name)");
              System.out.println("uploaded " + uploaded.path() + " -> " + remote + " " + uploaded.bytes());
            }
          });
      Library camera = new Library("camera", photos, Targets.localFolder(backupFolder));
      engine.addLibrary(camera).toCompletableFuture().get(30, TimeUnit.SECONDS);
      EngineStatus done = engine.awaitIdle().toCompletableFuture().get(5, TimeUnit.MINUTES);
      System.out.println("backed up " + done.backedUp() + " of " + done.discovered() + ", failed " + done.failed());
    }
  }

  /** The app's own photo library: name to content. */
  static Map<String, byte[]> library() {
    Map<String, byte[]> library = new TreeMap<>();
    for (int i = 1; i <= 3; i++) {
      library.put("IMG_000" + i + ".JPG", ("photo " + i + " ").repeat(10_000 * i).getBytes(StandardCharsets.UTF_8));
    }
    return library;
  }
}
