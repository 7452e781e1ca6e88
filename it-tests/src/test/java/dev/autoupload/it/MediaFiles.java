package dev.autoupload.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Generates folders of random "media" files and compares trees by sha256. */
public final class MediaFiles {

  public static final int KIB = 1024;
  public static final int MIB = 1024 * KIB;

  /** Folder and file names a phone or camera roll really has: spaces, accents, CJK, emoji. */
  private static final List<String> FOLDERS =
      List.of("DCIM", "Ferien am Meer", "Été 2024", "東京 旅行", "Zürich Altstadt", "Party 🎉", "raw");

  private static final List<String> NAMES =
      List.of("IMG_", "Photo ", "Bild Ärger ", "写真 ", "café ", "Screenshot 2024-05-01 at ");

  private static final List<String> EXTENSIONS = List.of(".jpg", ".heic", ".png", ".mov", ".dng");

  private MediaFiles() {}

  /**
   * Writes {@code count} files of {@code minBytes..maxBytes} random bytes below {@code root}, in
   * folders up to three deep, and returns their paths relative to {@code root}, '/'-separated.
   */
  static List<String> randomTree(Path root, int count, int minBytes, int maxBytes, SplittableRandom random) {
    List<String> written = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      StringBuilder relative = new StringBuilder();
      int depth = random.nextInt(4);
      for (int d = 0; d < depth; d++) {
        relative.append(FOLDERS.get(random.nextInt(FOLDERS.size()))).append('/');
      }
      relative
          .append(NAMES.get(random.nextInt(NAMES.size())))
          .append(String.format("%05d", i))
          .append(EXTENSIONS.get(random.nextInt(EXTENSIONS.size())));
      write(root.resolve(relative.toString()), random.nextInt(minBytes, maxBytes + 1), random);
      written.add(relative.toString());
    }
    return written;
  }

  /** Writes {@code size} random bytes to {@code file}, creating its folders. */
  public static void write(Path file, long size, SplittableRandom random) {
    byte[] buffer = new byte[(int) Math.min(MIB, Math.max(size, 1))];
    try {
      Files.createDirectories(file.getParent());
      try (OutputStream out = Files.newOutputStream(file)) {
        for (long left = size; left > 0; left -= buffer.length) {
          random.nextBytes(buffer);
          out.write(buffer, 0, (int) Math.min(buffer.length, left));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String sha256(Path file) {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    byte[] buffer = new byte[MIB];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /**
   * Every regular file below {@code root}, hidden ones included, by '/'-separated relative path,
   * with its sha256. Empty when {@code root} does not exist.
   */
  public static Map<String, String> sha256Tree(Path root) {
    Map<String, String> hashes = new TreeMap<>();
    for (Path file : regularFiles(root)) {
      hashes.put(relative(root, file), sha256(file));
    }
    return hashes;
  }

  /** The sum of the sizes of every regular file below {@code root}. */
  /** Deletes {@code root} and everything below it. */
  public static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }

  /** The tree without the hash sidecars the WebDAV target keeps beside each file on plain servers. */
  public static Map<String, String> withoutHashSidecars(Map<String, String> tree) {
    Map<String, String> files = new java.util.TreeMap<>(tree);
    files.keySet().removeIf(path -> path.endsWith(".autoupload-sha256"));
    return files;
  }

  public static long totalSize(Path root) {
    return regularFiles(root).stream().mapToLong(MediaFiles::sizeOrMinusOne).sum();
  }

  /** Every regular file below {@code root}, hidden ones included; empty when it does not exist. */
  static List<Path> regularFiles(Path root) {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(Files::isRegularFile).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every file and folder below {@code root}, by sorted relative path. */
  static List<String> entries(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      return paths.filter(path -> !path.equals(root)).map(path -> relative(root, path)).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String relative(Path root, Path file) {
    return root.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
  }

  /** The size of a file, or -1 while it does not exist (it may come and go while we look). */
  static long sizeOrMinusOne(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return -1;
    }
  }
}
