package dev.autoupload.targets.local;

import dev.autoupload.engine.upload.NameRules;
import dev.autoupload.engine.upload.RemoteState;
import dev.autoupload.engine.upload.UploadError;
import dev.autoupload.engine.upload.UploadException;
import dev.autoupload.engine.upload.UploadSession;
import dev.autoupload.engine.upload.UploadTarget;
import dev.autoupload.targets.TargetSettings.NameRulesSetting;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.text.Normalizer;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An {@link UploadTarget} that stores files in a folder of a local or mounted filesystem.
 *
 * <p>Remote paths are '/'-separated and relative; they are stored in Unicode NFC and confined
 * under the root: no empty, {@code .} or {@code ..} segment, no backslash, and no symbolic link
 * that leads out of the root. An upload in progress lives beside its final name as {@code
 * .<name>.autoupload-part}; it gets the final name only after its size and sha256 were verified,
 * and never replaces a file that is already there.
 *
 * <p>On FAT, exFAT, NTFS and SMB storage, and on Windows, the layout gives it only names Windows
 * takes (see {@link #nameRules()}).
 *
 * <p>Safe for concurrent use on different remote paths. A second session on a path that already
 * has one open, in this process or another, is refused with a {@link UploadError.Transient} error.
 */
public final class LocalFolderTarget implements UploadTarget {

  private static final String PART_SUFFIX = ".autoupload-part";
  private static final String WRITE_CHECK_PREFIX = ".autoupload-write-check-";

  /**
   * File systems, as {@link java.nio.file.FileStore#type()} names them on Linux and macOS, that take
   * only names Windows takes, or whose files are read on Windows: FAT, exFAT, NTFS (fuseblk is
   * mostly ntfs-3g or exfat-fuse) and SMB shares.
   */
  private static final Set<String> WINDOWS_FILE_SYSTEMS =
      Set.of("vfat", "msdos", "exfat", "ntfs", "ntfs3", "fuseblk", "cifs", "smb3", "smbfs");

  /**
   * The part files this JVM is writing, shared by all instances: besides keeping two sessions off
   * one file, it spares a second channel whose closing would drop the first one's OS lock.
   */
  private static final Set<Path> UPLOADING = ConcurrentHashMap.newKeySet();

  private final Path root;
  private final NameRules nameRules;

  /**
   * A target storing files below {@code root}, which {@link #open} creates when missing. Names are
   * escaped for Windows as {@link NameRulesSetting#AUTO} decides.
   *
   * @param root the folder; a relative one is taken from the working directory now
   */
  public LocalFolderTarget(Path root) {
    this(root, NameRulesSetting.AUTO);
  }

  /**
   * As {@link #LocalFolderTarget(Path)}, escaping names for Windows as {@code nameRules} says: with
   * {@code AUTO}, on Windows and when the file system that holds, or will hold, the root is one of
   * Windows' (see {@link #isWindowsFileSystem}).
   *
   * @param root the folder; a relative one is taken from the working directory now
   * @param nameRules whether names are escaped for Windows as well
   */
  public LocalFolderTarget(Path root, NameRulesSetting nameRules) {
    this.root = root.toAbsolutePath().normalize();
    this.nameRules =
        nameRules.apply(NameRules.POSIX, onWindowsStorage(this.root)).reserving(1 + PART_SUFFIX.length());
  }

  /** Where one remote path lives on disk. */
  record Location(String remotePath, Path file, Path part) {}

  @Override
  public String describe() {
    return root.toString();
  }

  /**
   * The folder files go to.
   *
   * @return the root, absolute and normalized
   */
  public Path root() {
    return root;
  }

  /** Found when the target was made; room is left for the part name beside each file. */
  @Override
  public NameRules nameRules() {
    return nameRules;
  }

  /** Whether a file system of {@code type}, as {@link java.nio.file.FileStore#type()} says, is Windows'. */
  static boolean isWindowsFileSystem(String type) {
    return WINDOWS_FILE_SYSTEMS.contains(type.toLowerCase(Locale.ROOT));
  }

  private static boolean onWindowsStorage(Path root) {
    if (File.separatorChar == '\\') {
      return true;
    }
    Path existing = root;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    try {
      return existing != null && isWindowsFileSystem(Files.getFileStore(existing).type());
    } catch (IOException e) {
      // Unknown storage keeps the names every target takes; a refused one fails its upload alone.
      return false;
    }
  }

  @Override
  public RemoteState probe(String remotePath) throws UploadException {
    Location location = locate(remotePath);
    Optional<BasicFileAttributes> file = attributes(location, location.file());
    if (file.isPresent()) {
      try {
        // A crash after publishing may have left the part behind, linked to the file: the
        // upload is done, and the engine will not open a session that would clear it.
        discardPartLinkedToFile(location);
        FileDigest.Digest digest = FileDigest.of(location.file());
        return new RemoteState.Complete(digest.size(), Optional.of(digest.hex()));
      } catch (IOException e) {
        throw FileErrors.reading(location.file(), e);
      }
    }
    return attributes(location, location.part())
        .<RemoteState>map(part -> new RemoteState.Partial(part.size()))
        .orElseGet(RemoteState.Absent::new);
  }

  /** The file itself, never what a link there points to. */
  @Override
  public Optional<InputStream> openRead(String remotePath) throws UploadException {
    Location location = locate(remotePath);
    if (attributes(location, location.file()).isEmpty()) {
      throw permanent(location.remotePath() + " is not in " + root);
    }
    try {
      return Optional.of(Files.newInputStream(location.file(), LinkOption.NOFOLLOW_LINKS));
    } catch (IOException e) {
      throw FileErrors.reading(location.file(), e);
    }
  }

  @Override
  public UploadSession open(String remotePath, long size) throws UploadException {
    return open(remotePath, size, false);
  }

  /** The file under {@code remotePath} is replaced by an atomic rename once the part is verified. */
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
    Path folder = location.file().getParent();
    try {
      Files.createDirectories(folder);
    } catch (FileAlreadyExistsException e) {
      throw permanent("cannot create folder " + folder + ": " + e.getFile() + " is not a folder");
    } catch (IOException e) {
      throw FileErrors.writing(folder, e);
    }
    // Checked again now that the folders exist: one of them may have been swapped for a link.
    requireInsideRoot(location, folder);
    // Refuses a part name taken by a folder or a link before opening it.
    attributes(location, location.part());

    if (!UPLOADING.add(location.part())) {
      throw busy(location, "another session");
    }
    FileChannel channel = null;
    try {
      discardPartLinkedToFile(location);
      channel =
          FileChannel.open(
              location.part(),
              StandardOpenOption.CREATE,
              StandardOpenOption.READ,
              StandardOpenOption.WRITE,
              LinkOption.NOFOLLOW_LINKS);
      lockAgainstOtherProcesses(channel, location);
      if (channel.size() > size) {
        channel.truncate(0);
      }
      return new LocalFolderSession(
          location, size, channel, replace, () -> UPLOADING.remove(location.part()));
    } catch (IOException e) {
      closeQuietly(channel);
      UPLOADING.remove(location.part());
      throw FileErrors.writing(location.part(), e);
    } catch (UploadException | RuntimeException e) {
      closeQuietly(channel);
      UPLOADING.remove(location.part());
      throw e;
    }
  }

  /** Deletes the part file; the file under the name stays. */
  @Override
  public void discard(String remotePath, Optional<String> resumeToken) throws UploadException {
    Location location = locate(remotePath);
    if (UPLOADING.contains(location.part())) {
      throw busy(location, "another session");
    }
    // Refuses a part name taken by a folder or a link: not ours to delete.
    if (attributes(location, location.part()).isEmpty()) {
      return;
    }
    try {
      Files.deleteIfExists(location.part());
    } catch (IOException e) {
      throw FileErrors.writing(location.part(), e);
    }
  }

  @Override
  public void check() throws UploadException {
    if (Files.exists(root) && !Files.isDirectory(root)) {
      throw permanent("target " + root + " is not a directory");
    }
    try {
      Files.createDirectories(root);
    } catch (IOException e) {
      throw permanent("target folder " + root + " cannot be created: " + whyNotCreatable(e));
    }
    Path probe = root.resolve(WRITE_CHECK_PREFIX + UUID.randomUUID());
    try {
      Files.createFile(probe);
      Files.delete(probe);
    } catch (IOException e) {
      deleteQuietly(probe);
      String message = "target folder " + root + " is not writable: " + FileErrors.reason(e);
      throw new UploadException(
          FileErrors.isOutOfSpace(e)
              ? new UploadError.QuotaExceeded(message)
              : new UploadError.Permanent(message),
          e);
    }
  }

  private Location locate(String remotePath) throws UploadException {
    if (remotePath == null || remotePath.isEmpty()) {
      throw invalid("", "it is empty");
    }
    String path = Normalizer.normalize(remotePath, Normalizer.Form.NFC);
    if (path.startsWith("/")) {
      throw invalid(remotePath, "it is absolute");
    }
    if (path.indexOf('\\') >= 0) {
      throw invalid(remotePath, "it contains a backslash");
    }
    if (path.indexOf('\0') >= 0) {
      throw invalid(remotePath, "it contains a NUL character");
    }
    Path file = root;
    try {
      for (String segment : path.split("/", -1)) {
        if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
          throw invalid(remotePath, "it has an empty, \".\" or \"..\" segment");
        }
        file = file.resolve(segment);
      }
    } catch (InvalidPathException e) {
      throw invalid(
          remotePath,
          "the system's file name encoding ("
              + System.getProperty("sun.jnu.encoding")
              + ") cannot represent it; run Autoupload with a UTF-8 locale");
    }
    String name = file.getFileName().toString();
    if (name.endsWith(PART_SUFFIX)) {
      throw invalid(remotePath, "names ending in " + PART_SUFFIX + " are reserved for uploads");
    }
    if (!file.normalize().startsWith(root)) {
      throw invalid(remotePath, "it leads outside " + root);
    }
    Location location = new Location(path, file, file.resolveSibling("." + name + PART_SUFFIX));
    requireInsideRoot(location, nearestExisting(file.getParent()));
    return location;
  }

  /** Confines {@code folder}, links resolved, under the root. */
  private void requireInsideRoot(Location location, Path folder) throws UploadException {
    if (!folder.startsWith(root)) {
      // The root itself is missing, so nothing below it can be a link.
      return;
    }
    try {
      if (!folder.toRealPath().startsWith(root.toRealPath())) {
        throw invalid(location.remotePath(), "a symbolic link leads outside " + root);
      }
    } catch (IOException e) {
      throw FileErrors.reading(folder, e);
    }
  }

  private Path nearestExisting(Path folder) {
    Path existing = folder;
    while (existing.startsWith(root) && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    return existing;
  }

  /** The attributes of the file itself (not a link's target); empty when nothing is there. */
  private static Optional<BasicFileAttributes> attributes(Location location, Path path)
      throws UploadException {
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw FileErrors.reading(path, e);
    }
    if (!attributes.isRegularFile()) {
      throw permanent(
          "cannot use "
              + location.remotePath()
              + ": "
              + path
              + " exists and is not a regular file");
    }
    return Optional.of(attributes);
  }

  /**
   * A crash between publishing and removing the part leaves one file under both names; writing to
   * the part then would change the published file.
   */
  private static void discardPartLinkedToFile(Location location) throws IOException {
    if (Files.exists(location.file(), LinkOption.NOFOLLOW_LINKS)
        && Files.exists(location.part(), LinkOption.NOFOLLOW_LINKS)
        && Files.isSameFile(location.file(), location.part())) {
      Files.delete(location.part());
    }
  }

  private static void lockAgainstOtherProcesses(FileChannel channel, Location location)
      throws UploadException {
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    } catch (IOException e) {
      // Some network filesystems have no locks; then only this process is kept out.
      return;
    }
    if (lock == null) {
      throw busy(location, "another process");
    }
  }

  private static UploadException busy(Location location, String who) {
    return new UploadException(
        new UploadError.Transient(location.remotePath() + " is being uploaded by " + who));
  }

  private String whyNotCreatable(IOException e) {
    if (e instanceof FileAlreadyExistsException exists) {
      return exists.getFile() + " exists and is not a directory";
    }
    Path existing = root;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing != null && !Files.isDirectory(existing)) {
      return existing + " is not a directory";
    }
    return FileErrors.reason(e);
  }

  private static void deleteQuietly(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException ignored) {
      // The failure that led here is the one worth reporting.
    }
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel == null) {
      return;
    }
    try {
      channel.close();
    } catch (IOException ignored) {
      // Nothing was written through this channel yet.
    }
  }

  private static UploadException invalid(String remotePath, String why) {
    return permanent("invalid remote path \"" + remotePath.replace("\0", "\\0") + "\": " + why);
  }

  private static UploadException permanent(String message) {
    return new UploadException(new UploadError.Permanent(message));
  }
}
