package dev.autoupload.engine.internal.library;

import dev.autoupload.engine.library.Asset;
import dev.autoupload.engine.library.CreationDateSource;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;

/**
 * A small file system that histories change: each file has content, a modification time anyone may
 * set, and an inode and change time (ctime) that only the file system moves, as on POSIX. Every
 * change is drawn from a seeded {@link Random} and logged in words, so a history replays exactly.
 */
final class SimFileSystem {

  private static final List<String> FOLDERS = List.of("", "DCIM/", "Trips/");
  private static final List<String> NAMES =
      List.of("IMG_0001.JPG", "IMG_0002.JPG", "img_0001.jpg", "DSC_0001.JPG", "clip.mp4", "IMG_0003.JPG");
  private static final int[] SIZES = {10, 20, 30};
  private static final Instant EPOCH = Instant.parse("2026-01-01T00:00:00Z");

  /** A file: what it holds and the times and identity the scan sees. */
  record File(byte[] content, Instant modified, long inode, long ctime, Instant taken) {}

  private final TreeMap<String, File> files = new TreeMap<>();
  private final Random random;
  private final List<String> log;
  private long clock;
  private long inodes;

  SimFileSystem(Random random, List<String> log) {
    this.random = random;
    this.log = log;
  }

  // ---- what a scan sees ----

  /** The assets a scan finds now, in path order. */
  List<Asset> scan(String libraryId) {
    List<Asset> assets = new ArrayList<>();
    for (String path : files.keySet()) {
      assets.add(asset(libraryId, path).orElseThrow());
    }
    return assets;
  }

  Optional<Asset> asset(String libraryId, String path) {
    File file = files.get(path);
    if (file == null) {
      return Optional.empty();
    }
    return Optional.of(
        new Asset(
            "id-" + Sha.of(path.getBytes(StandardCharsets.UTF_8)).substring(0, 16),
            libraryId,
            path,
            file.content().length,
            file.taken(),
            CreationDateSource.EXIF,
            file.modified(),
            Optional.of(file.inode() + ":" + file.ctime()),
            Optional.empty()));
  }

  Optional<byte[]> read(String path) {
    return Optional.ofNullable(files.get(path)).map(file -> file.content().clone());
  }

  /** The sha256 of every file's content now. */
  Map<String, String> contents() {
    Map<String, String> contents = new TreeMap<>();
    files.forEach((path, file) -> contents.put(path, Sha.of(file.content())));
    return contents;
  }

  // ---- changes ----

  /** Applies one change drawn at random, and logs it. */
  void change() {
    int kind = files.isEmpty() ? 0 : random.nextInt(13);
    switch (kind) {
      case 0, 1 -> create(freePath(), randomContent(), "create");
      case 2 -> {
        String path = existing();
        byte[] edited = randomContentOfSize(files.get(path).content().length);
        write(path, edited, now(), "edit in place, same size, new mtime");
      }
      case 3 -> {
        String path = existing();
        File file = files.get(path);
        write(path, randomContentOfSize(file.content().length), file.modified(), "edit in place, same size, mtime restored");
      }
      case 4 -> {
        String path = existing();
        byte[] content = files.get(path).content();
        byte[] longer = Arrays.copyOf(content, content.length + 10);
        longer[longer.length - 1] = (byte) random.nextInt();
        write(path, longer, now(), "append");
      }
      case 5 -> {
        String path = existing();
        byte[] content = files.get(path).content();
        write(path, Arrays.copyOf(content, Math.max(1, content.length - 10)), now(), "truncate");
      }
      case 6 -> rename(existing(), freePath());
      case 7 -> {
        String path = existing();
        String other = caseSwapped(path);
        if (!files.containsKey(other)) {
          rename(path, other);
        }
      }
      case 8 -> {
        String from = existing();
        String to = freePath();
        File source = files.get(from);
        boolean keepTime = random.nextBoolean();
        put(to, new File(source.content().clone(), keepTime ? source.modified() : now(), ++inodes, ++clock, source.taken()));
        log.add("copy " + from + " -> " + to + (keepTime ? " keeping its mtime" : ""));
      }
      case 9 -> {
        String path = existing();
        files.remove(path);
        log.add("delete " + path);
      }
      case 10 -> {
        String path = existing();
        files.remove(path);
        byte[] content = random.nextBoolean() || files.isEmpty() ? randomContent() : files.get(existing()).content().clone();
        create(path, content, "re-create under the old name");
      }
      case 11 -> {
        String path = existing();
        File file = files.get(path);
        put(path, new File(file.content(), now(), file.inode(), ++clock, file.taken()));
        log.add("touch " + path);
      }
      default -> {
        String path = existing();
        File file = files.get(path);
        Instant past = file.modified().minusSeconds(1 + random.nextInt(400_000_000));
        put(path, new File(file.content(), past, file.inode(), ++clock, file.taken()));
        log.add("set mtime of " + path + " back to " + past);
      }
    }
  }

  private void create(String path, byte[] content, String how) {
    Instant taken = Instant.parse("2023-01-01T00:00:00Z").plusSeconds(random.nextInt(4 * 365 * 86_400));
    Instant modified = random.nextInt(4) == 0 ? taken : now();
    put(path, new File(content, modified, ++inodes, ++clock, taken));
    log.add(how + " " + path + " (" + content.length + " bytes, sha " + Sha.of(content).substring(0, 8) + ")");
  }

  private void write(String path, byte[] content, Instant modified, String how) {
    File file = files.get(path);
    put(path, new File(content, modified, file.inode(), ++clock, file.taken()));
    log.add(how + " " + path + " (" + content.length + " bytes, sha " + Sha.of(content).substring(0, 8) + ")");
  }

  private void rename(String from, String to) {
    File file = files.remove(from);
    // A rename keeps the inode and the modification time; the change time moves.
    put(to, new File(file.content(), file.modified(), file.inode(), ++clock, file.taken()));
    log.add("rename " + from + " -> " + to);
  }

  private void put(String path, File file) {
    files.put(path, file);
  }

  private Instant now() {
    return EPOCH.plusSeconds(++clock);
  }

  private String existing() {
    List<String> paths = new ArrayList<>(files.keySet());
    return paths.get(random.nextInt(paths.size()));
  }

  private String freePath() {
    for (int tries = 0; tries < 100; tries++) {
      String path = FOLDERS.get(random.nextInt(FOLDERS.size())) + NAMES.get(random.nextInt(NAMES.size()));
      if (!files.containsKey(path)) {
        return path;
      }
    }
    return "Extra/" + (++clock) + ".jpg";
  }

  private static String caseSwapped(String path) {
    int slash = path.lastIndexOf('/');
    String name = path.substring(slash + 1);
    String swapped = name.equals(name.toUpperCase()) ? name.toLowerCase() : name.toUpperCase();
    return path.substring(0, slash + 1) + swapped;
  }

  private byte[] randomContent() {
    // Few sizes, so that files share sizes and the planner must read them to tell copies apart;
    // now and then the content of another file, so that copies are there to tell.
    if (!files.isEmpty() && random.nextInt(5) == 0) {
      return files.get(existing()).content().clone();
    }
    return randomContentOfSize(SIZES[random.nextInt(SIZES.length)]);
  }

  private byte[] randomContentOfSize(int size) {
    byte[] content = new byte[size];
    random.nextBytes(content);
    return content;
  }

  /** Hashes in lowercase hex. */
  static final class Sha {
    static String of(byte[] bytes) {
      return digest("SHA-256", bytes);
    }

    static String md5(byte[] bytes) {
      return digest("MD5", bytes);
    }

    private static String digest(String algorithm, byte[] bytes) {
      try {
        return HexFormat.of().formatHex(java.security.MessageDigest.getInstance(algorithm).digest(bytes));
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
