package dev.autoupload.targets.koofr;

import dev.autoupload.engine.upload.Md5;
import dev.autoupload.engine.upload.NameRules;
import dev.autoupload.engine.upload.RemoteState;
import dev.autoupload.engine.upload.UploadError;
import dev.autoupload.engine.upload.UploadException;
import dev.autoupload.engine.upload.UploadSession;
import dev.autoupload.engine.upload.UploadTarget;
import dev.autoupload.targets.Spool;
import dev.autoupload.targets.TargetSettings;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * An {@link UploadTarget} on a folder of a Koofr mount ({@code koofr://}), through Koofr's REST
 * API; {@link KoofrApi} lists the documented calls it relies on.
 *
 * <p>Koofr's {@code files/put} takes a whole file in one request and cannot be continued, so a
 * session spools the appended chunks to a local temporary file (memory stays bounded by one chunk)
 * and, when it completes:
 *
 * <ol>
 *   <li>asks {@code files/info} about the final name: a file with the same size and MD5 is already
 *       the one being backed up, so nothing is sent; any other file there is a {@link
 *       UploadError.Conflict}, also without sending;
 *   <li>uploads to {@code .<name>.autoupload-part} beside it ({@code overwrite=true}: a part left
 *       by a crash is replaced; {@code autorename=false}: Koofr never stores it under another
 *       name) and checks the size and MD5 Koofr reports for it against what was spooled;
 *   <li>moves the part onto the final name. Koofr's move never replaces an existing file: if one
 *       appeared meanwhile, it is accepted only with the same size and MD5, else a Conflict.
 * </ol>
 *
 * <p>Uploading to the final name directly, with {@code overwriteIfHash}, would save the move, but
 * it would let a transfer whose bytes then fail the check sit, or replace an identical file, under
 * the final name; the part name keeps every unverified byte away from it. Koofr reports only MD5,
 * so {@link #probe} returns it as {@link RemoteState.Complete#md5()}, without a sha256.
 *
 * <p>Koofr names are case-insensitive; the final name's check above also catches a file whose
 * name differs only in case. Remote paths are NFC and confined under the root folder. The app
 * password travels only in the {@code Authorization} header, never in messages or {@link
 * #describe()}.
 */
public final class KoofrTarget implements UploadTarget {

  /** The default API endpoint, Koofr's own service. */
  public static final URI KOOFR = URI.create("https://app.koofr.net");

  static final String PART_SUFFIX = ".autoupload-part";

  /** Where one remote path lives in the mount; all paths are absolute within the mount. */
  record Location(String remotePath, String file, String folder, String name, String part, List<String> folders) {
    String partPath() {
      return KoofrApi.join(folder, part);
    }
  }

  private final KoofrApi api;
  private final String mount;
  private final List<String> root;
  private final String description;
  private final TargetSettings settings;
  private volatile String mountId;
  /** Folders known to exist, so a folder of many files costs one look per level. */
  private final Set<String> knownFolders = ConcurrentHashMap.newKeySet();
  /** Part paths with an open session: two sessions on one name would send into the same part. */
  private final Set<String> uploading = ConcurrentHashMap.newKeySet();

  /**
   * A target storing files below {@code rootPath} of the mount named (or with the id) {@code
   * mount}, on the account {@code user}.
   *
   * @param endpoint the API's base, e.g. {@link #KOOFR}
   * @param user the account's e-mail address
   * @param mount the mount's name (e.g. {@code Koofr}) or id, looked up on first use
   * @param rootPath the folder inside the mount, '/'-separated; empty or "/" for the mount's root
   * @param settings timeouts, TLS trust, the spool folder and the app password
   * @throws IllegalArgumentException when the endpoint, user, mount or root is unusable
   */
  public KoofrTarget(URI endpoint, String user, String mount, String rootPath, TargetSettings settings) {
    String scheme = endpoint.getScheme() == null ? "" : endpoint.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https") || endpoint.getHost() == null) {
      throw new IllegalArgumentException("the Koofr endpoint must be an http:// or https:// URL");
    }
    if (endpoint.getRawUserInfo() != null || endpoint.getRawQuery() != null) {
      throw new IllegalArgumentException("the Koofr endpoint takes no user or query");
    }
    if (user == null || user.isBlank()) {
      throw new IllegalArgumentException("a Koofr target needs the account's e-mail address");
    }
    if (mount == null || mount.isBlank()) {
      throw new IllegalArgumentException("a Koofr target needs a mount name or id");
    }
    this.api = new KoofrApi(endpoint, user, settings);
    this.mount = mount;
    this.root = rootSegments(rootPath);
    this.settings = settings;
    this.description = "koofr://" + user + "@" + mount + KoofrPath.absolute(root) + " at " + api.endpoint();
  }

  private static List<String> rootSegments(String rootPath) {
    String trimmed = rootPath == null ? "" : rootPath.replaceAll("^/+|/+$", "");
    if (trimmed.isEmpty()) {
      return List.of();
    }
    return KoofrPath.segments(trimmed)
        .orElseThrow(() -> new IllegalArgumentException("the Koofr folder " + rootPath + " is not a plain path"));
  }

  @Override
  public String describe() {
    return description;
  }

  /**
   * Only the control characters and backslashes every target refuses: of what rclone's Koofr
   * backend escapes (https://rclone.org/koofr/: Slash, BackSlash, Del, Ctl, InvalidUtf8, Dot), the
   * others never reach a name here. Room is left for the part name beside each file.
   */
  @Override
  public NameRules nameRules() {
    return settings.nameRules().apply(NameRules.POSIX, false).reserving(1 + PART_SUFFIX.length());
  }

  @Override
  public RemoteState probe(String remotePath) throws UploadException {
    Location location = locate(remotePath);
    Optional<KoofrApi.FileInfo> found = api.info(mountId(), location.file());
    if (found.isEmpty()) {
      return new RemoteState.Absent();
    }
    if (found.get().folder()) {
      throw permanent(location.file() + " is a folder on Koofr");
    }
    return new RemoteState.Complete(found.get().size(), Optional.empty(), found.get().md5());
  }

  /** Koofr's files/get of the file. */
  @Override
  public Optional<InputStream> openRead(String remotePath) throws UploadException {
    return Optional.of(api.download(mountId(), locate(remotePath).file()));
  }

  @Override
  public UploadSession open(String remotePath, long size) throws UploadException {
    return open(remotePath, size, false);
  }

  /**
   * The old file is removed once the part is verified and just before the part moves onto its
   * name: Koofr's move never replaces. An interruption in between leaves the new file's part, which
   * the next attempt uploads again and publishes.
   */
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
    String key = location.partPath().toLowerCase(Locale.ROOT);
    if (!uploading.add(key)) {
      throw new UploadException(new UploadError.Transient(location.file() + " is being uploaded by another session"));
    }
    try {
      mountId();
      Spool spool = new Spool(settings.spoolDir(), "koofr");
      return new KoofrSession(this, location, size, replace, spool, () -> uploading.remove(key));
    } catch (UploadException | RuntimeException e) {
      uploading.remove(key);
      throw e;
    }
  }

  /** Removes the part, which a kill between its upload and its move leaves; the file stays. */
  @Override
  public void discard(String remotePath, Optional<String> resumeToken) throws UploadException {
    Location location = locate(remotePath);
    if (uploading.contains(location.partPath().toLowerCase(Locale.ROOT))) {
      throw new UploadException(new UploadError.Transient(location.file() + " is being uploaded by another session"));
    }
    Optional<KoofrApi.FileInfo> part = api.info(mountId(), location.partPath());
    if (part.isPresent() && !part.get().folder()) {
      api.remove(mountId(), location.partPath());
    }
  }

  @Override
  public void check() throws UploadException {
    Spool.sweepOnce(settings.spoolDir());
    String rootPath = KoofrPath.absolute(root);
    Optional<KoofrApi.FileInfo> found = api.info(mountId(), rootPath);
    if (found.isPresent() && !found.get().folder()) {
      throw permanent("the target folder " + rootPath + " is a file on Koofr");
    }
    if (found.isPresent()) {
      knownFolders.add(rootPath.toLowerCase(Locale.ROOT));
    } else {
      makeFolders(rootFolders());
    }
  }

  // ---- what sessions use ----

  /** The MD5 of the file at {@code path}, read back whole: for a mount that keeps none. */
  String md5Of(String path) throws UploadException {
    MessageDigest md5 = Md5.newDigest();
    try (InputStream in = api.download(mountId(), path)) {
      byte[] buffer = new byte[64 * 1024];
      for (int read; (read = in.read(buffer)) >= 0; ) {
        md5.update(buffer, 0, read);
      }
    } catch (IOException e) {
      throw new UploadException(
          new UploadError.Transient("Koofr files/get " + path + ": reading it back failed: " + e.getMessage()));
    }
    return HexFormat.of().formatHex(md5.digest());
  }

  Optional<KoofrApi.FileInfo> info(String path) throws UploadException {
    return api.info(mountId(), path);
  }

  KoofrApi.FileInfo putPart(Location location, Spool spool) throws UploadException {
    makeFolders(location.folders());
    try {
      return api.put(mountId(), location.folder(), location.part(), spool);
    } catch (UploadException e) {
      // The folder may have been removed on Koofr since it was made: make it again next time.
      location.folders().forEach(folder -> knownFolders.remove(folder.toLowerCase(Locale.ROOT)));
      throw e;
    }
  }

  boolean movePartIntoPlace(Location location) throws UploadException {
    return api.move(mountId(), location.partPath(), location.file());
  }

  /** Removes the file under {@code location}'s final name, for an upload that replaces it. */
  void removeFile(Location location) throws UploadException {
    api.remove(mountId(), location.file());
  }

  /** Removes the part; a failure only leaves a hidden file that the next upload replaces. */
  void removePartQuietly(Location location) {
    try {
      api.remove(mountId(), location.partPath());
    } catch (UploadException e) {
      // The next upload of this path overwrites the part.
    }
  }

  // ---- mount and folders ----

  private String mountId() throws UploadException {
    String known = mountId;
    if (known != null) {
      return known;
    }
    synchronized (this) {
      if (mountId == null) {
        mountId = resolve(api.mounts());
      }
      return mountId;
    }
  }

  private String resolve(List<KoofrApi.Mount> mounts) throws UploadException {
    for (KoofrApi.Mount candidate : mounts) {
      if (candidate.id().equals(mount)) {
        return candidate.id();
      }
    }
    List<KoofrApi.Mount> named = mounts.stream().filter(m -> m.name().equals(mount)).toList();
    if (named.isEmpty()) {
      named = mounts.stream().filter(m -> m.name().equalsIgnoreCase(mount)).toList();
    }
    if (named.size() == 1) {
      return named.get(0).id();
    }
    String listed =
        mounts.stream().map(m -> "\"" + m.name() + "\" (id " + m.id() + ")").collect(Collectors.joining(", "));
    if (named.isEmpty()) {
      throw permanent(
          "no mount \"" + mount + "\" on this Koofr account; it has " + (mounts.isEmpty() ? "none" : listed));
    }
    throw permanent("several Koofr mounts are named \"" + mount + "\"; name one by its id: " + listed);
  }

  /** Makes each folder of {@code folders} (parents first) that does not exist yet. */
  private void makeFolders(List<String> folders) throws UploadException {
    for (String folder : folders) {
      String key = folder.toLowerCase(Locale.ROOT);
      if (knownFolders.contains(key)) {
        continue;
      }
      Optional<KoofrApi.FileInfo> found = api.info(mountId(), folder);
      if (found.isEmpty()) {
        int slash = folder.lastIndexOf('/');
        String parent = slash == 0 ? "/" : folder.substring(0, slash);
        if (!api.createFolder(mountId(), parent, folder.substring(slash + 1))) {
          // Refused: most likely made meanwhile by another upload; look again.
          found = api.info(mountId(), folder);
          if (found.isEmpty()) {
            throw permanent("Koofr refused to create the folder " + folder);
          }
        }
      }
      if (found.isPresent() && !found.get().folder()) {
        throw permanent("cannot make the folder " + folder + ": a file has that name on Koofr");
      }
      knownFolders.add(key);
    }
  }

  private List<String> rootFolders() {
    List<String> folders = new ArrayList<>();
    for (int i = 1; i <= root.size(); i++) {
      folders.add(KoofrPath.absolute(root.subList(0, i)));
    }
    return folders;
  }

  private Location locate(String remotePath) throws UploadException {
    List<String> segments =
        KoofrPath.segments(remotePath)
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
          "invalid remote path \"" + remotePath + "\": names ending in " + PART_SUFFIX + " are reserved for uploads");
    }
    List<String> folders = rootFolders();
    List<String> walked = new ArrayList<>(root);
    for (String parent : segments.subList(0, segments.size() - 1)) {
      walked.add(parent);
      folders.add(KoofrPath.absolute(walked));
    }
    List<String> file = new ArrayList<>(root);
    file.addAll(segments);
    return new Location(
        String.join("/", segments),
        KoofrPath.absolute(file),
        KoofrPath.absolute(walked),
        name,
        "." + name + PART_SUFFIX,
        List.copyOf(folders));
  }

  static UploadException permanent(String message) {
    return new UploadException(new UploadError.Permanent(message));
  }
}
