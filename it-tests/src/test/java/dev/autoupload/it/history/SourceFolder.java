package dev.autoupload.it.history;

import dev.autoupload.it.MediaFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The source folder of one history and the changes a person, a camera or a sync tool makes to it
 * between runs, chosen by a seeded generator: the same seed writes the same names, bytes and
 * modification times, so a failing history replays exactly.
 *
 * <p>Modification times come from a clock of its own that starts in May 2023 and moves a few
 * minutes forward per change, except where a change sets one back on purpose. All are in the
 * past, so no file waits to settle. Files are a few KiB; a good share of them have one of two
 * sizes, so the app has to read them to tell them apart.
 */
final class SourceFolder {

  /** A file's content: its sha256 (lowercase hex) and size. */
  record Content(String sha256, long size) {
    String label() {
      return sha256.substring(0, 8) + ", " + size + " B";
    }
  }

  private record Deleted(String path, byte[] bytes, FileTime modified) {}

  private enum Change {
    CREATE(12),
    EDIT_IN_PLACE(8),
    EDIT_KEEPING_MTIME(6),
    APPEND(6),
    TRUNCATE(4),
    RENAME(7),
    CASE_RENAME(4),
    MOVE(6),
    COPY(6),
    COPY_OVER(3),
    DELETE(6),
    REUSE_NAME(8),
    RESTORE(4),
    TOUCH(5),
    BACKDATE(3),
    EDIT_BACKDATED(3);

    final int weight;

    Change(int weight) {
      this.weight = weight;
    }
  }

  private static final List<String> FOLDERS = List.of("", "DCIM/100CANON", "DCIM/101CANON", "Camera", "Trip 2023");
  private static final List<String> NAMES = names();
  private static final List<Integer> COMMON_SIZES = List.of(4096, 6000);
  private static final int MIN_FILES = 3;
  private static final int MAX_FILES = 20;

  private final Path root;
  private final SplittableRandom random;
  private Instant clock = Instant.parse("2023-05-10T12:00:00Z");
  /** Deleted files, which may come back (restored from a trash, copied back from a card). */
  private final List<Deleted> trash = new ArrayList<>();
  /** Names a file left (deleted, renamed or moved away), which a camera may give a new photo. */
  private final Set<String> vacated = new TreeSet<>();

  SourceFolder(Path root, SplittableRandom random) {
    this.root = root;
    this.random = random;
    try {
      Files.createDirectories(root);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Path root() {
    return root;
  }

  /** Writes the first files, some of them copies, and describes each. */
  List<String> populate() {
    List<String> done = new ArrayList<>();
    int count = random.nextInt(4, 11);
    for (int i = 0; i < count; i++) {
      done.add(random.nextInt(6) == 0 && i > 0 ? copy() : create());
    }
    return done;
  }

  /** Makes one change, chosen at random among those the folder allows now, and describes it. */
  String change() {
    Change change = pick();
    int files = files().size();
    boolean adds = Set.of(Change.CREATE, Change.COPY, Change.REUSE_NAME, Change.RESTORE).contains(change);
    if (adds && files >= MAX_FILES) {
      change = Change.EDIT_IN_PLACE;
    } else if (change == Change.DELETE && files <= MIN_FILES) {
      change = Change.CREATE;
    }
    return switch (change) {
      case CREATE -> create();
      case EDIT_IN_PLACE -> editInPlace(false);
      case EDIT_KEEPING_MTIME -> editInPlace(true);
      case APPEND -> append();
      case TRUNCATE -> truncate();
      case RENAME -> rename();
      case CASE_RENAME -> caseRename();
      case MOVE -> move();
      case COPY -> copy();
      case COPY_OVER -> copyOver();
      case DELETE -> delete();
      case REUSE_NAME -> reuseName();
      case RESTORE -> restore();
      case TOUCH -> touch();
      case BACKDATE -> backdate();
      case EDIT_BACKDATED -> editBackdated();
    };
  }

  /** Every file by its '/'-separated path, with its content. */
  Map<String, Content> snapshot() {
    Map<String, Content> files = new TreeMap<>();
    for (String path : files()) {
      Path file = root.resolve(path);
      files.put(path, new Content(MediaFiles.sha256(file), size(file)));
    }
    return files;
  }

  // ---- the changes ----

  private String create() {
    String path = freshName(randomFolder());
    write(path, randomBytes(randomSize()), tick());
    return "create " + describe(path);
  }

  /** New bytes of the same size; with {@code keepMtime} the old modification time is put back. */
  private String editInPlace(boolean keepMtime) {
    String path = anyFile();
    FileTime before = modified(path);
    write(path, randomBytes((int) size(root.resolve(path))), keepMtime ? before : tick());
    return (keepMtime ? "edit in place keeping the mtime " : "edit in place ") + describe(path);
  }

  private String append() {
    String path = anyFile();
    try {
      Files.write(root.resolve(path), randomBytes(random.nextInt(1, 3000)), StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    setModified(path, tick());
    return "append to " + describe(path);
  }

  private String truncate() {
    String path = anyFile();
    long size = size(root.resolve(path));
    if (size < 2) {
      return append();
    }
    try (FileChannel channel = FileChannel.open(root.resolve(path), StandardOpenOption.WRITE)) {
      channel.truncate(random.nextLong(1, size));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    setModified(path, tick());
    return "truncate " + describe(path);
  }

  private String rename() {
    String from = anyFile();
    String to = freshName(folderOf(from));
    moveFile(from, to);
    return "rename " + from + " to " + describe(to);
  }

  /** {@code DSC_0001.JPG} to {@code dsc_0001.jpg}, {@code DSC_0001.jpg} or back. */
  private String caseRename() {
    String from = anyFile();
    String name = from.substring(from.lastIndexOf('/') + 1);
    int dot = name.lastIndexOf('.');
    String renamed =
        switch (random.nextInt(3)) {
          case 0 -> name.toLowerCase(Locale.ROOT);
          case 1 -> name.toUpperCase(Locale.ROOT);
          default -> name.substring(0, dot) + swapCase(name.substring(dot));
        };
    String to = join(folderOf(from), renamed);
    if (renamed.equals(name) || Files.exists(root.resolve(to))) {
      return rename();
    }
    moveFile(from, to);
    return "rename (case only) " + from + " to " + describe(to);
  }

  private String move() {
    String from = anyFile();
    String name = from.substring(from.lastIndexOf('/') + 1);
    List<String> others = FOLDERS.stream().filter(f -> !f.equals(folderOf(from))).toList();
    String folder = others.get(random.nextInt(others.size()));
    String to = Files.exists(root.resolve(join(folder, name))) ? freshName(folder) : join(folder, name);
    moveFile(from, to);
    return "move " + from + " to " + describe(to);
  }

  /** A second file with the same content; half the time it keeps the original's mtime. */
  private String copy() {
    String from = anyFile();
    String to = freshName(randomFolder());
    boolean keepAttributes = random.nextBoolean();
    FileTime mtime = tick();
    try {
      Files.createDirectories(root.resolve(to).getParent());
      if (keepAttributes) {
        Files.copy(root.resolve(from), root.resolve(to), StandardCopyOption.COPY_ATTRIBUTES);
      } else {
        Files.copy(root.resolve(from), root.resolve(to));
        setModified(to, mtime);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return "copy " + from + " to " + describe(to) + (keepAttributes ? " keeping its mtime" : "");
  }

  /** {@code cp a b} onto an existing b: written in place, so b keeps its inode. */
  private String copyOver() {
    List<String> files = files();
    if (files.size() < 2) {
      return create();
    }
    String from = files.get(random.nextInt(files.size()));
    List<String> others = files.stream().filter(f -> !f.equals(from)).toList();
    String to = others.get(random.nextInt(others.size()));
    write(to, read(from), tick());
    return "copy " + from + " over " + describe(to);
  }

  private String delete() {
    String path = anyFile();
    String described = describe(path);
    trash.add(new Deleted(path, read(path), modified(path)));
    try {
      Files.delete(root.resolve(path));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    vacated.add(path);
    return "delete " + described;
  }

  /** A camera whose counter restarted: a name a file left gets a new photo. */
  private String reuseName() {
    List<String> free = vacated.stream().filter(p -> !Files.exists(root.resolve(p))).toList();
    if (free.isEmpty()) {
      return create();
    }
    String path = free.get(random.nextInt(free.size()));
    vacated.remove(path);
    write(path, randomBytes(randomSize()), tick());
    return "reuse the name " + describe(path);
  }

  /** A deleted file comes back with its old mtime, under its old name when that is free. */
  private String restore() {
    if (trash.isEmpty()) {
      return create();
    }
    Deleted deleted = trash.remove(random.nextInt(trash.size()));
    String path =
        Files.exists(root.resolve(deleted.path())) ? freshName(folderOf(deleted.path())) : deleted.path();
    write(path, deleted.bytes(), deleted.modified());
    return "restore the deleted " + deleted.path() + " as " + describe(path);
  }

  private String touch() {
    String path = anyFile();
    setModified(path, tick());
    return "touch " + describe(path);
  }

  /** The mtime goes back, the content stays. */
  private String backdate() {
    String path = anyFile();
    setModified(path, earlierThan(modified(path)));
    return "set the mtime back " + describe(path);
  }

  /** New content of another size with an mtime earlier than the old one. */
  private String editBackdated() {
    String path = anyFile();
    FileTime earlier = earlierThan(modified(path));
    write(path, randomBytes(randomSize()), earlier);
    return "edit with an earlier mtime " + describe(path);
  }

  // ---- helpers ----

  private Change pick() {
    int total = Stream.of(Change.values()).mapToInt(c -> c.weight).sum();
    int roll = random.nextInt(total);
    for (Change change : Change.values()) {
      roll -= change.weight;
      if (roll < 0) {
        return change;
      }
    }
    throw new IllegalStateException("weights");
  }

  /** The files now, sorted, so that a pick depends on the seed alone. */
  private List<String> files() {
    try (Stream<Path> paths = Files.walk(root)) {
      return paths
          .filter(Files::isRegularFile)
          .map(p -> root.relativize(p).toString().replace(p.getFileSystem().getSeparator(), "/"))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String anyFile() {
    List<String> files = files();
    return files.get(random.nextInt(files.size()));
  }

  private String randomFolder() {
    return FOLDERS.get(random.nextInt(FOLDERS.size()));
  }

  /** A name from the camera-like pool that no file in {@code folder} has now. */
  private String freshName(String folder) {
    for (int tries = 0; tries < 50; tries++) {
      String path = join(folder, NAMES.get(random.nextInt(NAMES.size())));
      if (!Files.exists(root.resolve(path))) {
        return path;
      }
    }
    for (int n = 1; ; n++) {
      String path = join(folder, String.format("IMG_%04d.jpg", 9000 + n));
      if (!Files.exists(root.resolve(path))) {
        return path;
      }
    }
  }

  private int randomSize() {
    return random.nextInt(5) < 2 ? COMMON_SIZES.get(random.nextInt(COMMON_SIZES.size())) : random.nextInt(1000, 20_001);
  }

  private byte[] randomBytes(int size) {
    byte[] bytes = new byte[size];
    random.nextBytes(bytes);
    return bytes;
  }

  private FileTime tick() {
    clock = clock.plus(Duration.ofMinutes(random.nextInt(1, 180)));
    return FileTime.from(clock);
  }

  private FileTime earlierThan(FileTime time) {
    return FileTime.from(time.toInstant().minus(Duration.ofHours(random.nextInt(1, 400 * 24))));
  }

  /** Writes in place (the inode stays) and sets the mtime. */
  private void write(String path, byte[] bytes, FileTime modified) {
    try {
      Files.createDirectories(root.resolve(path).getParent());
      Files.write(root.resolve(path), bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    setModified(path, modified);
  }

  private byte[] read(String path) {
    try {
      return Files.readAllBytes(root.resolve(path));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void moveFile(String from, String to) {
    try {
      Files.createDirectories(root.resolve(to).getParent());
      Files.move(root.resolve(from), root.resolve(to));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    vacated.add(from);
    vacated.remove(to);
  }

  private FileTime modified(String path) {
    try {
      return Files.getLastModifiedTime(root.resolve(path));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void setModified(String path, FileTime time) {
    try {
      Files.setLastModifiedTime(root.resolve(path), time);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String describe(String path) {
    Path file = root.resolve(path);
    return path + " [" + new Content(MediaFiles.sha256(file), size(file)).label() + ", mtime " + modified(path) + "]";
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String folderOf(String path) {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? "" : path.substring(0, slash);
  }

  private static String join(String folder, String name) {
    return folder.isEmpty() ? name : folder + "/" + name;
  }

  private static String swapCase(String text) {
    return text.equals(text.toUpperCase(Locale.ROOT)) ? text.toLowerCase(Locale.ROOT) : text.toUpperCase(Locale.ROOT);
  }

  /** Names as cameras and phones give them, few enough that they are reused. */
  private static List<String> names() {
    List<String> names = new ArrayList<>();
    for (int i = 1; i <= 12; i++) {
      names.add(String.format("DSC_%04d.JPG", i));
    }
    for (int i = 1; i <= 8; i++) {
      names.add(String.format("IMG_%04d.jpg", 2000 + i));
    }
    for (int i = 1; i <= 4; i++) {
      names.add(String.format("VID_%04d.mp4", i));
    }
    return List.copyOf(names);
  }
}
