package dev.autoupload.it.history;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Another client of the target, between runs: a person or a sync tool that edits, touches or
 * deletes a backup behind the app's back, seeded as {@link SourceFolder} is.
 *
 * <p>An edit always moves the modification time by at least an hour: size and modification time
 * are what a plain WebDAV server tells of a file, and the app believes its manifest while both
 * match (as rclone does); a client that forges both is beyond what any check short of {@code
 * verify --download} can see, and the README says so.
 */
final class TargetTampering {

  private enum Kind {
    EDIT,
    EDIT_KEEPING_SIZE,
    TOUCH,
    DELETE
  }

  private final Path root;
  private final SplittableRandom random;

  TargetTampering(Path root, SplittableRandom random) {
    this.root = root;
    this.random = random;
  }

  /**
   * Now and then (three times in ten) changes one visible file of the target, when it has any, and
   * describes what it did.
   */
  Optional<String> maybeTamper() {
    if (random.nextInt(10) >= 3) {
      return Optional.empty();
    }
    List<Path> files = visibleFiles();
    if (files.isEmpty()) {
      return Optional.empty();
    }
    Path file = files.get(random.nextInt(files.size()));
    String path = root.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
    Kind kind = Kind.values()[random.nextInt(Kind.values().length)];
    try {
      long size = Files.size(file);
      FileTime later = FileTime.from(Files.getLastModifiedTime(file).toInstant().plus(Duration.ofHours(random.nextInt(1, 2000))));
      switch (kind) {
        case EDIT -> {
          int newSize = random.nextInt(1000, 20_001);
          Files.write(file, randomBytes(newSize == size ? newSize + 1 : newSize));
          Files.setLastModifiedTime(file, later);
        }
        case EDIT_KEEPING_SIZE -> {
          Files.write(file, randomBytes((int) size));
          Files.setLastModifiedTime(file, later);
        }
        case TOUCH -> Files.setLastModifiedTime(file, later);
        case DELETE -> Files.delete(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Optional.of("another client of the target: " + kind.name().toLowerCase(Locale.ROOT).replace('_', ' ') + " " + path);
  }

  private List<Path> visibleFiles() {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> paths = Files.walk(root)) {
      return paths
          .filter(Files::isRegularFile)
          .filter(file -> !file.getFileName().toString().startsWith("."))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private byte[] randomBytes(int size) {
    byte[] bytes = new byte[size];
    random.nextBytes(bytes);
    return bytes;
  }
}
