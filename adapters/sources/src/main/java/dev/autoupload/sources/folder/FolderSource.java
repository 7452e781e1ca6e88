package dev.autoupload.sources.folder;

import dev.autoupload.engine.library.Asset;
import dev.autoupload.engine.library.AssetSource;
import dev.autoupload.sources.media.CreationDates;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.Normalizer;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link AssetSource} that offers every regular file below a folder of a local or mounted
 * filesystem.
 *
 * <p>Hidden files and folders (name starting with '.') and Autoupload's own partial uploads
 * ({@code *.autoupload-part}) are left out; symbolic links are not followed, so a link loop cannot
 * trap the scan. Relative paths are '/'-separated and in Unicode NFC, and an asset's id is derived
 * from that path alone, so it is the same on every scan and after every restart. Folders that
 * cannot be read are skipped with a warning; files that cannot be read are still listed, and
 * {@link #open} says why they fail.
 */
public final class FolderSource implements AssetSource {

  private static final Logger log = LoggerFactory.getLogger(FolderSource.class);

  private static final int BATCH_SIZE = 1000;
  private static final String PART_SUFFIX = ".autoupload-part";

  /**
   * Sorts by the name as reported; among names that differ only in their Unicode form, the one
   * already in NFC first, which is also the one {@link #open} finds first.
   */
  private static final Comparator<Entry> ORDER =
      Comparator.comparing(Entry::name)
          .thenComparing(entry -> !entry.rawName().equals(entry.name()))
          .thenComparing(Entry::rawName);

  private final String libraryId;
  private final Path root;
  private final CreationDates creationDates = new CreationDates(ZoneId.systemDefault());

  /** A source for library {@code libraryId} reading the folder tree below {@code root}. */
  public FolderSource(String libraryId, Path root) {
    this.libraryId = Objects.requireNonNull(libraryId, "libraryId");
    this.root = root.toAbsolutePath().normalize();
  }

  /** A folder still to be listed, and its path relative to the root ("" for the root). */
  private record Folder(Path path, String relativePath) {}

  /** A listed child: its name on disk, that name in NFC, and its own (not a link's) attributes. */
  private record Entry(Path path, String rawName, String name, BasicFileAttributes attributes) {}

  @Override
  public String describe() {
    return root.toString();
  }

  /**
   * {@inheritDoc}
   *
   * <p>Assets arrive in batches of at most 1000, in the same order on every scan of an unchanged
   * tree: sorted by name within a folder, a folder's files before its sub-folders.
   */
  @Override
  public void scan(Consumer<List<Asset>> batches) throws IOException {
    requireReadableFolder();
    List<Asset> batch = new ArrayList<>(BATCH_SIZE);
    // Folder by folder with sorted names, as Files.walkFileTree visits in the filesystem's own
    // order; and with an explicit stack, so that a deep tree cannot overflow the thread's stack.
    Deque<Folder> pending = new ArrayDeque<>();
    pending.push(new Folder(root, ""));
    while (!pending.isEmpty()) {
      Folder folder = pending.pop();
      List<Entry> entries;
      try {
        entries = list(folder);
      } catch (IOException e) {
        if (folder.path().equals(root)) {
          throw new IOException("source folder " + root + " is not readable: " + reason(e), e);
        }
        log.warn("skipping folder {} of {}: {}", folder.relativePath(), root, reason(e));
        continue;
      }
      List<Folder> subFolders = new ArrayList<>();
      for (Entry entry : entries) {
        String relativePath = join(folder.relativePath(), entry.name());
        if (entry.attributes().isDirectory()) {
          subFolders.add(new Folder(entry.path(), relativePath));
        } else if (entry.attributes().isRegularFile()) {
          batch.add(asset(relativePath, entry.path(), entry.attributes()));
          if (batch.size() == BATCH_SIZE) {
            batches.accept(List.copyOf(batch));
            batch.clear();
          }
        }
      }
      for (int i = subFolders.size() - 1; i >= 0; i--) {
        pending.push(subFolders.get(i));
      }
    }
    if (!batch.isEmpty()) {
      batches.accept(List.copyOf(batch));
    }
  }

  /**
   * {@inheritDoc}
   *
   * @throws NoSuchFileException "{@code <relative path>} no longer exists" when the file is gone
   * @throws AccessDeniedException "cannot read {@code <relative path>}: permission denied"
   */
  @Override
  public InputStream open(Asset asset) throws IOException {
    String relativePath = asset.relativePath();
    BasicFileAttributes attributes;
    Path file;
    try {
      file = locate(relativePath);
      attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      throw readFailure(relativePath, e);
    }
    if (!attributes.isRegularFile()) {
      throw new IOException("cannot read " + relativePath + ": it is no longer a regular file");
    }
    try {
      return Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      throw readFailure(relativePath, e);
    }
  }

  private void requireReadableFolder() throws IOException {
    BasicFileAttributes attributes;
    try {
      // Follows a link: a root that links to a folder, like /sdcard, is the user's choice.
      attributes = Files.readAttributes(root, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(null, null, "source folder " + root + " does not exist");
    } catch (IOException e) {
      throw new IOException("source folder " + root + " is not readable: " + reason(e), e);
    }
    if (!attributes.isDirectory()) {
      throw new IOException("source " + root + " is not a folder");
    }
  }

  private List<Entry> list(Folder folder) throws IOException {
    List<Entry> entries = new ArrayList<>();
    try (DirectoryStream<Path> children = Files.newDirectoryStream(folder.path())) {
      for (Path child : children) {
        String rawName = child.getFileName().toString();
        if (rawName.startsWith(".") || rawName.endsWith(PART_SUFFIX)) {
          continue;
        }
        String relativePath = join(folder.relativePath(), rawName);
        if (!nameRoundTrips(folder.path(), rawName, child)) {
          log.warn(
              "skipping {} of {}: its name is not valid in the file name encoding {}; run with a"
                  + " UTF-8 locale",
              relativePath,
              root,
              System.getProperty("sun.jnu.encoding"));
          continue;
        }
        try {
          entries.add(
              new Entry(
                  child,
                  rawName,
                  Normalizer.normalize(rawName, Normalizer.Form.NFC),
                  Files.readAttributes(
                      child, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)));
        } catch (NoSuchFileException e) {
          log.debug("{} of {} vanished while scanning", relativePath, root);
        } catch (IOException e) {
          log.warn("skipping {} of {}: {}", relativePath, root, reason(e));
        }
      }
    } catch (DirectoryIteratorException e) {
      throw e.getCause();
    }
    entries.sort(ORDER);
    return withoutSameNameTwice(folder, entries);
  }

  /** Keeps one of the names that differ only in Unicode form, as they would share one id. */
  private List<Entry> withoutSameNameTwice(Folder folder, List<Entry> sorted) {
    List<Entry> unique = new ArrayList<>(sorted.size());
    for (Entry entry : sorted) {
      if (!unique.isEmpty() && unique.get(unique.size() - 1).name().equals(entry.name())) {
        log.warn(
            "skipping {} of {}: another name in that folder has the same letters in another"
                + " Unicode form",
            join(folder.relativePath(), entry.rawName()),
            root);
        continue;
      }
      unique.add(entry);
    }
    return unique;
  }

  /**
   * Whether the name read back from the directory leads to the same file, which fails when the
   * JVM's file name encoding cannot decode the bytes on disk.
   */
  private static boolean nameRoundTrips(Path folder, String rawName, Path child) {
    try {
      return folder.resolve(rawName).equals(child);
    } catch (InvalidPathException e) {
      return false;
    }
  }

  private Asset asset(String relativePath, Path file, BasicFileAttributes attributes) {
    Instant modifiedAt = attributes.lastModifiedTime().toInstant();
    Instant fileTime =
        CreationDates.fileTime(
            attributes.creationTime() == null ? null : attributes.creationTime().toInstant(), modifiedAt);
    CreationDates.CreationDate created = creationDates.of(file, fileTime);
    return new Asset(
        idOf(relativePath),
        libraryId,
        relativePath,
        attributes.size(),
        created.instant(),
        created.source(),
        modifiedAt,
        Optional.empty());
  }

  static String idOf(String relativePath) {
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256")
              .digest(("path:" + relativePath).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime must provide SHA-256", e);
    }
  }

  /**
   * The file a relative path names, confined under the root. Each segment is looked up as given
   * and, when missing, among the folder's names in another Unicode form, since a scan reports
   * names in NFC whatever form they have on disk.
   */
  private Path locate(String relativePath) throws IOException {
    Path path = root;
    for (String segment : relativePath.split("/", -1)) {
      if (segment.isEmpty()
          || segment.equals(".")
          || segment.equals("..")
          || segment.indexOf('\0') >= 0) {
        throw new IOException("not a path inside the source folder");
      }
      Path next;
      try {
        next = path.resolve(segment);
      } catch (InvalidPathException e) {
        throw new IOException("its name is not valid in this system's file name encoding", e);
      }
      path = Files.exists(next, LinkOption.NOFOLLOW_LINKS) ? next : inOtherForm(path, segment);
    }
    // A folder on the way may have been replaced by a link since the scan.
    if (!path.getParent().toRealPath().startsWith(root.toRealPath())) {
      throw new IOException("a symbolic link leads outside the source folder");
    }
    return path;
  }

  private static Path inOtherForm(Path folder, String name) throws IOException {
    Path match = null;
    try (DirectoryStream<Path> children = Files.newDirectoryStream(folder)) {
      for (Path child : children) {
        String rawName = child.getFileName().toString();
        boolean same = Normalizer.normalize(rawName, Normalizer.Form.NFC).equals(name);
        if (same && (match == null || rawName.compareTo(match.getFileName().toString()) < 0)) {
          match = child;
        }
      }
    } catch (DirectoryIteratorException e) {
      throw e.getCause();
    }
    if (match == null) {
      throw new NoSuchFileException(folder.resolve(name).toString());
    }
    return match;
  }

  private static IOException readFailure(String relativePath, IOException e) {
    IOException failure;
    if (e instanceof NoSuchFileException) {
      failure = new NoSuchFileException(null, null, relativePath + " no longer exists");
    } else if (e instanceof AccessDeniedException) {
      failure =
          new AccessDeniedException(
              null, null, "cannot read " + relativePath + ": permission denied");
    } else {
      failure = new IOException("cannot read " + relativePath + ": " + reason(e));
    }
    failure.initCause(e);
    return failure;
  }

  private static String reason(IOException e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof NoSuchFileException) {
      return "no such file or folder";
    }
    if (e instanceof NotDirectoryException) {
      return "a folder on the way is not a folder";
    }
    if (e instanceof FileSystemException fse && fse.getReason() != null) {
      return fse.getReason();
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }

  private static String join(String folder, String name) {
    return folder.isEmpty() ? name : folder + "/" + name;
  }
}
