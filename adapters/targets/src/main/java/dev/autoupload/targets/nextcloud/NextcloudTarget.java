package dev.autoupload.targets.nextcloud;

import dev.autoupload.engine.upload.NameRules;
import dev.autoupload.engine.upload.RemoteFile;
import dev.autoupload.engine.upload.RemoteState;
import dev.autoupload.engine.upload.Sha256;
import dev.autoupload.engine.upload.UploadError;
import dev.autoupload.engine.upload.UploadException;
import dev.autoupload.engine.upload.UploadSession;
import dev.autoupload.engine.upload.UploadTarget;
import dev.autoupload.targets.Spool;
import dev.autoupload.targets.TargetSettings;
import dev.autoupload.targets.http.FileBody;
import dev.autoupload.targets.http.HttpClients;
import dev.autoupload.targets.http.HttpErrors;
import dev.autoupload.targets.webdav.DavPath;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An {@link UploadTarget} on a Nextcloud server: WebDAV under {@code /remote.php/dav/files/<user>/}
 * and, for files larger than one chunk, Nextcloud's chunked upload v2 under {@code
 * /remote.php/dav/uploads/<user>/} (<a
 * href="https://docs.nextcloud.com/server/latest/developer_manual/client_apis/WebDAV/chunking.html">the
 * protocol</a>).
 *
 * <p>A file of at most one chunk goes up in one PUT to its final name: Nextcloud writes a PUT to a
 * part file of its own and renames it when the body is complete, so a torn upload never shows, and
 * {@code If-None-Match: *} keeps it from replacing a file already there. A larger file is cut into
 * chunks of {@code chunkSize} bytes, PUT as {@code 00001}, {@code 00002}, … into an upload folder,
 * then assembled by a MOVE of the folder's {@code .file} onto the hidden name {@code
 * .<name>.autoupload-part}, checked, and only then moved onto the final name with {@code Overwrite:
 * F}. The upload folder's name is derived from the user, the remote path and the chunk size, so a
 * later process finds it again without local state and continues after the last complete chunk.
 *
 * <p>Every request carries the sha256 as {@code OC-Checksum: SHA256:<hex>}, which Nextcloud stores
 * as given (it does not compute it) and reports as {@code oc:checksums}: that is how a probe tells
 * "already backed up" from "a different file with the same name". It proves nothing about the bytes,
 * so sessions verify them themselves: by hashing what they sent, or after a resume, when the first
 * chunks came from an earlier process, by reading the assembled file back before publishing it.
 * Where the server's answer cannot tell (no checksum, as on object storage with a distributed
 * cache; 0 bytes recorded for a file that has more, nextcloud/server#64029) the file is read back
 * too, as {@link StoredFileCheck} decides, never taken for different.
 *
 * <p>An assembling MOVE answered 423 or 504 (a proxy's timeout while PHP goes on) or 404 is
 * followed by looking at the upload folder and the part until the folder is gone, as {@link
 * AssemblyWait} decides, for at most as long as sending the file may take; a part found that way,
 * or by a later attempt, is read back before it is published, and nothing is sent again.
 *
 * <p>A server where Nextcloud is installed under a sub-path ({@code overwritewebroot}, or a web
 * server alias such as {@code https://example.com/nextcloud/}) is reached through the {@code
 * webroot}: every URL, {@code Destination} headers included, starts with it.
 *
 * <p>Remote paths are NFC, confined under the root and percent-encoded per segment; credentials
 * travel only in the {@code Authorization} header, never in messages or {@link #describe()}.
 */
public final class NextcloudTarget implements UploadTarget {

  /** The smallest chunk Nextcloud takes (all but the last chunk; S3-backed servers need it). */
  public static final long MIN_CHUNK_SIZE = 5L * 1024 * 1024;

  /** The largest chunk Nextcloud takes: 5 GiB. */
  public static final long MAX_CHUNK_SIZE = 5L * 1024 * 1024 * 1024;

  /** The chunk size of a {@code nextcloud://} URI without {@code chunkSize}: 10 MiB. */
  public static final long DEFAULT_CHUNK_SIZE = 10L * 1024 * 1024;

  /** Chunk names are numbers from 1 to this. */
  static final int MAX_CHUNKS = 10_000;

  static final String PART_SUFFIX = ".autoupload-part";

  /** The first pause while waiting for an assembly: a server that merges fast is not kept waiting. */
  static final Duration FIRST_ASSEMBLY_POLL = Duration.ofMillis(100);

  /** The longest pause between two looks at an assembly that takes long. */
  static final Duration LAST_ASSEMBLY_POLL = Duration.ofSeconds(10);

  /**
   * Where one remote path lives on the server; paths are encoded absolute URL paths.
   *
   * @param part the hidden name a chunked upload is assembled under before it is published
   * @param uploadDir the chunked upload's folder
   */
  record Location(
      String remotePath,
      String display,
      String file,
      String part,
      String uploadDir,
      List<String> collections) {}

  private final URI origin;
  /** As given, for messages: {@code /my cloud}; empty for the server's root. */
  private final String webroot;
  /** Where a user's folders are: its id and the encoded paths of its files and uploads. */
  private record Account(String user, String filesBase, String uploadsBase) {}

  private final String davBase;
  private final String login;
  /** Empty until the user id is learnt from the server (see {@link #discoveringUserId}). */
  private volatile Optional<Account> account;
  private final List<String> root;
  private final long chunkSize;
  private final String description;
  private final Optional<String> authorization;
  private final TargetSettings settings;
  private final HttpClient client;
  private final Clock clock = Clock.systemUTC();
  private final Set<String> knownCollections = ConcurrentHashMap.newKeySet();
  private final Set<String> uploading = ConcurrentHashMap.newKeySet();

  /**
   * A target on a Nextcloud installed at the server's root, whose login is its user id.
   *
   * @param server {@code http://} or {@code https://} with host and optional port, no path
   * @param user the Nextcloud user id, which is also the login
   * @param rootPath the folder below the user's files that the target writes into; empty or
   *     {@code /} for the user's top folder
   * @param chunkSize bytes per chunk, {@value #MIN_CHUNK_SIZE} to {@value #MAX_CHUNK_SIZE}
   * @param settings timeouts, TLS and the password
   * @throws IllegalArgumentException when an argument is unusable
   */
  public NextcloudTarget(
      URI server, String user, String rootPath, long chunkSize, TargetSettings settings) {
    this(server, "/", user, rootPath, chunkSize, settings);
  }

  /**
   * A target on a Nextcloud installed at the server's root or under {@code webroot}, whose login
   * is its user id.
   *
   * @param server {@code http://} or {@code https://} with host and optional port, no path
   * @param webroot the path Nextcloud is installed under, not percent-encoded, e.g. {@code
   *     /nextcloud} for {@code https://example.com/nextcloud/remote.php/dav/}; {@code /} for the
   *     server's root. A trailing '/' is dropped.
   * @param user the Nextcloud user id, as it appears in {@code /remote.php/dav/files/<user>}
   * @param rootPath the folder below the user's files that the target writes into, e.g. {@code
   *     /Backup/phone}; empty or {@code /} for the user's top folder
   * @param chunkSize bytes per chunk, {@value #MIN_CHUNK_SIZE} to {@value #MAX_CHUNK_SIZE}
   * @param settings timeouts, TLS and the password
   * @throws IllegalArgumentException when an argument is unusable
   */
  public NextcloudTarget(
      URI server, String webroot, String user, String rootPath, long chunkSize, TargetSettings settings) {
    this(server, webroot, user, user, rootPath, chunkSize, settings);
  }

  /**
   * A target whose login name is not its user id: an e-mail login, LDAP or SSO, or an app
   * password, which works only with the login name it was made for. The login authenticates; the
   * user id names the folders ({@code /remote.php/dav/files/<user id>}).
   *
   * @param server {@code http://} or {@code https://} with host and optional port, no path
   * @param webroot the path Nextcloud is installed under, not percent-encoded; {@code /} for the
   *     server's root
   * @param login the name Basic authentication sends
   * @param user the Nextcloud user id, as it appears in {@code /remote.php/dav/files/<user>}
   * @param rootPath the folder below the user's files that the target writes into; empty or
   *     {@code /} for the user's top folder
   * @param chunkSize bytes per chunk, {@value #MIN_CHUNK_SIZE} to {@value #MAX_CHUNK_SIZE}
   * @param settings timeouts, TLS and the password
   * @throws IllegalArgumentException when an argument is unusable
   */
  public NextcloudTarget(
      URI server, String webroot, String login, String user, String rootPath, long chunkSize, TargetSettings settings) {
    this(server, webroot, login, Optional.of(user), rootPath, chunkSize, settings);
  }

  /**
   * A target whose user id is asked of the server ({@code d:current-user-principal} of {@code
   * /remote.php/dav/}) on first use, for a login that looks like an e-mail address and may not be
   * the user id; see the constructor above.
   *
   * @param server {@code http://} or {@code https://} with host and optional port, no path
   * @param webroot the path Nextcloud is installed under, not percent-encoded; {@code /} for the
   *     server's root
   * @param login the name Basic authentication sends, e.g. an e-mail address
   * @param rootPath the folder below the user's files that the target writes into; empty or
   *     {@code /} for the user's top folder
   * @param chunkSize bytes per chunk, {@value #MIN_CHUNK_SIZE} to {@value #MAX_CHUNK_SIZE}
   * @param settings timeouts, TLS and the password
   * @return the target; until the server has named the user id, each operation asks it first
   * @throws IllegalArgumentException when an argument is unusable
   */
  public static NextcloudTarget discoveringUserId(
      URI server, String webroot, String login, String rootPath, long chunkSize, TargetSettings settings) {
    return new NextcloudTarget(server, webroot, login, Optional.empty(), rootPath, chunkSize, settings);
  }

  private NextcloudTarget(
      URI server,
      String webroot,
      String login,
      Optional<String> knownUser,
      String rootPath,
      long chunkSize,
      TargetSettings settings) {
    String user = knownUser.orElse(login);
    if (login == null || login.isEmpty() || login.contains(":")) {
      throw new IllegalArgumentException("a Nextcloud target needs a login name without ':'");
    }
    if (server.getScheme() == null
        || !(server.getScheme().equals("http") || server.getScheme().equals("https"))
        || server.getHost() == null) {
      throw new IllegalArgumentException("the server must be an http:// or https:// URL with a host");
    }
    if (user == null || user.isEmpty() || user.contains("/")) {
      throw new IllegalArgumentException("a Nextcloud target needs a user name without '/'");
    }
    if (chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE) {
      throw new IllegalArgumentException(
          "the chunk size must be between " + MIN_CHUNK_SIZE + " and " + MAX_CHUNK_SIZE
              + " bytes (Nextcloud's limits), not " + chunkSize);
    }
    String trimmed = rootPath == null ? "" : rootPath.replaceAll("^/+|/+$", "");
    this.root =
        trimmed.isEmpty()
            ? List.of()
            : DavPath.segments(trimmed)
                .orElseThrow(() -> new IllegalArgumentException("invalid folder \"" + rootPath + "\""));
    try {
      this.origin = new URI(server.getScheme(), null, server.getHost(), server.getPort(), null, null, null);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(e.getReason(), e);
    }
    List<String> webrootSegments = webrootSegments(webroot);
    this.webroot = webrootSegments.isEmpty() ? "" : "/" + String.join("/", webrootSegments);
    this.davBase = (webrootSegments.isEmpty() ? "" : DavPath.join(webrootSegments)) + "/remote.php/dav";
    this.login = login;
    this.account = knownUser.map(this::accountOf);
    this.chunkSize = chunkSize;
    this.settings = settings;
    this.authorization = HttpClients.basicAuthorization(Optional.of(login), settings.password());
    this.client = HttpClients.build(settings);
    List<String> parameters = new ArrayList<>();
    if (!this.webroot.isEmpty()) {
      parameters.add("webroot=" + this.webroot);
    }
    if (knownUser.isPresent() && !login.equals(user)) {
      parameters.add("user-id=" + user);
    }
    this.description =
        (server.getScheme().equals("https") ? "nextcloud://" : "nextcloud+http://")
            + login + "@" + server.getHost() + (server.getPort() == -1 ? "" : ":" + server.getPort())
            + displayRoot()
            + (parameters.isEmpty() ? "" : "?" + String.join("&", parameters));
  }

  @Override
  public String describe() {
    return description;
  }

  /**
   * What Nextcloud's {@code FilenameValidator} refuses by default (see {@link
   * NameRules#NEXTCLOUD}), with Windows' rules as well when {@code autoupload.target.name-rules}
   * says so, for a server with Windows-compatible names switched on. Room is left for the part
   * name a chunked upload is assembled under.
   */
  @Override
  public NameRules nameRules() {
    return settings.nameRules().apply(NameRules.NEXTCLOUD, false).reserving(1 + PART_SUFFIX.length());
  }

  long chunkSize() {
    return chunkSize;
  }

  Path spoolDir() {
    return settings.spoolDir();
  }

  @Override
  public RemoteState probe(String remotePath) throws UploadException {
    Location location = locate(remotePath);
    Optional<DavListing.Entry> file = stat(location.file(), "PROPFIND " + location.display());
    if (file.isPresent()) {
      if (file.get().collection()) {
        throw permanent(location.display() + " is a folder, not a file");
      }
      if (file.get().contentLength().isEmpty()) {
        throw permanent("PROPFIND " + location.display() + " failed: the server reports no size");
      }
      long size = file.get().contentLength().getAsLong();
      if (StoredFileCheck.probeReadsBack(size)) {
        ReadBack read = readBack(location.file(), "GET " + location.display() + " (recorded with 0 bytes)", size);
        return new RemoteState.Complete(read.length(), Optional.of(read.sha256()));
      }
      return new RemoteState.Complete(size, file.get().sha256());
    }
    Optional<List<DavListing.Entry>> upload = listUpload(location);
    long offset = upload.map(entries -> completeChunks(entries, OptionalLong.empty()) * chunkSize).orElse(0L);
    return offset > 0 ? new RemoteState.Partial(offset) : new RemoteState.Absent();
  }

  /** A plain GET of the file in the user's files. */
  @Override
  public Optional<InputStream> openRead(String remotePath) throws UploadException {
    Location location = locate(remotePath);
    String operation = "GET " + location.display();
    return Optional.of(
        HttpClients.download(
            client,
            request(location.file()).GET().build(),
            operation,
            (status, retryAfter, body) -> failure(operation, status, retryAfter, body)));
  }

  @Override
  public UploadSession open(String remotePath, long size) throws UploadException {
    return open(remotePath, size, false);
  }

  /**
   * The whole-file PUT goes without {@code If-None-Match}, the assembled part moves with {@code
   * Overwrite: T}. Where the replaced file goes differs: a PUT over it makes it a version (versions
   * app), while sabre/dav's MOVE deletes the destination first, so a chunked upload's replaced file
   * goes to the trash bin (trashbin app), not to the versions.
   */
  @Override
  public UploadSession openReplacing(String remotePath, long size, Optional<String> resumeToken)
      throws UploadException {
    return open(remotePath, size, true);
  }

  private UploadSession open(String remotePath, long size, boolean replace) throws UploadException {
    Location location = locate(remotePath);
    if (size < 0) {
      throw permanent("invalid size " + size + " for " + location.display());
    }
    if (size > MAX_CHUNKS * chunkSize) {
      throw permanent(
          location.display() + " has " + size + " bytes, more than " + MAX_CHUNKS + " chunks of "
              + chunkSize + ": raise the chunk size (chunkSize in the target URI)");
    }
    if (!uploading.add(location.file())) {
      throw new UploadException(
          new UploadError.Transient(location.display() + " is being uploaded by another session"));
    }
    Runnable release = () -> uploading.remove(location.file());
    try {
      makeCollections(location);
      if (size <= chunkSize) {
        return new WholeFileSession(this, location, size, replace, release);
      }
      return new ChunkedSession(this, location, size, prepareUpload(location, size), replace, release);
    } catch (UploadException | RuntimeException e) {
      release.run();
      throw e;
    }
  }

  /** DELETEs the chunk folder and the assembled part; the file stays. */
  @Override
  public void discard(String remotePath, Optional<String> resumeToken) throws UploadException {
    Location location = locate(remotePath);
    if (uploading.contains(location.file())) {
      throw new UploadException(
          new UploadError.Transient(location.display() + " is being uploaded by another session"));
    }
    send(
        request(location.uploadDir()).DELETE(),
        "DELETE upload folder of " + location.display(),
        Set.of(200, 204, 404));
    send(
        request(location.part()).DELETE(),
        "DELETE " + location.display() + " (assembled)",
        Set.of(200, 204, 404));
  }

  @Override
  public void check() throws UploadException {
    Spool.sweepOnce(settings.spoolDir());
    Account account = account();
    String user = account.user();
    String path = collectionPath(root);
    Optional<DavListing.Entry> found = stat(path, "PROPFIND " + displayRoot());
    if (found.isEmpty()) {
      String home = account.filesBase() + "/";
      if (root.isEmpty() || stat(home, "PROPFIND " + home).isEmpty()) {
        // Not a folder to make: the host, the user id or the webroot is wrong.
        throw permanent(
            "the server has no Nextcloud files of \"" + user + "\" at " + absolute(home)
                + ": check the host, that \"" + user + "\" is the user id and not a login name (a login"
                + " name that differs goes with ?user-id=<the user id>), and the"
                + " webroot (where Nextcloud is installed under a sub-path, e.g. ?webroot=/nextcloud)");
      }
      // Only the last level: a missing parent is a configuration mistake worth reporting.
      String operation = "MKCOL " + displayRoot();
      HttpResponse<String> response = exchange(request(path).method("MKCOL", HttpRequest.BodyPublishers.noBody()), operation);
      if (response.statusCode() == 409) {
        throw permanent(operation + " failed: the folder above the target root does not exist");
      }
      requireSuccess(response, operation, Set.of(201));
      knownCollections.add(path);
    } else if (!found.get().collection()) {
      throw permanent("the target root " + displayRoot() + " is a file, not a folder");
    }
    String uploads = account.uploadsBase() + "/";
    if (stat(uploads, "PROPFIND " + uploads).isEmpty()) {
      throw permanent(
          "the server has no chunked upload folder " + uploads
              + ": it is not a Nextcloud server, or \"" + user + "\" is a login name and not the user id"
              + " (add ?user-id=<the user id>)");
    }
  }

  // ---- what sessions use ----

  /**
   * Where a chunked upload starts: after {@code onServer} bytes in complete chunks, or, when {@code
   * assembled}, with every byte already assembled into the part by an earlier attempt (a MOVE whose
   * answer a proxy cut off, a crash before the part was published), which is then verified and
   * published without sending anything.
   */
  record Start(long onServer, boolean assembled) {}

  /** Finds the chunked upload of {@code location}, or its assembled part, or starts one. */
  private Start prepareUpload(Location location, long size) throws UploadException {
    Optional<List<DavListing.Entry>> existing = listUpload(location);
    if (existing.isEmpty()) {
      OptionalLong part = partSize(location).map(OptionalLong::of).orElse(OptionalLong.empty());
      if (AssemblyWait.next(part, false, size, false).step() == AssemblyWait.Step.ASSEMBLED) {
        return new Start(size, true);
      }
    }
    if (existing.isPresent()) {
      int full = completeChunks(existing.get(), OptionalLong.empty());
      int complete = completeChunks(existing.get(), OptionalLong.of(size));
      if (full * chunkSize <= size) {
        // The assembly takes every chunk in the folder: whatever follows the complete ones goes.
        for (DavListing.Entry entry : existing.get()) {
          int number = chunkNumber(entry.name());
          if (number > complete) {
            send(
                request(location.uploadDir() + "/" + DavPath.encode(entry.name())).DELETE(),
                "DELETE chunk " + entry.name() + " of " + location.display(),
                Set.of(200, 204, 404));
          }
        }
        return new Start(Math.min(complete * chunkSize, size), false);
      }
      // Chunks of a larger file under the same name: nothing to continue from.
      discardUpload(location);
    }
    send(
        request(location.uploadDir())
            .header("Destination", absolute(location.part()))
            .method("MKCOL", HttpRequest.BodyPublishers.noBody()),
        "MKCOL upload folder for " + location.display(),
        Set.of(201));
    return new Start(0, false);
  }

  /** PUTs chunk {@code number} of a file of {@code totalSize} bytes from {@code spool}. */
  void putChunk(Location location, int number, Spool spool, long totalSize) throws UploadException {
    String operation = "PUT chunk " + number + " of " + location.display();
    HttpResponse<String> response =
        exchange(
            request(location.uploadDir() + "/" + chunkName(number))
                .timeout(settings.timeoutFor(spool.size()))
                .header("Destination", absolute(location.part()))
                .header("OC-Total-Length", Long.toString(totalSize))
                .PUT(FileBody.of(spool)),
            operation);
    if (response.statusCode() == 404 || response.statusCode() == 409) {
      throw new UploadException(
          new UploadError.Transient(
              operation + " failed: HTTP " + response.statusCode()
                  + ": the upload folder is gone (Nextcloud drops it after 24 hours without activity);"
                  + " the next attempt starts over"));
    }
    if (response.statusCode() == 412) {
      // Nextcloud keeps an upload's metadata in its cache; without it the chunks are useless.
      discardUpload(location);
      throw new UploadException(
          new UploadError.Transient(
              operation + " failed: HTTP 412: " + DavListing.errorMessage(response.body()).strip()
                  + "; the upload was discarded and starts over"));
    }
    requireSuccess(response, operation, Set.of(201, 204));
  }

  /**
   * Has the server assemble the chunks onto the part name, checking the total length; a server
   * that counts another length (a lost chunk) gets the upload discarded. When the answer does not
   * say how the assembly went (423, 504, 404), waits for it as {@link AssemblyWait} decides, so
   * that nothing is sent again while the server may still be assembling it.
   *
   * @return whether the server's answer said it assembled this upload; false when the part was
   *     found by looking, which may be one an earlier upload left, so it is read back to verify
   */
  boolean assemble(Location location, long size, String sha256) throws UploadException {
    String operation = "MOVE " + location.display() + " (assembling the chunks)";
    HttpResponse<String> response =
        exchange(
            request(location.uploadDir() + "/.file")
                .timeout(settings.timeoutFor(size))
                .header("Destination", absolute(location.part()))
                .header("OC-Total-Length", Long.toString(size))
                .header("OC-Checksum", "SHA256:" + sha256)
                .header("Overwrite", "T")
                .method("MOVE", HttpRequest.BodyPublishers.noBody()),
            operation);
    int status = response.statusCode();
    if (status == 423 || status == 504 || status == 404) {
      awaitAssembly(location, size, operation + ": HTTP " + status);
      return false;
    }
    // 400: the chunks do not add up; 412: Nextcloud lost the upload's metadata (the part name
    // itself is overwritten).
    if (status == 400 || status == 412) {
      discardUpload(location);
      throw new UploadException(
          new UploadError.Transient(
              operation + " failed: HTTP " + status + ": "
                  + DavListing.errorMessage(response.body()).strip()
                  + "; the upload was discarded and starts over"));
    }
    requireSuccess(response, operation, Set.of(201, 204));
    return true;
  }

  /**
   * Looks at the part and the upload folder, with pauses growing from {@link #FIRST_ASSEMBLY_POLL}
   * to {@link #LAST_ASSEMBLY_POLL}, until the part is there or the assembly failed; for at most as
   * long as sending the whole file may take ({@code min-bytes-per-second}).
   */
  private void awaitAssembly(Location location, long size, String answered) throws UploadException {
    long deadline = System.nanoTime() + settings.timeoutFor(size).toNanos();
    long pauseMillis = FIRST_ASSEMBLY_POLL.toMillis();
    while (true) {
      // The folder first: the server removes it only after the part is in place, so a folder
      // seen and then no part means still assembling, never a part missed in between.
      boolean folder = listUpload(location).isPresent();
      OptionalLong part = partSize(location).map(OptionalLong::of).orElse(OptionalLong.empty());
      AssemblyWait.Decision decision =
          AssemblyWait.next(part, folder, size, System.nanoTime() - deadline > 0);
      switch (decision.step()) {
        case ASSEMBLED:
          return;
        case FAILED:
          discardUpload(location);
          throw new UploadException(
              new UploadError.Transient(
                  answered + ", then " + decision.reason() + "; the upload starts over"));
        case TIMED_OUT:
          throw new UploadException(
              new UploadError.Transient(
                  answered + " and " + decision.reason() + " after " + settings.timeoutFor(size).toSeconds()
                      + " s; the chunks stay for the next attempt"));
        case WAIT:
          pause(Math.min(pauseMillis, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
          pauseMillis = Math.min(pauseMillis * 2, LAST_ASSEMBLY_POLL.toMillis());
          break;
        default:
          throw new IllegalStateException(decision.step().name());
      }
    }
  }

  private static void pause(long millis) throws UploadException {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UploadException(new UploadError.Transient("waiting for the assembly was interrupted"), e);
    }
  }

  /** The size the server reports for the assembled part; empty when there is none. */
  Optional<Long> partSize(Location location) throws UploadException {
    return partEntry(location)
        .flatMap(entry -> entry.contentLength().isPresent() ? Optional.of(entry.contentLength().getAsLong()) : Optional.empty());
  }

  /** What the server reports for the assembled part; empty when there is none. */
  Optional<DavListing.Entry> partEntry(Location location) throws UploadException {
    return stat(location.part(), "PROPFIND " + location.display() + " (assembled)").filter(entry -> !entry.collection());
  }

  /** What reading a file back found: its length and sha256. */
  record ReadBack(long length, String sha256) {}

  /** Reads the assembled part back and hashes it. */
  ReadBack readBackPart(Location location, long size) throws UploadException {
    return readBack(location.part(), "GET " + location.display() + " (assembled, to verify it)", size);
  }

  /** Reads a file back, hashing it as it streams by; {@code size} only sizes the time allowed. */
  private ReadBack readBack(String path, String operation, long size) throws UploadException {
    HttpResponse<InputStream> response =
        HttpClients.send(
            client,
            request(path).timeout(settings.timeoutFor(size)).GET().build(),
            operation,
            HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream body = response.body()) {
      if (response.statusCode() != 200) {
        String text = new String(body.readNBytes(64 * 1024), StandardCharsets.UTF_8);
        throw failure(operation, response.statusCode(), response.headers().firstValue("Retry-After"), text);
      }
      MessageDigest digest = Sha256.newDigest();
      byte[] buffer = new byte[64 * 1024];
      long length = 0;
      for (int n; (n = body.read(buffer)) >= 0; ) {
        digest.update(buffer, 0, n);
        length += n;
      }
      return new ReadBack(length, Sha256.hex(digest));
    } catch (IOException e) {
      throw new UploadException(HttpErrors.fromIo(operation, e), e);
    }
  }

  /**
   * Moves the assembled part onto the final name, replacing a file there only when {@code
   * replace}; false when a file already sits there and may not be replaced (412).
   */
  boolean publishPart(Location location, boolean replace) throws UploadException {
    String operation = "MOVE " + location.display();
    HttpResponse<String> response =
        exchange(
            request(location.part())
                .header("Destination", absolute(location.file()))
                .header("Overwrite", replace ? "T" : "F")
                .method("MOVE", HttpRequest.BodyPublishers.noBody()),
            operation);
    if (response.statusCode() == 412) {
      return false;
    }
    requireSuccess(response, operation, Set.of(201, 204));
    return true;
  }

  /**
   * PUTs a whole file to its final name unless one is there already, or over it when {@code
   * replace}.
   *
   * @return false when a file already sits under the name and may not be replaced (412)
   */
  boolean putWholeFile(Location location, Spool spool, String sha256, boolean replace) throws UploadException {
    String operation = "PUT " + location.display();
    HttpRequest.Builder put =
        request(location.file()).timeout(settings.timeoutFor(spool.size())).header("OC-Checksum", "SHA256:" + sha256);
    if (!replace) {
      put.header("If-None-Match", "*");
    }
    HttpResponse<String> response = exchange(put.PUT(FileBody.of(spool)), operation);
    if (response.statusCode() == 412) {
      return false;
    }
    if (response.statusCode() == 404 || response.statusCode() == 409) {
      // The folder went away since it was made: the next attempt makes it again.
      location.collections().forEach(knownCollections::remove);
      throw new UploadException(
          new UploadError.Transient(
              operation + " failed: HTTP " + response.statusCode() + ": the folder is missing"));
    }
    requireSuccess(response, operation, Set.of(200, 201, 204));
    return true;
  }

  /**
   * A file already sits under the final name: fine if it holds these bytes, as {@link
   * StoredFileCheck} tells from the server's answer or by reading it back; a {@link
   * UploadError.Conflict} otherwise.
   */
  RemoteFile acceptExisting(Location location, long size, String sha256) throws UploadException {
    Optional<DavListing.Entry> existing = stat(location.file(), "PROPFIND " + location.display());
    if (existing.isEmpty() || existing.get().collection()) {
      throw new UploadException(
          new UploadError.Conflict(
              location.display() + (existing.isEmpty() ? " was there and is gone" : " already exists as a folder")));
    }
    StoredFileCheck.Expected expected = new StoredFileCheck.Expected(size, sha256);
    StoredFileCheck.Decision decision =
        StoredFileCheck.judge(
            expected, new StoredFileCheck.Reported(existing.get().contentLength(), existing.get().sha256()));
    if (decision.verdict() == StoredFileCheck.Verdict.READ_BACK) {
      ReadBack read = readBack(location.file(), "GET " + location.display() + " (already there, to compare it)", size);
      decision = StoredFileCheck.judgeReadBack(expected, read.length(), read.sha256());
    }
    if (decision.verdict() != StoredFileCheck.Verdict.SAME) {
      throw new UploadException(
          new UploadError.Conflict(location.display() + " already exists with different content: " + decision.reason()));
    }
    return new RemoteFile(location.remotePath(), size, sha256.toLowerCase(Locale.ROOT));
  }

  /** Removes the chunked upload; what a failure leaves, Nextcloud expires after 24 hours. */
  void discardUpload(Location location) {
    try {
      exchange(request(location.uploadDir()).DELETE(), "DELETE upload folder of " + location.display());
    } catch (UploadException e) {
      // See above: the server cleans up by itself.
    }
  }

  /** Removes the assembled part; a failure leaves a hidden file the next assembly replaces. */
  void deletePart(Location location) {
    try {
      exchange(request(location.part()).DELETE(), "DELETE " + location.display() + " (assembled)");
    } catch (UploadException e) {
      // See above.
    }
  }

  // ---- chunks ----

  /**
   * How many chunks, from the first on, the server holds completely, with the configured size; of a
   * file of known {@code size} the last, shorter chunk too, so that an upload whose assembly died
   * sends nothing again.
   */
  private int completeChunks(List<DavListing.Entry> listing, OptionalLong size) {
    Set<Integer> full = new HashSet<>();
    for (DavListing.Entry entry : listing.subList(1, listing.size())) {
      int number = chunkNumber(entry.name());
      long expected =
          size.isPresent() ? Math.min(chunkSize, size.getAsLong() - (number - 1) * chunkSize) : chunkSize;
      if (number > 0 && expected > 0 && !entry.collection() && entry.contentLength().orElse(-1) == expected) {
        full.add(number);
      }
    }
    int complete = 0;
    while (full.contains(complete + 1)) {
      complete++;
    }
    return complete;
  }

  /** The number of a chunk's name, or -1 for other entries ({@code .file}). */
  private static int chunkNumber(String name) {
    if (!name.matches("\\d{1,5}")) {
      return -1;
    }
    int number = Integer.parseInt(name);
    return number >= 1 && number <= MAX_CHUNKS ? number : -1;
  }

  private static String chunkName(int number) {
    return String.format(Locale.ROOT, "%05d", number);
  }

  private Optional<List<DavListing.Entry>> listUpload(Location location) throws UploadException {
    return propfind(location.uploadDir() + "/", "1", "PROPFIND upload folder of " + location.display());
  }

  // ---- HTTP ----

  private void makeCollections(Location location) throws UploadException {
    List<String> paths = new ArrayList<>();
    if (!root.isEmpty()) {
      // The root too: it may have been removed on the server since check() made it.
      paths.add(collectionPath(root));
    }
    paths.addAll(location.collections());
    for (String path : paths) {
      if (!knownCollections.contains(path)) {
        String operation = "MKCOL " + URI.create(path).getPath();
        HttpResponse<String> response =
            exchange(request(path).method("MKCOL", HttpRequest.BodyPublishers.noBody()), operation);
        if (response.statusCode() == 409) {
          // A folder above was removed since it was made or checked.
          knownCollections.clear();
          throw new UploadException(
              new UploadError.Transient(operation + " failed: HTTP 409: the folder above it is missing"));
        }
        // 405: the collection exists already.
        requireSuccess(response, operation, Set.of(201, 405));
        knownCollections.add(path);
      }
    }
  }

  private Optional<DavListing.Entry> stat(String path, String operation) throws UploadException {
    return propfind(path, "0", operation).map(entries -> entries.get(0));
  }

  private Optional<List<DavListing.Entry>> propfind(String path, String depth, String operation)
      throws UploadException {
    HttpResponse<String> response =
        exchange(
            request(path)
                .header("Depth", depth)
                .header("Content-Type", "application/xml; charset=utf-8")
                .method("PROPFIND", HttpRequest.BodyPublishers.ofString(DavListing.PROPFIND_BODY)),
            operation);
    if (response.statusCode() == 404) {
      return Optional.empty();
    }
    requireSuccess(response, operation, Set.of(207));
    try {
      return Optional.of(DavListing.parse(response.body()));
    } catch (IOException e) {
      throw permanent(operation + " failed: " + e.getMessage());
    }
  }

  private HttpRequest.Builder request(String encodedPath) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(URI.create(origin + encodedPath)).timeout(settings.readTimeout());
    authorization.ifPresent(value -> builder.header("Authorization", value));
    return builder;
  }

  private String absolute(String encodedPath) {
    return origin + encodedPath;
  }

  private void send(HttpRequest.Builder request, String operation, Set<Integer> accepted)
      throws UploadException {
    requireSuccess(exchange(request, operation), operation, accepted);
  }

  private HttpResponse<String> exchange(HttpRequest.Builder request, String operation)
      throws UploadException {
    return HttpClients.sendForText(client, request, operation);
  }

  private void requireSuccess(HttpResponse<String> response, String operation, Set<Integer> accepted)
      throws UploadException {
    if (!accepted.contains(response.statusCode())) {
      throw failure(
          operation, response.statusCode(), response.headers().firstValue("Retry-After"), response.body());
    }
  }

  /**
   * Classifies an error answer, quoting the message of Sabre's XML error body. 423 Locked is
   * Nextcloud saying another request holds the file: worth another try later.
   */
  private UploadException failure(String operation, int status, Optional<String> retryAfter, String body) {
    UploadError error =
        HttpErrors.fromStatus(operation, status, retryAfter, DavListing.errorMessage(body), clock);
    if (status == 423) {
      error = new UploadError.Transient(error.message());
    }
    return new UploadException(error);
  }

  // ---- paths ----

  private Location locate(String remotePath) throws UploadException {
    List<String> segments =
        DavPath.segments(remotePath)
            .orElseThrow(
                () ->
                    permanent(
                        "invalid remote path \""
                            + String.valueOf(remotePath).replace("\0", "\\0")
                            + "\": it must be relative, without empty, \".\" or \"..\" segments,"
                            + " backslashes or NUL"));
    String name = segments.get(segments.size() - 1);
    if (name.endsWith(PART_SUFFIX)) {
      throw permanent(
          "invalid remote path \"" + remotePath + "\": names ending in " + PART_SUFFIX
              + " are reserved for uploads");
    }
    List<String> parents = segments.subList(0, segments.size() - 1);
    List<String> collections = new ArrayList<>();
    List<String> walked = new ArrayList<>(root);
    for (String parent : parents) {
      walked.add(parent);
      collections.add(collectionPath(walked));
    }
    List<String> fileSegments = new ArrayList<>(root);
    fileSegments.addAll(segments);
    List<String> partSegments = new ArrayList<>(root);
    partSegments.addAll(parents);
    partSegments.add("." + name + PART_SUFFIX);
    Account account = account();
    String file = account.filesBase() + DavPath.join(fileSegments);
    String nfc = String.join("/", segments);
    return new Location(
        nfc,
        displayRoot() + (displayRoot().endsWith("/") ? "" : "/") + nfc,
        file,
        account.filesBase() + DavPath.join(partSegments),
        account.uploadsBase() + "/" + transferId(file),
        List.copyOf(collections));
  }

  /**
   * The upload folder's name for the file at {@code encodedFile}: the same in every process, so an
   * interrupted upload is found again; different per chunk size, so chunks are never mixed.
   */
  private String transferId(String encodedFile) {
    MessageDigest digest = Sha256.newDigest();
    digest.update(
        ("autoupload chunked upload v2\n" + encodedFile + "\n" + chunkSize)
            .getBytes(StandardCharsets.UTF_8));
    return "autoupload-" + Sha256.hex(digest).substring(0, 40);
  }

  /**
   * The segments of a webroot, each to be percent-encoded on its own like a remote path's; none for
   * {@code /}. Not NFC-normalised as remote paths are: a web server matches its alias byte for byte.
   */
  private static List<String> webrootSegments(String webroot) {
    if (webroot == null || !webroot.startsWith("/")) {
      throw new IllegalArgumentException(
          "webroot must start with '/', e.g. /nextcloud, not \"" + webroot + "\"");
    }
    if (webroot.indexOf('?') >= 0 || webroot.indexOf('#') >= 0) {
      throw new IllegalArgumentException(
          "webroot \"" + webroot + "\" is a path: it cannot hold '?' or '#'");
    }
    String path = webroot.substring(1);
    if (path.isEmpty()) {
      return List.of();
    }
    List<String> segments =
        List.of((path.endsWith("/") ? path.substring(0, path.length() - 1) : path).split("/", -1));
    for (String segment : segments) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        throw new IllegalArgumentException(
            "webroot \"" + webroot + "\" must not have empty, \".\" or \"..\" segments");
      }
    }
    return segments;
  }

  private String collectionPath(List<String> segments) throws UploadException {
    return account().filesBase() + (segments.isEmpty() ? "/" : DavPath.join(segments) + "/");
  }

  private Account accountOf(String user) {
    return new Account(user, davBase + "/files/" + DavPath.encode(user), davBase + "/uploads/" + DavPath.encode(user));
  }

  /** The user's folders; on first use of a target discovering its user id, asked of the server. */
  private Account account() throws UploadException {
    Optional<Account> known = account;
    if (known.isPresent()) {
      return known.get();
    }
    synchronized (this) {
      if (account.isEmpty()) {
        account = Optional.of(accountOf(discoverUserId()));
      }
      return account.get();
    }
  }

  private String discoverUserId() throws UploadException {
    String operation = "PROPFIND " + absolute(davBase + "/") + " (current-user-principal)";
    HttpResponse<String> response =
        exchange(
            request(davBase + "/")
                .header("Depth", "0")
                .header("Content-Type", "application/xml; charset=utf-8")
                .method("PROPFIND", HttpRequest.BodyPublishers.ofString(DavListing.PRINCIPAL_BODY)),
            operation);
    requireSuccess(response, operation, Set.of(207));
    try {
      String user =
          DavListing.currentUserId(response.body())
              .orElseThrow(
                  () ->
                      permanent(
                          operation + ": the server names no user principal for \"" + login
                              + "\"; give the user id with ?user-id="));
      if (user.contains("/")) {
        throw permanent(operation + ": the server names an unusable user id \"" + user + "\"");
      }
      return user;
    } catch (IOException e) {
      throw permanent(operation + " failed: " + e.getMessage());
    }
  }

  private String displayRoot() {
    return "/" + String.join("/", root);
  }

  static UploadException permanent(String message) {
    return new UploadException(new UploadError.Permanent(message));
  }
}
