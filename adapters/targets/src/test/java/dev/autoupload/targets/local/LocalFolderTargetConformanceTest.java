package dev.autoupload.targets.local;

import dev.autoupload.engine.upload.UploadTarget;
import dev.autoupload.targets.TargetConformance;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;

class LocalFolderTargetConformanceTest extends TargetConformance {

  @TempDir Path temp;

  @Override
  protected UploadTarget newTarget() {
    return new LocalFolderTarget(temp.resolve("backup"));
  }

  @Override
  protected boolean resumable() {
    return true;
  }

  @Override
  protected int chunkSize() {
    return 64 * 1024;
  }

  @Override
  protected Optional<ServerView> serverView() {
    return Optional.of(
        new ServerView() {
          @Override
          public Optional<byte[]> read(String remotePath) throws Exception {
            return readFile(temp.resolve("backup").resolve(remotePath));
          }

          @Override
          public Optional<byte[]> readBesideRoot(String name) throws Exception {
            return readFile(temp.resolve(name));
          }

          @Override
          public List<String> unfinished() throws Exception {
            return ServerView.partFiles(temp.resolve("backup"));
          }
        });
  }

  @Override
  protected Optional<Tampering> tampering() {
    return Optional.of(Tampering.ofFolder(temp.resolve("backup")));
  }

  private static Optional<byte[]> readFile(Path file) throws Exception {
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      return Optional.empty();
    }
    return Optional.of(Files.readAllBytes(file));
  }
}
