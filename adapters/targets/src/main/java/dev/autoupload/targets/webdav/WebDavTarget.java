package dev.autoupload.targets.webdav;

import dev.autoupload.engine.upload.NameRules;
import dev.autoupload.engine.upload.RemoteState;
import dev.autoupload.engine.upload.UploadError;
import dev.autoupload.engine.upload.UploadException;
import dev.autoupload.engine.upload.UploadSession;
import dev.autoupload.engine.upload.UploadTarget;
import dev.autoupload.targets.FolderListings;
import dev.autoupload.targets.TargetSettings;
import dev.autoupload.targets.http.HttpClients;
import dev.autoupload.targets.http.HttpErrors;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link UploadTarget} on a WebDAV server ({@code webdav://} over HTTP, {@code webdavs://} over
 * HTTPS).
 *
 * <p>Plain WebDAV cannot resume a PUT, so a session sends the whole file in one PUT to {@code
 * .<name>.autoupload-part} in the same collection, its body streamed as the engine appends the
 * chunks (memory stays at a few chunks; see {@link dev.autoupload.targets.StreamedSession}), and
 * when it completes, a PROPFIND to check the size the server
 * stored, then {@code MOVE} with {@code Overwrite: F} onto the final name. A torn upload therefore
 * never sits under the final name, and an existing file is never replaced: the server's 412 becomes
 * a {@link UploadError.Conflict} unless the same size and sha256 are known for it.
 *
 * <p>A probe lists the file's folder (one Depth-1 PROPFIND, reused for 30 s) rather than asking
 * about each file, so a steady upload costs three requests a file: the part's PUT and PROPFIND and
 * the MOVE (see {@link FolderListings}), and a few a folder for its manifest (below).
 *
 * <p>Only Nextcloud-like servers report a sha256 ({@code oc:checksums}); nginx and Apache report
 * none. So that a fresh data directory can still tell "already backed up" there, each folder gets
 * a hidden manifest {@code .autoupload-sha256} holding, for each file published into it, the
 * sha256 verified before publishing, with the size and modification time the server reported for
 * the file; {@link #probe} believes an entry only while both still match (see {@link
 * FolderManifest}). A folder's new entries are written together, after {@value #MANIFEST_EVERY}
 * publishes (or a quarter of the folder's listed entries, if more: see {@link #manifestDue}),
 * {@value #MANIFEST_AFTER_SECONDS} s after the oldest, when a probe asks about a file whose
 * entry waits, and when the target closes: a GET of the manifest, a Depth-1 PROPFIND for the
 * sizes and modification times, and a PUT, a few requests for a whole folder rather than one a
 * file. A file's entry takes the modification time the listing reports only when it lies between
 * the start of its PUT and the end of its MOVE by the server's {@code Date}, so a file another
 * client put there afterwards never takes on its hash. Files whose names start with a dot, which
 * nginx leaves out of listings, keep the earlier hidden sidecar {@code .<name>.autoupload-sha256}
 * (see {@link HashSidecar}), written from the part's PROPFIND; a probe still reads such sidecars,
 * of files published before the manifest. A file rather than a dead property set with PROPPATCH,
 * because nginx's dav-ext module does not implement PROPPATCH, and a plain PUT and GET work on
 * every server. A server-reported sha256 is preferred and needs neither. Writing the manifest is
 * best effort and comes after the MOVE: without an entry (a kill before it was written, a failed
 * request, a garbage or stale manifest) the probe knows no hash, as on a server that reports none.
 *
 * <p>Remote paths are NFC, confined under the configured root and percent-encoded per segment.
 * Credentials travel only in the {@code Authorization} header, never in messages or {@link
 * #describe()}.
 */
public final class WebDavTarget implements UploadTarget {

  static final String PART_SUFFIX = ".autoupload-part";
  static final String SIDECAR_SUFFIX = ".autoupload-sha256";

  private static final Logger log = LoggerFactory.getLogger(WebDavTarget.class);

  /**
   * Where one remote path lives on the server: all paths are encoded absolute URL paths, {@code
   * folder} with a trailing slash.
   */
  record Location(
      String remotePath,
      String display,
      String file,
      String part,
      String sidecar,
      List<String> collections,
      String folder,
      String name) {}

  private final URI origin;
  private final List<String> root;
  private final String description;
  private final Optional<String> authorization;
  private final TargetSettings settings;
  private final HttpClient client;
  private final Clock clock;
  /** Collections known to exist, so a folder of many files costs one MKCOL per level. */
  private final Set<String> knownCollections = ConcurrentHashMap.newKeySet();
  /** Part names with an open session: two sessions on one name would send into the same part. */
  private final Set<String> uploading = ConcurrentHashMap.newKeySet();
  /**
   * How many publishes showed the moved file with its part's modification time; negative for
   * ever once one did not (see {@link #keepSha256}).
   */
  private final AtomicInteger moveKeepsModified = new AtomicInteger();
  private static final int TRUSTED_AFTER = 3;
  /** A folder's manifest is written once this many publishes wait for it... */
  static final int MANIFEST_EVERY = 100;
  /** ...or, in a folder whose listing had more entries, once a quarter as many wait... */
  static final int MANIFEST_GROWTH = 4;
  /** ...or once the oldest has waited this long, seen at the next publish. */
  static final int MANIFEST_AFTER_SECONDS = 10;
  /** Published files waiting for their folder's manifest, by folder; guarded by itself. */
  private final Map<String, PendingHashes> pendingHashes = new HashMap<>();
  /**
   * How many entries each folder's listing had when this target last wrote its manifest (its own
   * files and anyone else's: the listing is what a write costs); guarded by {@link #pendingHashes}.
   */
  private final Map<String, Integer> listedAtLastWrite = new HashMap<>();
  /** One manifest write per folder at a time, so that none undoes another's entries. */
  private final Map<String, Object> manifestLocks = new ConcurrentHashMap<>();
  /**
   * The manifests read last, by folder, with the server's ETag for them: reading one again asks
   * with {@code If-None-Match} and a 304 costs no transfer and no parsing. A few folders only:
   * probes of names already taken come in the folders being uploaded to, and a manifest can hold
   * a large folder's worth. Guarded by itself.
   */
  private final Map<String, ReadManifest> recentManifests =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ReadManifest> eldest) {
          return size() > RECENT_MANIFESTS;
        }
      };
  private static final int RECENT_MANIFESTS = 4;

  private record ReadManifest(String etag, FolderManifest manifest) {}

  /** Which names the folders held, so that a new file in a known folder costs no probe. */
  private final FolderListings listings = new FolderListings();

  /**
   * A target storing files below {@code endpoint}'s path.
   *
   * @param endpoint {@code http://host[:port]/path} or {@code https://…}, without user info
   * @param user the user name for basic authentication, if any
   * @param settings timeouts, TLS trust and the password, used only together with a user
   */
  public WebDavTarget(URI endpoint, Optional<String> user, TargetSettings settings) {
    String scheme = HttpClients.requireHttpEndpoint(endpoint, "WebDAV");
    this.origin = URI.create(scheme + "://" + endpoint.getRawAuthority());
    this.root = rootSegments(endpoint.getPath());
    this.description =
        (scheme.equals("https") ? "webdavs://" : "webdav://")
            + user.map(u -> DavPath.encode(u) + "@").orElse("")
            + endpoint.getRawAuthority()
            + (root.isEmpty() ? "/" : DavPath.join(root));
    this.authorization = HttpClients.basicAuthorization(user, settings.password());
    this.settings = settings;
    this.clock = Clock.systemUTC();
    this.client = HttpClients.build(settings);
  }

  private static List<String> rootSegments(String path) {
    List<String> segments = new ArrayList<>();
    if (path == null) {
      return segments;
    }
    String trimmed = path.replaceAll("^/+|/+$", "");
    if (trimmed.isEmpty()) {
      return segments;
    }
    segments.addAll(
        DavPath.segments(trimmed)
            .orElseThrow(() -> new IllegalArgumentException("the WebDAV root path " + path + " is not a plain path")));
    return segments;
  }

  @Override
  public String describe() {
    return description;
  }

  /**
   * Only the control characters and backslashes every target refuses, unless {@code
   * autoupload.target.name-rules} says the server is on Windows: the server's file system is
   * unknown. Room is left for the part and sidecar names beside each file.
   */
  @Override
  public NameRules nameRules() {
    return settings
        .nameRules()
        .apply(NameRules.POSIX, false)
        .reserving(1 + Math.max(PART_SUFFIX.length(), SIDECAR_SUFFIX.length()));
  }

  /**
   * Absent without a request of its own when a listing of its folder asked for in the last 30 s
   * does not name it (see {@link FolderListings}) and the name does not start with a dot;
   * otherwise a PROPFIND of the file, and its sidecar when the server reports no sha256.
   */
  @Override
  public RemoteState probe(String remotePath) throws UploadException {
    Location location = locate(remotePath);
    // nginx leaves names starting with '.' out of its listings: those are always asked about.
    if (!location.name().startsWith(".") && listings.absent(location.folder(), location.name(), this::listNames)) {
      return new RemoteState.Absent();
    }
    Optional<Multistatus> found = propfind(location.file(), "PROPFIND " + location.display());
    if (found.isEmpty()) {
      return new RemoteState.Absent();
    }
    Multistatus file = found.get();
    if (file.collection()) {
      throw permanent(location.display() + " is a folder on the server");
    }
    if (file.contentLength().isEmpty()) {
      throw permanent("the server does not report the size of " + location.display());
    }
    return new RemoteState.Complete(file.contentLength().getAsLong(), knownSha256(location, file));
  }

  /** A plain GET of the file. */
  @Override
  public Optional<InputStream> openRead(String remotePath) throws UploadException {
    Location location = locate(remotePath);
    String operation = "GET " + location.display();
    return Optional.of(
        HttpClients.download(
            client,
            request(location.file()).GET().build(),
            operation,
            (status, retryAfter, body) ->
                new UploadException(HttpErrors.fromStatus(operation, status, retryAfter, body, clock))));
  }

  @Override
  public UploadSession open(String remotePath, long size) throws UploadException {
    return open(remotePath, size, false);
  }

  /** The part is moved onto the final name with {@code Overwrite: T}, then its sidecar rewritten. */
  @Override
  public UploadSession openReplacing(String remotePath, long size, Optional<String> resumeToken)
      throws UploadException {
    return open(remotePath, size, true);
  }

  private UploadSession open(String remotePath, long size, boolean replace) throws UploadException {
    if (size < 0) {
      throw permanent("cannot upload " + remotePath + ": negative size " + size);
    }
    Location location = locate(remotePath);
    if (!uploading.add(location.part())) {
      throw new UploadException(
          new UploadError.Transient(location.display() + " is being uploaded by another session"));
    }
    listings.writing(location.folder(), location.name());
    Runnable release =
        () -> {
          listings.written(location.folder(), location.name());
          uploading.remove(location.part());
        };
    try {
      // The root too: it may have been removed on the server since check() made it.
      if (!root.isEmpty()) {
        makeCollection(DavPath.join(root) + "/");
      }
      for (String collection : location.collections()) {
        makeCollection(collection);
      }
      return new WebDavSession(this, location, size, replace, settings, release);
    } catch (UploadException | RuntimeException e) {
      release.run();
      throw e;
    }
  }

  /** DELETEs the part, which a kill between its PUT and its MOVE leaves; the file stays. */
  @Override
  public void discard(String remotePath, Optional<String> resumeToken) throws UploadException {
    Location location = locate(remotePath);
    if (uploading.contains(location.part())) {
      throw new UploadException(
          new UploadError.Transient(location.display() + " is being uploaded by another session"));
    }
    send(
        request(location.part()).DELETE(),
        "DELETE " + location.display() + " (unfinished upload)",
        Set.of(200, 204, 404));
  }

  @Override
  public void check() throws UploadException {
    String path = DavPath.join(root) + (root.isEmpty() ? "" : "/");
    Optional<Multistatus> found = propfind(path, "PROPFIND " + displayRoot());
    if (found.isEmpty()) {
      // Only the last level: a missing parent is a configuration mistake worth reporting.
      String operation = "MKCOL " + displayRoot();
      HttpResponse<String> response =
          exchange(request(path).method("MKCOL", HttpRequest.BodyPublishers.noBody()), operation);
      if (response.statusCode() == 409) {
        throw permanent(operation + " failed: the folder above the target root does not exist");
      }
      requireSuccess(response, operation, Set.of(201));
      knownCollections.add(path);
    } else if (!found.get().collection()) {
      throw permanent("the target root " + displayRoot() + " is a file, not a folder");
    }
  }

  // ---- what sessions use ----

  /** Starts the PUT of the part; its body comes as the session appends. No timeout: the session times it. */
  CompletableFuture<HttpResponse<String>> sendPart(Location location, HttpRequest.BodyPublisher body) {
    HttpRequest.Builder put = HttpRequest.newBuilder(URI.create(origin + location.part())).PUT(body);
    authorization.ifPresent(value -> put.header("Authorization", value));
    return client.sendAsync(put.build(), HttpClients.text());
  }

  /** Throws the classified failure unless {@code response}, the answer to the part's PUT, stored it. */
  void requirePartStored(Location location, HttpResponse<String> response) throws UploadException {
    String operation = "PUT " + location.display();
    if (!Set.of(200, 201, 204).contains(response.statusCode())) {
      // The folder may have gone away since it was created (nginx then answers 500, others 409):
      // the next attempt makes its folders again.
      location.collections().forEach(knownCollections::remove);
    }
    if (response.statusCode() == 409 || response.statusCode() == 404 || (response.statusCode() == 500 && folderGone(location))) {
      throw new UploadException(
          new UploadError.Transient(operation + " failed: HTTP " + response.statusCode() + ": the folder is missing"));
    }
    requireSuccess(response, operation, Set.of(200, 201, 204));
  }

  /** Whether the folder {@code location} lives in is gone: nginx answers a PUT into it with 500. */
  private boolean folderGone(Location location) throws UploadException {
    return propfind(location.folder(), "PROPFIND " + decodedForDisplay(location.folder())).isEmpty();
  }

  /**
   * The names in {@code folder} by a Depth-1 PROPFIND: none when it does not exist, empty when
   * the server answers anything but a readable multistatus (the probes then ask per file, and
   * meet the same failure with its own words).
   */
  private Optional<Set<String>> listNames(String folder) throws UploadException {
    String operation = "PROPFIND " + decodedForDisplay(folder) + " (listing)";
    HttpResponse<String> response = propfind(folder, "1", Multistatus.LISTING_REQUEST, operation);
    if (response.statusCode() == 404) {
      return Optional.of(Set.of());
    }
    int status = response.statusCode();
    if (status == 401 || status == 429 || (status >= 500 && status != 501)) {
      // What a probe of the file would meet as well: the target cannot be asked now.
      requireSuccess(response, operation, Set.of(207));
    }
    if (status != 207) {
      // A server may refuse Depth 1 (403, 400, 405, 501) and answer each file.
      log.debug("{}: HTTP {}; probing file by file", operation, status);
      return Optional.empty();
    }
    try {
      return Optional.of(Multistatus.listedNames(response.body()));
    } catch (IOException e) {
      log.debug("{}: {}; probing file by file", operation, e.getMessage());
      return Optional.empty();
    }
  }

  Optional<Multistatus> statPart(Location location) throws UploadException {
    return propfind(location.part(), "PROPFIND " + location.display() + " (uploaded part)");
  }

  Optional<Multistatus> statFile(Location location) throws UploadException {
    return propfind(location.file(), "PROPFIND " + location.display());
  }

  /**
   * Moves the part onto the final name, replacing a file there only when {@code replace}: the
   * server's {@code Date} of its answer (empty inside when it sent none), or empty when a file
   * already sits there and may not be replaced (412).
   */
  Optional<Optional<Instant>> movePartIntoPlace(Location location, boolean replace) throws UploadException {
    String operation = "MOVE " + location.display();
    HttpResponse<String> response =
        exchange(
            request(location.part())
                .header("Destination", origin + location.file())
                .header("Overwrite", replace ? "T" : "F")
                .method("MOVE", HttpRequest.BodyPublishers.noBody()),
            operation);
    if (response.statusCode() == 412) {
      return Optional.empty();
    }
    requireSuccess(response, operation, Set.of(201, 204));
    return Optional.of(dateOf(response));
  }

  /**
   * The sha256 the server reports for {@code file} at {@code location}, else its folder's
   * manifest's, written first if this target has entries waiting for it, else its valid sidecar's.
   */
  Optional<String> knownSha256(Location location, Multistatus file) throws UploadException {
    if (file.sha256().isPresent()) {
      return file.sha256();
    }
    // Only this name's own waiting entry matters here. Writing the folder's others too made every
    // probe of a name already taken (a second IMG_0001.jpg in the month's folder) cost a write,
    // which reads, lists and rewrites the whole folder's manifest: quadratic in a large folder.
    if (waitsForManifest(location.folder(), location.name())) {
      writeManifestQuietly(location.folder());
    }
    Optional<FolderManifest.Entry> entry =
        readManifest(location.folder())
            .flatMap(manifest -> Optional.ofNullable(manifest.entries().get(location.name())))
            .filter(e -> e.describes(file));
    if (entry.isPresent()) {
      return entry.map(FolderManifest.Entry::sha256);
    }
    return readSidecar(location).filter(sidecar -> sidecar.describes(file)).map(HashSidecar::sha256);
  }

  private boolean waitsForManifest(String folder, String name) {
    synchronized (pendingHashes) {
      PendingHashes pending = pendingHashes.get(folder);
      return pending != null && pending.files.containsKey(name);
    }
  }

  /**
   * Whether a file at {@code location} gets its hash in the folder's manifest; otherwise in a
   * sidecar, as nginx leaves names starting with a dot out of the listings the manifest is
   * written from.
   */
  static boolean inManifest(Location location) {
    return !location.name().startsWith(".");
  }

  /** A published file whose entry waits for its folder's manifest. */
  private record Published(String name, long size, String sha256, Instant notBefore, Instant notAfter) {}

  private static final class PendingHashes {
    /** By name: a name published again waits with its latest version only (the earlier no longer matches the file). */
    final Map<String, Published> files = new HashMap<>();
    final long since = System.nanoTime();
  }

  /**
   * Keeps {@code sha256} for the file just published at {@code location}: its entry waits for the
   * folder's next manifest. {@code sent} and {@code moved} are the server's {@code Date} of the
   * PUT's and MOVE's answers, {@code sending} how long the PUT took. Never fails: the file is
   * stored either way, and without the entry a later probe only knows no hash.
   */
  void published(Location location, long size, String sha256, Optional<Instant> sent, Duration sending, Optional<Instant> moved) {
    if (sent.isEmpty() || moved.isEmpty()) {
      log.debug("{}: the server sends no Date; no sha256 kept for it", location.display());
      return;
    }
    // Date and getlastmodified are whole seconds: a second of slack on each side.
    Published file =
        new Published(
            location.name(), size, sha256, sent.get().minus(sending).minusSeconds(1), moved.get().plusSeconds(1));
    List<String> due = new ArrayList<>();
    synchronized (pendingHashes) {
      PendingHashes pending = pendingHashes.computeIfAbsent(location.folder(), f -> new PendingHashes());
      pending.files.put(file.name(), file);
      long now = System.nanoTime();
      pendingHashes.forEach(
          (folder, waiting) -> {
            if (manifestDue(waiting.files.size(), listedAtLastWrite.getOrDefault(folder, 0), now - waiting.since)) {
              due.add(folder);
            }
          });
    }
    due.forEach(this::writeManifestQuietly);
  }

  /**
   * Whether a folder's waiting entries are written now. A write reads the whole manifest, lists the
   * whole folder and writes the manifest back, so its cost grows with the folder: writing every
   * {@value #MANIFEST_EVERY} publishes made a folder of n files cost n²/200 listed entries (10,000
   * new photos in one month's folder: half a million; up to a third of a warm engine's CPU), and
   * as much for a folder another app already filled. Waiting for a quarter of the folder as well
   * keeps the cost at a few listed entries a publish however large the folder; the time limit
   * bounds how long an entry waits (only a lost journal needs it, and then without it the file is
   * read back instead).
   *
   * @param waiting publishes waiting for the folder's manifest
   * @param listed entries the folder's listing had at this target's last write, 0 before the first
   * @param waitedNanos how long the oldest has waited
   */
  static boolean manifestDue(int waiting, int listed, long waitedNanos) {
    return waiting >= Math.max(MANIFEST_EVERY, listed / MANIFEST_GROWTH)
        || waitedNanos > TimeUnit.SECONDS.toNanos(MANIFEST_AFTER_SECONDS);
  }

  /** Writes every folder's waiting entries; files stay stored whatever fails. */
  @Override
  public void close() {
    List<String> folders;
    synchronized (pendingHashes) {
      folders = List.copyOf(pendingHashes.keySet());
    }
    folders.forEach(this::writeManifestQuietly);
  }

  private void writeManifestQuietly(String folder) {
    try {
      writeManifest(folder);
    } catch (UploadException e) {
      log.warn("the sha256 of files published into {} could not be kept beside them: {}", decodedForDisplay(folder), e.getMessage());
    }
  }

  /**
   * Adds the entries waiting for {@code folder} to its manifest: reads it, lists the folder and
   * writes it back with the waiting files that the listing shows as published, and the earlier
   * entries that still describe their files. Nothing when none wait. A waiting file of another
   * size than it was published with, or modified outside its upload, gets no entry.
   */
  private void writeManifest(String folder) throws UploadException {
    synchronized (manifestLocks.computeIfAbsent(folder, f -> new Object())) {
      PendingHashes pending;
      synchronized (pendingHashes) {
        pending = pendingHashes.remove(folder);
      }
      if (pending == null) {
        return;
      }
      String display = decodedForDisplay(folder);
      Map<String, FolderManifest.Entry> before = readManifest(folder).map(FolderManifest::entries).orElse(Map.of());
      String operation = "PROPFIND " + display + " (sizes for the sha256 manifest)";
      HttpResponse<String> response = propfind(folder, "1", Multistatus.REQUEST, operation);
      requireSuccess(response, operation, Set.of(207));
      Map<String, Multistatus> listed;
      try {
        listed = Multistatus.listed(response.body());
      } catch (IOException e) {
        throw permanent(operation + " failed: " + e.getMessage());
      }
      Map<String, FolderManifest.Entry> entries = new HashMap<>();
      before.forEach(
          (name, entry) -> {
            Multistatus file = listed.get(name);
            if (file != null && file.sha256().isEmpty() && entry.describes(file)) {
              entries.put(name, entry);
            }
          });
      // A line that still describes its file stays when this target's own entry for the name
      // does not (another engine replaced the file since): dropping it lost a valid hash.
      for (Published published : pending.files.values()) {
        entryFor(display, published, listed.get(published.name())).ifPresent(e -> entries.put(published.name(), e));
      }
      synchronized (pendingHashes) {
        listedAtLastWrite.put(folder, listed.size());
      }
      if (entries.equals(before)) {
        return;
      }
      // Before and after: a probe may read the old text while the PUT is on its way.
      forgetManifest(folder);
      try {
        send(
            request(folder + DavPath.encode(FolderManifest.NAME))
                .PUT(HttpRequest.BodyPublishers.ofString(new FolderManifest(entries).format(), StandardCharsets.UTF_8)),
            "PUT " + display + FolderManifest.NAME + " (sha256 manifest)",
            Set.of(200, 201, 204));
      } finally {
        forgetManifest(folder);
      }
    }
  }

  /** The entry for {@code published} as the listing shows it as {@code file}, if it may have one. */
  private static Optional<FolderManifest.Entry> entryFor(String folder, Published published, Multistatus file) {
    if (file == null || file.collection() || file.sha256().isPresent() || file.lastModified().isEmpty()) {
      return Optional.empty();
    }
    if (file.contentLength().isEmpty() || file.contentLength().getAsLong() != published.size()) {
      // The publish itself was checked (the part's size before its MOVE): the file has changed
      // since, by another client or engine on this folder, which is theirs to do, not a failure here.
      log.warn(
          "{}{}: the server reports {} bytes, {} were published (changed since by another client?); its sha256 is not kept (verify checks it)",
          folder,
          published.name(),
          file.contentLength().isPresent() ? file.contentLength().getAsLong() : "no size",
          published.size());
      return Optional.empty();
    }
    Optional<Instant> modified = httpDate(file.lastModified());
    if (modified.isEmpty() || modified.get().isBefore(published.notBefore()) || modified.get().isAfter(published.notAfter())) {
      log.debug("{}{}: modified outside its upload; its sha256 is not kept", folder, published.name());
      return Optional.empty();
    }
    try {
      return Optional.of(new FolderManifest.Entry(published.sha256(), published.size(), file.lastModified().get()));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static Optional<Instant> httpDate(Optional<String> text) {
    try {
      return text.map(t -> Instant.from(DateTimeFormatter.RFC_1123_DATE_TIME.parse(t.strip())));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  /** The server's {@code Date} of {@code response}, if it sent a valid one. */
  static Optional<Instant> dateOf(HttpResponse<?> response) {
    return httpDate(response.headers().firstValue("Date"));
  }

  /** The manifest of {@code folder}, or empty when there is none or it is not one. */
  private Optional<FolderManifest> readManifest(String folder) throws UploadException {
    String operation = "GET " + decodedForDisplay(folder) + FolderManifest.NAME + " (sha256 manifest)";
    ReadManifest known;
    synchronized (recentManifests) {
      known = recentManifests.get(folder);
    }
    SmallFile read =
        readSmall(
            folder + DavPath.encode(FolderManifest.NAME),
            operation,
            FolderManifest.MAX_BYTES,
            Optional.ofNullable(known).map(ReadManifest::etag));
    if (read.notModified() && known != null) {
      return Optional.of(known.manifest());
    }
    Optional<FolderManifest> manifest = read.body().flatMap(FolderManifest::parse);
    if (read.body().isPresent() && manifest.isEmpty()) {
      log.debug("{}: not a manifest; ignored", operation);
    }
    synchronized (recentManifests) {
      if (manifest.isPresent() && read.etag().isPresent()) {
        recentManifests.put(folder, new ReadManifest(read.etag().get(), manifest.get()));
      } else {
        recentManifests.remove(folder);
      }
    }
    return manifest;
  }

  private void forgetManifest(String folder) {
    synchronized (recentManifests) {
      recentManifests.remove(folder);
    }
  }

  /**
   * Keeps {@code sha256} beside the file just published at {@code location} from {@code part},
   * unless the server tells the hash itself. Never fails: the file is stored either way, and
   * without the sidecar a later probe only knows no hash.
   *
   * <p>A MOVE on nginx and Apache is a rename, so the file keeps the modification time its part
   * had: the sidecar is written from the part's PROPFIND, without asking about the file again,
   * once the first publishes have shown the server keeps it. A server that gives the moved file a
   * time of its own is asked each time, as a sidecar that does not describe the file is ignored.
   */
  void keepSha256(Location location, long size, String sha256, Multistatus part) {
    String operation = "PUT " + location.display() + " (sha256 sidecar)";
    try {
      if (part.sha256().isPresent()) {
        return;
      }
      Multistatus file = part;
      if (moveKeepsModified.get() < TRUSTED_AFTER) {
        Optional<Multistatus> published = statFile(location);
        if (published.isEmpty() || published.get().sha256().isPresent()) {
          return;
        }
        file = published.get();
        if (file.lastModified().equals(part.lastModified()) && file.lastModified().isPresent()) {
          moveKeepsModified.updateAndGet(agreed -> agreed < 0 ? agreed : agreed + 1);
        } else {
          moveKeepsModified.set(Integer.MIN_VALUE);
        }
      }
      HashSidecar sidecar = new HashSidecar(sha256, size, file.lastModified());
      if (!sidecar.describes(file)) {
        log.warn("{}: the server reports a different file than was just published; no sidecar", operation);
        return;
      }
      send(
          request(location.sidecar()).PUT(HttpRequest.BodyPublishers.ofString(sidecar.format(), StandardCharsets.UTF_8)),
          operation,
          Set.of(200, 201, 204));
    } catch (UploadException e) {
      log.warn("{} is stored, but its sha256 could not be kept beside it: {}", location.display(), e.getMessage());
    }
  }

  /** The sidecar at {@code location}, or empty when there is none or it is not one. */
  private Optional<HashSidecar> readSidecar(Location location) throws UploadException {
    String operation = "GET " + location.display() + " (sha256 sidecar)";
    Optional<String> body = readSmall(location.sidecar(), operation, HashSidecar.MAX_BYTES, Optional.empty()).body();
    Optional<HashSidecar> sidecar = body.flatMap(HashSidecar::parse);
    if (body.isPresent() && sidecar.isEmpty()) {
      log.debug("{}: not a sidecar; ignored", operation);
    }
    return sidecar;
  }

  /**
   * The text of the small file at {@code path}, with its {@link #settledEtag}: none when there is
   * no file, when the answer is not the file (a folder there) or when it is longer than {@code
   * maxBytes}; "not modified" when the server says it still has {@code ifNoneMatch}.
   */
  private SmallFile readSmall(String path, String operation, int maxBytes, Optional<String> ifNoneMatch)
      throws UploadException {
    HttpRequest.Builder get = request(path).GET();
    ifNoneMatch.ifPresent(etag -> get.header("If-None-Match", etag));
    HttpResponse<InputStream> response = exchange(get, operation, BodyHandlers.ofInputStream());
    String body;
    try (InputStream in = response.body()) {
      byte[] bytes = in.readNBytes(maxBytes + 1);
      body = bytes.length > maxBytes ? null : new String(bytes, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UploadException(HttpErrors.fromIo(operation, e), e);
    }
    int status = response.statusCode();
    if (status == 304 && ifNoneMatch.isPresent()) {
      return SmallFile.NOT_MODIFIED;
    }
    if (status == 404 || status == 410) {
      return SmallFile.NONE;
    }
    // Failures that pass are worth waiting for: without the hash the file would end as a conflict.
    if (status == 401 || status == 429 || status >= 500) {
      throw new UploadException(
          HttpErrors.fromStatus(
              operation, status, response.headers().firstValue("Retry-After"), body == null ? "" : body, clock));
    }
    if (status != 200 || body == null) {
      log.debug("{}: HTTP {}; ignored", operation, status);
      return SmallFile.NONE;
    }
    return new SmallFile(false, Optional.of(body), settledEtag(response));
  }

  /**
   * The response's ETag, if a change to the file would surely change it. nginx's ETag is the
   * modification time in whole seconds and the size: a file rewritten with the same size in the
   * second it was read would keep it. So only a file last modified in an earlier second than the
   * server's {@code Date} says it was read has one to ask with, as git trusts no file modified
   * in the second its index was written.
   */
  static Optional<String> settledEtag(HttpResponse<?> response) {
    Optional<Instant> modified = httpDate(response.headers().firstValue("Last-Modified"));
    Optional<Instant> read = dateOf(response);
    if (modified.isEmpty() || read.isEmpty() || modified.get().plusSeconds(1).isAfter(read.get())) {
      return Optional.empty();
    }
    return response.headers().firstValue("ETag");
  }

  /** What a GET of a small file found: its text and ETag, or that it is as the ETag asked about. */
  private record SmallFile(boolean notModified, Optional<String> body, Optional<String> etag) {
    static final SmallFile NONE = new SmallFile(false, Optional.empty(), Optional.empty());
    static final SmallFile NOT_MODIFIED = new SmallFile(true, Optional.empty(), Optional.empty());
  }

  /** Removes the part; a failure only leaves a hidden file that the next upload overwrites. */
  void deletePartQuietly(Location location) {
    try {
      exchange(request(location.part()).DELETE(), "DELETE " + location.display() + " (uploaded part)");
    } catch (UploadException e) {
      // The part name is reused by the next PUT, which replaces whatever is left.
    }
  }

  // ---- HTTP ----

  private void makeCollection(String path) throws UploadException {
    if (knownCollections.contains(path)) {
      return;
    }
    String operation = "MKCOL " + decodedForDisplay(path);
    // 405: the collection exists already.
    send(request(path).method("MKCOL", HttpRequest.BodyPublishers.noBody()), operation, Set.of(201, 405));
    knownCollections.add(path);
  }

  private HttpResponse<String> propfind(String path, String depth, String body, String operation)
      throws UploadException {
    return exchange(
        request(path)
            .header("Depth", depth)
            .header("Content-Type", "application/xml; charset=utf-8")
            .method("PROPFIND", HttpRequest.BodyPublishers.ofString(body)),
        operation);
  }

  private Optional<Multistatus> propfind(String path, String operation) throws UploadException {
    HttpResponse<String> response = propfind(path, "0", Multistatus.REQUEST, operation);
    if (response.statusCode() == 404) {
      return Optional.empty();
    }
    requireSuccess(response, operation, Set.of(207));
    try {
      return Optional.of(Multistatus.parse(response.body()));
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

  private void send(HttpRequest.Builder request, String operation, Set<Integer> accepted) throws UploadException {
    requireSuccess(exchange(request, operation), operation, accepted);
  }

  private HttpResponse<String> exchange(HttpRequest.Builder request, String operation) throws UploadException {
    return exchange(request, operation, HttpClients.text());
  }

  private <T> HttpResponse<T> exchange(HttpRequest.Builder request, String operation, BodyHandler<T> body)
      throws UploadException {
    return HttpClients.send(client, request.build(), operation, body);
  }

  private void requireSuccess(HttpResponse<String> response, String operation, Set<Integer> accepted)
      throws UploadException {
    if (!accepted.contains(response.statusCode())) {
      throw new UploadException(
          HttpErrors.fromStatus(
              operation,
              response.statusCode(),
              response.headers().firstValue("Retry-After"),
              response.body(),
              clock));
    }
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
    for (String reserved : List.of(PART_SUFFIX, SIDECAR_SUFFIX)) {
      if (name.endsWith(reserved)) {
        throw permanent(
            "invalid remote path \"" + remotePath + "\": names ending in " + reserved + " are reserved for Autoupload's own files");
      }
    }
    List<String> parents = segments.subList(0, segments.size() - 1);
    List<String> collections = new ArrayList<>();
    List<String> walked = new ArrayList<>(root);
    for (String parent : parents) {
      walked.add(parent);
      collections.add(DavPath.join(walked) + "/");
    }
    List<String> fileSegments = new ArrayList<>(root);
    fileSegments.addAll(segments);
    List<String> partSegments = new ArrayList<>(root);
    partSegments.addAll(parents);
    partSegments.add("." + name + PART_SUFFIX);
    List<String> sidecarSegments = new ArrayList<>(root);
    sidecarSegments.addAll(parents);
    sidecarSegments.add("." + name + SIDECAR_SUFFIX);
    String nfc = String.join("/", segments);
    String folder =
        collections.isEmpty() ? DavPath.join(root) + (root.isEmpty() ? "" : "/") : collections.get(collections.size() - 1);
    return new Location(
        nfc,
        displayRoot() + (displayRoot().endsWith("/") ? "" : "/") + nfc,
        DavPath.join(fileSegments),
        DavPath.join(partSegments),
        DavPath.join(sidecarSegments),
        List.copyOf(collections),
        folder,
        name);
  }

  private String displayRoot() {
    return "/" + String.join("/", root);
  }

  private static String decodedForDisplay(String encodedPath) {
    return URI.create(encodedPath).getPath();
  }

  static UploadException permanent(String message) {
    return new UploadException(new UploadError.Permanent(message));
  }
}
