package dev.autoupload.it;

import dev.autoupload.targets.FaultProxy;
import dev.autoupload.targets.S3Config;
import dev.autoupload.targets.TargetSettings;
import dev.autoupload.targets.koofr.FakeKoofr;
import dev.autoupload.targets.nextcloud.NextcloudChunkingServer;
import dev.autoupload.targets.nextcloud.NextcloudTarget;
import dev.autoupload.targets.s3.S3ProxyServer;
import dev.autoupload.targets.tus.TusServer;
import dev.autoupload.targets.tus.TusTarget;
import dev.autoupload.targets.webdav.NginxWebDav;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Stream;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The target kinds the app backs up to, each on the real or test server its conformance suite
 * starts, on 127.0.0.1; the HTTP ones behind a {@link FaultProxy} that passes everything through
 * until a test scripts a fault, and counts the request bytes it receives.
 */
final class TestTargets {

  private TestTargets() {}

  /** One started target: how the app names it, and what it holds. */
  interface TestTarget extends AutoCloseable {
    String uri();

    Map<String, String> environment();

    /** The proxy in front of the server; empty for the local folder. */
    Optional<FaultProxy> proxy();

    /** Grows as the app sends: request body bytes at the proxy, or bytes on the target's disk. */
    long progress();

    /** Every file the target holds under the backup's folder, with its sha256, leftovers included. */
    Map<String, String> stored() throws Exception;

    /** Unfinished uploads holding bytes that the target keeps outside the folder (uploads, chunks). */
    List<String> leftovers() throws Exception;

    /**
     * Uploads created but never sent a byte to, which no client can avoid leaving when it is
     * killed between the server's answer to the creation and writing down where the upload is
     * (tus): they hold nothing, and the server expires them.
     */
    default List<String> emptyReservations() throws Exception {
      return List.of();
    }

    /**
     * The most a killed upload of a {@code fileBytes} file, sent in {@code chunkBytes} steps, makes
     * the next run send again: the unit the target resumes from, or the whole file where it cannot
     * resume.
     */
    long resumeUnit(long fileBytes, long chunkBytes);

    /** Request body bytes the target received for uploads over all runs; -1 where not counted. */
    long uploadBytesReceived();

    /**
     * A server that answers 200 but reports another size than it stored for what an upload sent,
     * as the proxy plays it for this target; empty where no test plays it yet.
     */
    default Optional<Lie> sizeLie() {
      return Optional.empty();
    }

    @Override
    void close() throws Exception;
  }

  /**
   * A lie the proxy tells in answer to the requests {@code which} picks, and the words of the
   * target's error that show it caught the lie.
   */
  record Lie(Predicate<FaultProxy.Request> which, FaultProxy.Fault fault, String... words) {}

  static TestTarget local(Path target) {
    return new TestTarget() {
      public String uri() {
        return target.toUri().toString();
      }

      public Map<String, String> environment() {
        return Map.of();
      }

      public Optional<FaultProxy> proxy() {
        return Optional.empty();
      }

      public long progress() {
        // Part files and write checks come and go while the app runs: count what is there.
        long[] bytes = {0};
        try {
          Files.walkFileTree(
              target,
              new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                  bytes[0] += attributes.isRegularFile() ? attributes.size() : 0;
                  return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException gone) {
                  return FileVisitResult.CONTINUE;
                }
              });
        } catch (NoSuchFileException notYet) {
          return 0;
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        return bytes[0];
      }

      public Map<String, String> stored() {
        return MediaFiles.sha256Tree(target);
      }

      public List<String> leftovers() {
        return List.of();
      }

      public long resumeUnit(long fileBytes, long chunkBytes) {
        return chunkBytes;
      }

      public long uploadBytesReceived() {
        return -1;
      }

      public void close() {}
    };
  }

  static TestTarget webDav(Path dir) throws Exception {
    NginxWebDav nginx = NginxWebDav.start(dir);
    FaultProxy proxy = FaultProxy.start(URI.create("http://127.0.0.1:" + nginx.port()));
    return new Proxied(proxy) {
      public String uri() {
        return "webdav://" + NginxWebDav.USER + "@127.0.0.1:" + proxy.uri().getPort() + "/phone";
      }

      public Map<String, String> environment() {
        return Map.of(TargetSettings.PASSWORD_VARIABLE, NginxWebDav.PASSWORD);
      }

      public Map<String, String> stored() {
        return MediaFiles.withoutHashSidecars(MediaFiles.sha256Tree(nginx.www().resolve("phone")));
      }

      public List<String> leftovers() {
        return List.of();
      }

      public long resumeUnit(long fileBytes, long chunkBytes) {
        return fileBytes;
      }

      public Optional<Lie> sizeLie() {
        // The size nginx reports for the part just PUT, with a 9 in front.
        return Optional.of(
            new Lie(
                request -> request.method().equals("PROPFIND") && request.target().contains(".autoupload-part"),
                FaultProxy.Fault.lie(body -> body.replaceAll("(?i)(<[a-z0-9]+:getcontentlength>)", "$19")),
                "verification failed", "the server stored", "expected"));
      }

      public void close() throws Exception {
        proxy.close();
        nginx.close();
      }
    };
  }

  static TestTarget nextcloud(Path dir) throws Exception {
    NextcloudChunkingServer server = NextcloudChunkingServer.start(dir);
    FaultProxy proxy = FaultProxy.start(server.origin());
    return new Proxied(proxy) {
      public String uri() {
        return "nextcloud+http://" + NextcloudChunkingServer.USER + "@127.0.0.1:" + proxy.uri().getPort()
            + "/phone?chunkSize=" + NextcloudTarget.MIN_CHUNK_SIZE;
      }

      public Map<String, String> environment() {
        return Map.of(TargetSettings.PASSWORD_VARIABLE, NextcloudChunkingServer.PASSWORD);
      }

      public Map<String, String> stored() {
        return MediaFiles.sha256Tree(server.userFiles().resolve("phone"));
      }

      public List<String> leftovers() throws IOException {
        try (Stream<Path> uploads = Files.list(server.userUploads())) {
          return uploads.map(Path::toString).toList();
        }
      }

      public long resumeUnit(long fileBytes, long chunkBytes) {
        return Math.min(fileBytes, NextcloudTarget.MIN_CHUNK_SIZE);
      }

      public void close() throws Exception {
        proxy.close();
        server.close();
      }
    };
  }

  static TestTarget tus(Path dir) throws Exception {
    TusServer server = TusServer.start(dir);
    FaultProxy proxy = FaultProxy.start(URI.create("http://127.0.0.1:" + server.port()));
    return new Proxied(proxy) {
      public String uri() {
        return "tus+http://127.0.0.1:" + proxy.uri().getPort() + TusServer.FILES;
      }

      public Map<String, String> environment() {
        return Map.of();
      }

      public Map<String, String> stored() throws IOException {
        Map<String, String> found = new TreeMap<>();
        for (TusServer.StoredUpload upload : server.uploads()) {
          if (upload.finished()) {
            String name = upload.filename().orElseThrow(() -> new AssertionError(upload + " has no file name"));
            // A second finished upload of one name would be a duplicate: keep both in sight.
            String key = found.containsKey(name) ? name + " (again: " + upload.url() + ")" : name;
            found.put(key, MediaFiles.sha256(server.bytes(upload.url())));
          }
        }
        return found;
      }

      public List<String> leftovers() throws IOException {
        return server.uploads().stream()
            .filter(upload -> !upload.finished() && upload.offset() > 0)
            .map(Object::toString)
            .toList();
      }

      public List<String> emptyReservations() throws IOException {
        return server.uploads().stream()
            .filter(upload -> !upload.finished() && upload.offset() == 0)
            .map(Object::toString)
            .toList();
      }

      public long resumeUnit(long fileBytes, long chunkBytes) {
        // Chunks go out gathered into PATCHes: a kill loses what was gathered since the last one.
        return Math.min(fileBytes, Math.max(chunkBytes, TusTarget.PATCH_BYTES));
      }

      public Optional<Lie> sizeLie() {
        // Every PATCH is answered with an offset of its own: what a session that sends the whole
        // file publishes on, with no HEAD after it.
        return Optional.of(
            new Lie(
                request -> request.method().equals("PATCH"),
                FaultProxy.Fault.lieInHeader("Upload-Offset", "987654321"),
                "the server reports offset 987654321 after", "the next attempt continues from the server's offset"));
      }

      public void close() throws Exception {
        proxy.close();
        server.close();
      }
    };
  }

  static TestTarget s3() throws Exception {
    S3ProxyServer server = new S3ProxyServer();
    server.createBucket("phone");
    FaultProxy proxy = FaultProxy.start(server.endpoint());
    S3Client client =
        S3Client.builder()
            .endpointOverride(server.endpoint())
            .region(Region.US_EAST_1)
            .forcePathStyle(true)
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create(server.accessKeyId, server.secretAccessKey)))
            .httpClientBuilder(ApacheHttpClient.builder())
            .build();
    return new Proxied(proxy) {
      public String uri() {
        return "s3://phone/backup?endpoint=" + proxy.uri() + "&region=us-east-1&pathStyle=true"
            + "&multipartThreshold=" + (6 * MediaFiles.MIB) + "&partSize=" + S3Config.MIN_PART_SIZE;
      }

      public Map<String, String> environment() {
        return Map.of("AWS_ACCESS_KEY_ID", server.accessKeyId, "AWS_SECRET_ACCESS_KEY", server.secretAccessKey);
      }

      public Map<String, String> stored() {
        Map<String, String> hashes = new TreeMap<>();
        for (S3Object object : client.listObjectsV2Paginator(b -> b.bucket("phone").prefix("backup/")).contents()) {
          byte[] bytes =
              client.getObject(b -> b.bucket("phone").key(object.key()), ResponseTransformer.toBytes()).asByteArray();
          hashes.put(object.key().substring("backup/".length()), MediaFiles.sha256(bytes));
        }
        return hashes;
      }

      public List<String> leftovers() {
        return client.listMultipartUploads(b -> b.bucket("phone")).uploads().stream()
            .map(upload -> upload.key() + " " + upload.uploadId())
            .toList();
      }

      public long resumeUnit(long fileBytes, long chunkBytes) {
        return Math.min(fileBytes, S3Config.MIN_PART_SIZE);
      }

      public void close() throws Exception {
        client.close();
        proxy.close();
        server.close();
      }
    };
  }

  static TestTarget koofr() throws Exception {
    FakeKoofr koofr = FakeKoofr.start();
    FaultProxy proxy = FaultProxy.start(koofr.endpoint());
    return new Proxied(proxy) {
      public String uri() {
        return "koofr://" + FakeKoofr.EMAIL.replace("@", "%40") + "@Koofr/Backup/Phone?endpoint=" + proxy.uri();
      }

      public Map<String, String> environment() {
        return Map.of(TargetSettings.PASSWORD_VARIABLE, FakeKoofr.APP_PASSWORD);
      }

      public Map<String, String> stored() {
        Map<String, String> hashes = new TreeMap<>();
        koofr.files("Koofr", "/Backup/Phone").forEach((path, bytes) -> hashes.put(path, MediaFiles.sha256(bytes)));
        return hashes;
      }

      public List<String> leftovers() {
        return List.of();
      }

      public long resumeUnit(long fileBytes, long chunkBytes) {
        return fileBytes;
      }

      public Optional<Lie> sizeLie() {
        // The upload's answer reports the file it stored with a 9 in front of its size.
        return Optional.of(
            new Lie(
                request -> request.method().equals("POST") && request.target().contains("/files/put"),
                FaultProxy.Fault.lie(body -> body.replaceFirst("\"size\":(\\d)", "\"size\":9$1")),
                "verification failed", "Koofr stored", "expected"));
      }

      public void close() {
        proxy.close();
        koofr.close();
      }
    };
  }

  /** A target behind a proxy that counts: its progress is the request body bytes received. */
  private abstract static class Proxied implements TestTarget {
    private static final Set<String> UPLOADS = Set.of("PUT", "PATCH", "POST");
    final FaultProxy proxy;

    Proxied(FaultProxy proxy) {
      this.proxy = proxy;
    }

    public Optional<FaultProxy> proxy() {
      return Optional.of(proxy);
    }

    public long progress() {
      return proxy.receivedBodyBytes();
    }

    public long uploadBytesReceived() {
      return proxy.exchanges().stream()
          .filter(exchange -> UPLOADS.contains(exchange.method()))
          .filter(exchange -> !exchange.target().endsWith(".autoupload-sha256"))
          .mapToLong(FaultProxy.Exchange::bodyBytes)
          .sum();
    }
  }
}
