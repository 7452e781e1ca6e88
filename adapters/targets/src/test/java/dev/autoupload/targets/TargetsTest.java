package dev.autoupload.targets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.autoupload.engine.upload.RemoteFile;
import dev.autoupload.engine.upload.RemoteState;
import dev.autoupload.engine.upload.Sha256;
import dev.autoupload.engine.upload.UploadSession;
import dev.autoupload.engine.upload.UploadTarget;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The factories a host app makes targets with, storing real files. */
class TargetsTest {

  @TempDir Path temp;

  @Test
  void aLocalFolderTargetStoresTheFileByteExactUnderItsRoot() throws Exception {
    Path root = temp.resolve("backup");
    try (UploadTarget target = Targets.localFolder(root)) {
      store(target, "2024/05/IMG_0001.JPG", "photo one");
    }
    assertThat(Files.readString(root.resolve("2024/05/IMG_0001.JPG"))).isEqualTo("photo one");
  }

  @Test
  void aFileUriOpensTheSameLocalFolderTarget() throws Exception {
    Path root = temp.resolve("My Backup");
    try (UploadTarget target = Targets.open(root.toUri())) {
      assertThat(target.describe()).isEqualTo(root.toString());
      store(target, "IMG_0002.JPG", "photo two");
      assertThat(target.probe("IMG_0002.JPG")).isInstanceOf(RemoteState.Complete.class);
    }
    assertThat(Files.readString(root.resolve("IMG_0002.JPG"))).isEqualTo("photo two");
  }

  @Test
  void anUnsupportedSchemeSaysWhatIsSupported() {
    assertThatThrownBy(() -> Targets.open(URI.create("ftp://host/photos"), TargetSettings.defaults()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ftp://host/photos")
        .hasMessageContaining("file:///absolute/dir");
  }

  private static void store(UploadTarget target, String path, String text) throws Exception {
    byte[] content = text.getBytes(StandardCharsets.UTF_8);
    String sha256 = HexFormat.of().formatHex(Sha256.newDigest().digest(content));
    try (UploadSession session = target.open(path, content.length)) {
      session.append(0, ByteBuffer.wrap(content));
      RemoteFile stored = session.complete(content.length, sha256);
      assertThat(stored.sha256()).isEqualTo(sha256);
    }
  }
}
