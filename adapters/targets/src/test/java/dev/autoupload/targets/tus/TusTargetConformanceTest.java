package dev.autoupload.targets.tus;

import dev.autoupload.engine.upload.RemoteFile;
import dev.autoupload.engine.upload.RemoteState;
import dev.autoupload.engine.upload.UploadException;
import dev.autoupload.engine.upload.UploadSession;
import dev.autoupload.engine.upload.UploadTarget;
import dev.autoupload.targets.TargetConformance;
import dev.autoupload.targets.TargetSettings;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.text.Normalizer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared target contract against a real tus-java-server, one fresh server per test.
 *
 * <p>tus knows an upload only by its URL, which the engine keeps in its journal as the resume
 * token. The suite speaks of names, so the target under test is wrapped in {@link Journaled}, which
 * does what the engine does: it records each session's token under the remote path, passes it to
 * every later probe and open of that path until the upload completes, and afterwards still to
 * probes (as the engine's ledger knows what it uploaded). What the server holds under a name is
 * read with the server's own means: the finished uploads whose {@code filename} metadata is that
 * name.
 *
 * <p>Adapted: the name-conflict test does not apply ({@link #knowsFilesByName()}); tus keeps two
 * uploads of one name side by side, which {@link TusTargetTest} checks.
 */
class TusTargetConformanceTest extends TargetConformance {

  private static final int CHUNK = 32 * 1024;

  @TempDir Path storage;
  private TusServer server;
  /** Tokens of uploads not yet completed, by NFC path: the engine's journal. */
  private final Map<String, String> unfinished = new HashMap<>();
  /** Tokens of completed uploads, by NFC path: the engine's ledger. */
  private final Map<String, String> completed = new HashMap<>();

  @Override
  protected UploadTarget newTarget() throws Exception {
    if (server == null) {
      server = TusServer.start(storage);
    }
    TargetSettings settings =
        TargetSettings.defaults().withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(20), 64 * 1024);
    // A PATCH per chunk, as the suite counts what a resumed upload sends twice in chunks;
    // TusTargetTest covers chunks gathered into bigger PATCHes.
    return new Journaled(new TusTarget(endpoint(server), Optional.empty(), transport(settings), chunkSize()));
  }

  /** The settings' TLS part for {@link #endpoint}; none for the server's own plain HTTP. */
  protected TargetSettings transport(TargetSettings settings) throws Exception {
    return settings;
  }

  /** The creation URL the target is given; the server's own here, a proxy's in variants. */
  protected URI endpoint(TusServer server) throws Exception {
    return server.creationUrl();
  }

  @AfterEach
  void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Override
  protected boolean resumable() {
    return true;
  }

  @Override
  protected int chunkSize() {
    return CHUNK;
  }

  @Override
  protected boolean knowsFilesByName() {
    return false;
  }

  @Override
  protected Optional<ServerView> serverView() {
    return Optional.of(
        new ServerView() {
          @Override
          public Optional<byte[]> read(String remotePath) throws Exception {
            return finishedUpload(remotePath);
          }

          @Override
          public Optional<byte[]> readBesideRoot(String name) throws Exception {
            return finishedUpload("../" + name);
          }

          @Override
          public List<String> unfinished() throws Exception {
            return server.uploads().stream()
                .filter(upload -> !upload.finished())
                .map(upload -> upload.url() + " (" + upload.filename().orElse("no name") + ")")
                .toList();
          }
        });
  }

  private Optional<byte[]> finishedUpload(String name) throws Exception {
    List<TusServer.StoredUpload> named = server.finishedUploadsNamed(name);
    if (named.size() > 1) {
      throw new AssertionError(named.size() + " finished uploads are named " + name + ": " + named);
    }
    return named.isEmpty() ? Optional.empty() : Optional.of(server.bytes(named.get(0).url()));
  }

  private static String key(String remotePath) {
    return remotePath == null ? "" : Normalizer.normalize(remotePath, Normalizer.Form.NFC);
  }

  /** A tus target with the engine's memory of resume tokens around it. */
  private final class Journaled implements UploadTarget {

    private final TusTarget tus;

    Journaled(TusTarget tus) {
      this.tus = tus;
    }

    @Override
    public String describe() {
      return tus.describe();
    }

    @Override
    public RemoteState probe(String remotePath) throws UploadException {
      String key = key(remotePath);
      return tus.probe(remotePath, Optional.ofNullable(unfinished.getOrDefault(key, completed.get(key))));
    }

    @Override
    public UploadSession open(String remotePath, long size) throws UploadException {
      String key = key(remotePath);
      UploadSession session = tus.open(remotePath, size, Optional.ofNullable(unfinished.get(key)));
      session.resumeToken().ifPresent(token -> unfinished.put(key, token));
      return new UploadSession() {
        @Override
        public long offset() {
          return session.offset();
        }

        @Override
        public Optional<String> resumeToken() {
          return session.resumeToken();
        }

        @Override
        public long append(long offset, ByteBuffer bytes) throws UploadException {
          return session.append(offset, bytes);
        }

        @Override
        public RemoteFile complete(long expectedSize, String sha256) throws UploadException {
          RemoteFile file = session.complete(expectedSize, sha256);
          completed.put(key, unfinished.remove(key));
          return file;
        }

        @Override
        public void close() {
          session.close();
        }
      };
    }

    @Override
    public void discard(String remotePath, Optional<String> resumeToken) throws UploadException {
      tus.discard(remotePath, resumeToken);
      unfinished.remove(key(remotePath));
    }

    @Override
    public boolean findsFilesByName() {
      return tus.findsFilesByName();
    }

    @Override
    public void check() throws UploadException {
      tus.check();
    }

    @Override
    public void close() {
      tus.close();
    }
  }
}
