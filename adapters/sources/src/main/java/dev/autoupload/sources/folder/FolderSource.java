package dev.autoupload.sources.folder;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.autoupload.engine.activity.LivePhotos;
import dev.autoupload.engine.library.Asset;
import dev.autoupload.engine.library.AssetSource;
import dev.autoupload.engine.library.CreationDateSource;
import dev.autoupload.engine.library.NotOffered;
import dev.autoupload.sources.media.CreationDates;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.Normalizer;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link AssetSource} that offers the photos and videos below a folder of a local or mounted
 * filesystem: the regular files whose extension {@link Settings#extensions()} lists, once they have
 * stopped changing ({@link Settings#stableFor()}), so a file still being copied or recorded is not
 * uploaded half-written.
 *
 * <p>Hidden files and folders (name starting with '.') and Autoupload's own partial uploads
 * ({@code *.autoupload-part}) are left out; symbolic links are not followed, so a link loop cannot
 * trap the scan. Relative paths are '/'-separated and in Unicode NFC (but for a name whose NFC
 * form another name in its folder has), with names that are not valid UTF-8 shown as {@link
 * FileNames} does, every byte kept; an asset's id is derived from that path alone, so it is the
 * same on every scan and after every restart. Folders that cannot be read are left out and the
 * scan, once through the rest, fails naming them; files that cannot be read are still listed, and
 * {@link #open} says why they fail. A file missing because the source folder itself went away
 * (deleted, unmounted, replaced) is not a file the user deleted: {@link #open} and {@link
 * #refresh} then fail saying so, instead of reporting the file gone.
 */
public final class FolderSource implements AssetSource {

  private static final Logger log = LoggerFactory.getLogger(FolderSource.class);

  private static final int BATCH_SIZE = 1000;
  private static final Duration SETTLE_GRANULARITY = Duration.ofMillis(50);
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
  private final Settings settings;
  private final CreationDates creationDates = new CreationDates(ZoneId.systemDefault());
  private final KnownCreationDates knownDates;
  /** The source folder's file key (device and inode) when it was last scanned or watched. */
  private volatile Optional<Object> scannedRoot = Optional.empty();
  /** What the last whole scan passed over for its extension. */
  private volatile NotOffered notOffered = NotOffered.NONE;

  /**
   * Which files a folder source offers and when.
   *
   * @param extensions lower-case extensions without the dot; {@code "*"} for every file
   * @param stableFor how long size and modification time must stay the same before a file is offered
   * @param maxStabilityWait how long one scan waits for files that keep changing
   * @param rescanInterval how often a watched folder is scanned even without a reported change
   * @param changeQuietPeriod how long a burst of changes must be quiet before the rescan it leads to
   */
  public record Settings(
      Set<String> extensions,
      Duration stableFor,
      Duration maxStabilityWait,
      Duration rescanInterval,
      Duration changeQuietPeriod) {

    /**
     * Checks the settings, so a wrong configuration fails when it is read rather than at the first
     * scan; the extensions are kept in lower case.
     *
     * @param extensions extensions without the dot, in any case; {@code "*"} for every file
     * @param stableFor how long size and modification time must stay the same
     * @param maxStabilityWait how long one scan waits for files that keep changing
     * @param rescanInterval how often a watched folder is scanned without a reported change
     * @param changeQuietPeriod how long a burst of changes must be quiet before a rescan
     * @throws IllegalArgumentException if there are no extensions, an extension is not 1 to 16
     *     letters or digits (nor {@code "*"}), {@code stableFor} or {@code maxStabilityWait} is
     *     negative, or {@code rescanInterval} or {@code changeQuietPeriod} is under 1 ms
     */
    public Settings {
      extensions = extensions.stream().map(e -> e.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
      if (extensions.isEmpty()) {
        throw new IllegalArgumentException("autoupload.source.folder.extensions is empty: nothing would be backed up");
      }
      for (String extension : extensions) {
        if (!extension.equals("*") && !extension.matches("[a-z0-9]{1,16}")) {
          throw new IllegalArgumentException(
              "autoupload.source.folder.extensions: \"" + extension + "\" is not an extension like jpg (no dot)");
        }
      }
      for (Duration d : List.of(stableFor, maxStabilityWait)) {
        if (d.isNegative()) {
          throw new IllegalArgumentException("autoupload.source.folder: durations must not be negative");
        }
      }
      if (rescanInterval.toMillis() < 1 || changeQuietPeriod.toMillis() < 1) {
        throw new IllegalArgumentException(
            "autoupload.source.folder: rescan-interval and change-quiet-period must be at least 1ms");
      }
    }

    /**
     * The settings of reference.conf.
     *
     * @return the defaults: what {@link FolderSource#FolderSource(String, Path)} uses
     */
    public static Settings defaults() {
      return fromConfig(ConfigFactory.defaultReference());
    }

    /**
     * Reads {@code autoupload.source.folder.*}.
     *
     * @param config the application's configuration, with reference.conf's defaults (as {@code
     *     ConfigFactory.load()} gives it)
     * @return the settings it gives
     * @throws com.typesafe.config.ConfigException if a setting is missing or of the wrong type
     * @throws IllegalArgumentException if a value is out of range (see {@link Settings})
     */
    public static Settings fromConfig(Config config) {
      Config c = config.getConfig("autoupload.source.folder");
      return new Settings(
          Set.copyOf(c.getStringList("extensions")),
          c.getDuration("stable-for"),
          c.getDuration("max-stability-wait"),
          c.getDuration("rescan-interval"),
          c.getDuration("change-quiet-period"));
    }

    /**
     * These settings with another {@link #stableFor()}; for tests.
     *
     * @param stableFor how long a file must stay unchanged before it is offered
     * @return a copy with that value
     */
    public Settings withStableFor(Duration stableFor) {
      return new Settings(extensions, stableFor, maxStabilityWait, rescanInterval, changeQuietPeriod);
    }

    /**
     * These settings with other {@link #extensions()}; for tests.
     *
     * @param extensions extensions without the dot, or {@code "*"} for every file
     * @return a copy with those extensions
     * @throws IllegalArgumentException if they are empty or one is not a plain extension
     */
    public Settings withExtensions(Set<String> extensions) {
      return new Settings(extensions, stableFor, maxStabilityWait, rescanInterval, changeQuietPeriod);
    }

    /** Whether a file of this name is a photo or video to back up. */
    boolean offers(String name) {
      if (extensions.contains("*")) {
        return true;
      }
      String extension = extensionOf(name);
      return !extension.isEmpty() && extensions.contains(extension);
    }

    /** The name's extension in lower case; {@code ""} when it has none (also for {@code "a."}). */
    static String extensionOf(String name) {
      int dot = name.lastIndexOf('.');
      return dot > 0 ? name.substring(dot + 1).toLowerCase(Locale.ROOT) : "";
    }
  }

  /**
   * A source for library {@code libraryId} reading the folder tree below {@code root}, with the
   * default settings ({@link Settings#defaults()}). Nothing is read until the engine scans.
   *
   * @param libraryId the id of the library this source belongs to, which its assets carry
   * @param root the folder to back up; made absolute
   */
  public FolderSource(String libraryId, Path root) {
    this(libraryId, root, Settings.defaults());
  }

  /**
   * A source for library {@code libraryId} reading the folder tree below {@code root}. Nothing is
   * read until the engine scans.
   *
   * @param libraryId the id of the library this source belongs to, which its assets carry
   * @param root the folder to back up; made absolute
   * @param settings which files are offered and when, e.g. {@link Settings#fromConfig(Config)}
   */
  public FolderSource(String libraryId, Path root, Settings settings) {
    this(libraryId, root, settings, new KnownCreationDates());
  }

  private FolderSource(String libraryId, Path root, Settings settings, KnownCreationDates knownDates) {
    this.libraryId = Objects.requireNonNull(libraryId, "libraryId");
    this.root = root.toAbsolutePath().normalize();
    this.settings = Objects.requireNonNull(settings, "settings");
    this.knownDates = knownDates;
  }

  /**
   * A source as {@link #FolderSource(String, Path, Settings)} that keeps the creation dates it
   * read from the files' metadata in {@code datesFile}, so that the first scan after a restart
   * reads only files new or changed since (for each path, a date is used only for the very
   * version of the file it was read from: size, modification time, and on Unix device, inode and
   * change time). The file is a cache, rewritten after a scan that read a date; losing it costs
   * one scan its reads.
   *
   * @param libraryId the id of the library this source belongs to, which its assets carry
   * @param root the folder to back up; made absolute
   * @param settings which files are offered and when
   * @param datesFile where the dates are kept, e.g. in the data dir; its folder must exist
   * @return the source, with the dates the file holds already read
   */
  public static FolderSource keepingDatesIn(String libraryId, Path root, Settings settings, Path datesFile) {
    return new FolderSource(libraryId, root, settings, KnownCreationDates.in(datesFile));
  }

  /**
   * The settings this source was made with.
   *
   * @return its settings
   */
  public Settings settings() {
    return settings;
  }

  /**
   * {@inheritDoc}
   *
   * <p>A folder's files that are not in {@link Settings#extensions()}, as the last scan that went
   * through the whole tree found them.
   */
  @Override
  public NotOffered notOffered() {
    return notOffered;
  }

  /** A folder still to be listed, and its path relative to the root ("" for the root). */
  private record Folder(Path path, String relativePath) {}

  /**
   * A listed child: its name as {@link FileNames} shows the bytes on disk, that name in NFC, and
   * its own (not a link's) attributes.
   */
  private record Entry(Path path, String rawName, String name, BasicFileAttributes attributes) {}

  @Override
  public String describe() {
    return root.toString();
  }

  /**
   * {@inheritDoc}
   *
   * <p>Assets arrive in batches of at most 1000, in the same order on every scan of an unchanged
   * tree: sorted by name within a folder, a folder's files before its sub-folders. Files that
   * changed within {@code stable-for} come last, each once it has settled.
   */
  @Override
  public void scan(Consumer<List<Asset>> batches) throws IOException {
    requireReadableFolder();
    Batches batch = new Batches(batches);
    List<Unsettled> unsettled = new ArrayList<>();
    List<String> unreadable = new ArrayList<>();
    Set<String> offered = new HashSet<>();
    SortedMap<String, Integer> passedOver = new TreeMap<>();
    int passedOverFiles = 0;
    // Folder by folder with sorted names, as Files.walkFileTree visits in the filesystem's own
    // order; and with an explicit stack, so that a deep tree cannot overflow the thread's stack.
    Deque<Folder> pending = new ArrayDeque<>();
    pending.push(new Folder(root, ""));
    while (!pending.isEmpty()) {
      Folder folder = pending.pop();
      List<Entry> entries;
      try {
        entries = list(folder, unreadable);
      } catch (IOException e) {
        if (folder.path().equals(root)) {
          throw new IOException("source folder " + root + " is not readable: " + reason(e), e);
        }
        unreadable.add("folder " + folder.relativePath() + ": " + reason(e));
        continue;
      }
      List<Folder> subFolders = new ArrayList<>();
      for (Entry entry : entries) {
        String relativePath = join(folder.relativePath(), entry.name());
        if (entry.attributes().isDirectory()) {
          subFolders.add(new Folder(entry.path(), relativePath));
        } else if (entry.attributes().isRegularFile() && settings.offers(entry.name())) {
          offered.add(relativePath);
          Instant now = Instant.now();
          if (Unsettled.settled(entry.attributes(), now, settings.stableFor())) {
            batch.add(asset(relativePath, entry.path(), entry.attributes()));
          } else {
            unsettled.add(new Unsettled(relativePath, entry.path(), entry.attributes(), now));
          }
        } else if (entry.attributes().isRegularFile()) {
          passedOverFiles++;
          String extension = Settings.extensionOf(entry.name());
          if (passedOver.size() < NotOffered.MOST_EXTENSIONS || passedOver.containsKey(extension)) {
            passedOver.merge(extension, 1, Integer::sum);
          }
        }
      }
      for (int i = subFolders.size() - 1; i >= 0; i--) {
        pending.push(subFolders.get(i));
      }
    }
    knownDates.retainOnly(offered);
    notOffered = new NotOffered(passedOverFiles, passedOver);
    batch.flush();
    awaitSettled(unsettled, batch);
    batch.flush();
    knownDates.save();
    if (!unreadable.isEmpty()) {
      // After the rest went out: what is left out must not pass for backed up.
      throw new IOException(
          "cannot read " + unreadable.get(0)
              + (unreadable.size() > 1 ? " (and " + (unreadable.size() - 1) + " more)" : "")
              + "; everything else was scanned");
    }
  }

  /** Hands assets over in batches of at most {@value #BATCH_SIZE}. */
  private static final class Batches {
    private final Consumer<List<Asset>> consumer;
    private final List<Asset> batch = new ArrayList<>(BATCH_SIZE);

    Batches(Consumer<List<Asset>> consumer) {
      this.consumer = consumer;
    }

    void add(Asset asset) {
      batch.add(asset);
      if (batch.size() == BATCH_SIZE) {
        flush();
      }
    }

    void flush() {
      if (!batch.isEmpty()) {
        consumer.accept(List.copyOf(batch));
        batch.clear();
      }
    }
  }

  /** A file that changed recently, with when it was last seen changing. */
  private static final class Unsettled {
    final String relativePath;
    final Path path;
    BasicFileAttributes attributes;
    Instant lastChange;

    Unsettled(String relativePath, Path path, BasicFileAttributes attributes, Instant seenAt) {
      this.relativePath = relativePath;
      this.path = path;
      this.attributes = attributes;
      Instant modified = attributes.lastModifiedTime().toInstant();
      // A modification time in the future (a clock ahead on a network mount) proves nothing.
      this.lastChange = modified.isAfter(seenAt) ? seenAt : modified;
    }

    /** Whether a file last modified as {@code attributes} say has been left alone long enough. */
    static boolean settled(BasicFileAttributes attributes, Instant now, Duration stableFor) {
      Instant modified = attributes.lastModifiedTime().toInstant();
      return !modified.isAfter(now) && !modified.plus(stableFor).isAfter(now);
    }

    Instant settlesAt(Duration stableFor) {
      return lastChange.plus(stableFor);
    }
  }

  /**
   * Waits until each recently changed file has kept its size and modification time for {@code
   * stable-for}, offering each as it settles; files still changing after {@code
   * max-stability-wait} are left for the next scan, files that vanish are dropped.
   */
  private void awaitSettled(List<Unsettled> unsettled, Batches batch) throws IOException {
    Instant deadline = Instant.now().plus(settings.maxStabilityWait());
    PriorityQueue<Unsettled> byDue =
        new PriorityQueue<>(Comparator.comparing((Unsettled u) -> u.settlesAt(settings.stableFor())));
    byDue.addAll(unsettled);
    while (!byDue.isEmpty()) {
      Instant due = byDue.peek().settlesAt(settings.stableFor());
      if (due.isAfter(deadline)) {
        for (Unsettled file : byDue) {
          log.warn("{} of {} is still changing; it is left for the next scan", file.relativePath, root);
        }
        return;
      }
      // A little later than due, so one wake-up settles a whole burst of files written together.
      waitUntil(due.plus(SETTLE_GRANULARITY));
      Instant now = Instant.now();
      List<Unsettled> changed = new ArrayList<>();
      while (!byDue.isEmpty() && !byDue.peek().settlesAt(settings.stableFor()).isAfter(now)) {
        Unsettled file = byDue.poll();
        BasicFileAttributes current;
        try {
          current = Files.readAttributes(file.path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
          log.debug("{} of {} vanished before it settled", file.relativePath, root);
          continue;
        }
        if (current.size() == file.attributes.size()
            && current.lastModifiedTime().equals(file.attributes.lastModifiedTime())) {
          batch.add(asset(file.relativePath, file.path, current));
        } else {
          file.attributes = current;
          file.lastChange = now;
          changed.add(file);
        }
      }
      byDue.addAll(changed);
      batch.flush();
    }
  }

  private static void waitUntil(Instant when) throws IOException {
    long millis = Duration.between(Instant.now(), when).toMillis();
    if (millis <= 0) {
      return;
    }
    try {
      // Waiting for time to pass is the point here: a file is stable only after a while.
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while waiting for files to settle");
    }
  }

  /**
   * {@inheritDoc}
   *
   * @throws NoSuchFileException "{@code <relative path>} no longer exists" when the file is gone
   * @throws AccessDeniedException "cannot read {@code <relative path>}: permission denied"
   * @throws IOException "cannot read {@code <relative path>}: the source folder … no longer exists"
   *     (or is no longer the folder scanned) when the file went with its whole source folder
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

  @Override
  public Optional<Asset> refresh(Asset asset) throws IOException {
    BasicFileAttributes attributes;
    Path file;
    try {
      file = locate(asset.relativePath());
      attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      Optional<String> rootProblem = rootProblem();
      if (rootProblem.isPresent()) {
        throw new IOException("cannot read " + asset.relativePath() + ": " + rootProblem.get(), e);
      }
      return Optional.empty();
    } catch (IOException e) {
      throw readFailure(asset.relativePath(), e);
    }
    if (!attributes.isRegularFile()) {
      return Optional.empty();
    }
    return Optional.of(
        new Asset(
            asset.id(),
            asset.libraryId(),
            asset.relativePath(),
            attributes.size(),
            asset.createdAt(),
            asset.createdAtSource(),
            attributes.lastModifiedTime().toInstant(),
            changeStamp(file),
            asset.contentHash()));
  }

  @Override
  public Optional<Path> localFile(Asset asset) throws IOException {
    try {
      return Optional.of(locate(asset.relativePath()));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>Through the OS's file notifications for every folder of the tree (new folders included),
   * once changes have been quiet for {@code change-quiet-period}; and every {@code
   * rescan-interval} regardless.
   */
  @Override
  public AutoCloseable watch(Runnable changed) throws IOException {
    requireReadableFolder();
    return FolderWatch.start(root, changed, settings.changeQuietPeriod(), settings.rescanInterval());
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
    scannedRoot = Optional.ofNullable(attributes.fileKey());
  }

  /**
   * Why the source folder is no longer the one scanned, if it is not: deleted, no longer a folder,
   * or another folder in its place (a drive unmounted leaves its empty mount point behind).
   */
  private Optional<String> rootProblem() {
    BasicFileAttributes now;
    try {
      now = Files.readAttributes(root, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      return Optional.of("the source folder " + root + " no longer exists");
    } catch (IOException e) {
      return Optional.of("the source folder " + root + " is not readable: " + reason(e));
    }
    if (!now.isDirectory()) {
      return Optional.of("the source folder " + root + " is no longer a folder");
    }
    if (scannedRoot.isPresent() && !scannedRoot.get().equals(now.fileKey())) {
      return Optional.of("the source folder " + root + " is no longer the folder scanned (unmounted or replaced)");
    }
    return Optional.empty();
  }

  /** The folder's entries; those whose attributes cannot be read go to {@code unreadable}, with why. */
  private List<Entry> list(Folder folder, List<String> unreadable) throws IOException {
    List<Entry> entries = new ArrayList<>();
    try (DirectoryStream<Path> children = Files.newDirectoryStream(folder.path())) {
      for (Path child : children) {
        String rawName = FileNames.nameOf(child);
        if (rawName.startsWith(".") || rawName.endsWith(PART_SUFFIX)) {
          continue;
        }
        String relativePath = join(folder.relativePath(), rawName);
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
          unreadable.add(relativePath + ": " + reason(e));
        }
      }
    } catch (DirectoryIteratorException e) {
      throw e.getCause();
    }
    entries.sort(ORDER);
    return withTwinsUnderTheirOwnNames(entries);
  }

  /**
   * Names that differ only in Unicode form would share one path in NFC, and so one id: the first
   * (the one in NFC, if any) takes it, and each other keeps its name as it is on disk, so that
   * every file is backed up. Their remote names are the same NFC name: the target keeps both.
   */
  private static List<Entry> withTwinsUnderTheirOwnNames(List<Entry> sorted) {
    List<Entry> entries = new ArrayList<>(sorted.size());
    for (int i = 0; i < sorted.size(); i++) {
      Entry entry = sorted.get(i);
      boolean twin = i > 0 && sorted.get(i - 1).name().equals(entry.name());
      entries.add(twin ? new Entry(entry.path(), entry.rawName(), entry.rawName(), entry.attributes()) : entry);
    }
    return entries;
  }

  private Asset asset(String relativePath, Path file, BasicFileAttributes attributes) {
    Instant modifiedAt = attributes.lastModifiedTime().toInstant();
    Optional<String> changeStamp = changeStamp(file);
    Optional<Path> still = liveStillOf(file);
    Instant fileTime =
        CreationDates.fileTime(
            attributes.creationTime() == null ? null : attributes.creationTime().toInstant(), modifiedAt);
    Supplier<CreationDates.CreationDate> read =
        () ->
            still
                .map(photo -> creationDates.of(photo, fileTime))
                .filter(date -> date.source() != CreationDateSource.FILE_TIME)
                .orElseGet(() -> creationDates.of(file, fileTime));
    Optional<String> stillVersion = still.map(FolderSource::versionOf);
    CreationDates.CreationDate created =
        still.isPresent() && stillVersion.get().isEmpty()
            ? read.get()
            : knownDates.of(
                relativePath,
                versionOf(attributes, changeStamp) + "|" + fileTime
                    + stillVersion.map(version -> "|still " + version).orElse(""),
                read);
    return new Asset(
        idOf(relativePath),
        libraryId,
        relativePath,
        attributes.size(),
        created.instant(),
        created.source(),
        modifiedAt,
        changeStamp,
        Optional.empty());
  }

  /** The creation dates this source has read: for tests. */
  KnownCreationDates knownDates() {
    return knownDates;
  }

  /** Size, modification time and change stamp of {@code file}; empty when they cannot be read. */
  private static String versionOf(Path file) {
    try {
      return versionOf(
          Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS), changeStamp(file));
    } catch (IOException e) {
      return "";
    }
  }

  /** What tells this version of a file from every other: size, modification time, change stamp. */
  private static String versionOf(BasicFileAttributes attributes, Optional<String> changeStamp) {
    return attributes.size() + "|" + attributes.lastModifiedTime() + "|" + changeStamp.orElse("");
  }

  /**
   * The file's device, inode and status-change time, which move on every write and on a new file
   * under an old name, even when an edit keeps the size and restores the modification time (as
   * {@code touch -r} and some photo editors do). Empty where the file system has no such view
   * (Windows): size and modification time then tell changes alone.
   */
  static Optional<String> changeStamp(Path file) {
    try {
      Map<String, Object> unix = Files.readAttributes(file, "unix:dev,ino,ctime", LinkOption.NOFOLLOW_LINKS);
      Instant changed = ((FileTime) unix.get("ctime")).toInstant();
      return Optional.of(unix.get("dev") + ":" + unix.get("ino") + ":" + changed);
    } catch (UnsupportedOperationException | IllegalArgumentException e) {
      return Optional.empty();
    } catch (IOException e) {
      // Gone or unreadable since it was listed: reading it says so, with the reason.
      return Optional.empty();
    }
  }

  /**
   * For the video half of a live photo, the still beside it: the pair is dated by the still, so
   * both halves land together under a date layout even when the video's own clock ticked past
   * midnight.
   */
  private static Optional<Path> liveStillOf(Path file) {
    String name = file.getFileName().toString();
    boolean video =
        LivePhotos.halfOf(name).map(half -> half.role().equals(LivePhotos.Half.VIDEO)).orElse(false);
    int dot = name.lastIndexOf('.');
    if (!video || dot <= 0) {
      return Optional.empty();
    }
    String pairKey = LivePhotos.halfOf(name).get().pairKey();
    try (DirectoryStream<Path> siblings = Files.newDirectoryStream(file.getParent(), name.substring(0, dot) + ".*")) {
      for (Path sibling : siblings) {
        Optional<LivePhotos.Half> half = LivePhotos.halfOf(sibling.getFileName().toString());
        if (half.isPresent() && half.get().role().equals(LivePhotos.Half.PHOTO) && half.get().pairKey().equals(pairKey)) {
          return Optional.of(sibling);
        }
      }
    } catch (IOException | DirectoryIteratorException e) {
      log.debug("cannot look for the still of {}: {}", file, e.toString());
    }
    return Optional.empty();
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
      Path next = FileNames.child(path, segment);
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
        String rawName = FileNames.nameOf(child);
        boolean same = Normalizer.normalize(rawName, Normalizer.Form.NFC).equals(name);
        if (same && (match == null || rawName.compareTo(FileNames.nameOf(match)) < 0)) {
          match = child;
        }
      }
    } catch (DirectoryIteratorException e) {
      throw e.getCause();
    }
    if (match == null) {
      throw new NoSuchFileException(FileNames.child(folder, name).toString());
    }
    return match;
  }

  private IOException readFailure(String relativePath, IOException e) {
    IOException failure;
    Optional<String> rootProblem = e instanceof NoSuchFileException ? rootProblem() : Optional.empty();
    if (rootProblem.isPresent()) {
      failure = new IOException("cannot read " + relativePath + ": " + rootProblem.get());
    } else if (e instanceof NoSuchFileException) {
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
