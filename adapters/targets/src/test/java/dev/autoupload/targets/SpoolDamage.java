package dev.autoupload.targets;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;

/** Damages a spool file on the disk, as a bad sector or another process would, for tests. */
public final class SpoolDamage {

  private SpoolDamage() {}

  /**
   * Flips one bit of the first byte of the one spool file in {@code spoolDir}; fails the test
   * unless there is exactly one.
   *
   * @param spoolDir the folder a target spools in
   * @return the damaged file
   * @throws IOException when the folder or the file cannot be read or written
   */
  public static Path flipABitOfTheOnlySpoolFile(Path spoolDir) throws IOException {
    List<Path> spools;
    try (Stream<Path> files = Files.list(spoolDir)) {
      spools = files.filter(f -> f.getFileName().toString().endsWith(".spool")).toList();
    }
    assertThat(spools).as("spool files in %s", spoolDir).hasSize(1);
    flipABit(spools.get(0), 0);
    return spools.get(0);
  }

  /**
   * Flips one bit of the byte at {@code offset} of {@code file}, in place.
   *
   * @param file a spool's file
   * @param offset where the byte is; it must be inside the file
   * @throws IOException when the file cannot be read or written
   */
  public static void flipABit(Path file, long offset) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer one = ByteBuffer.allocate(1);
      assertThat(channel.read(one, offset)).isEqualTo(1);
      one.put(0, (byte) (one.get(0) ^ 0x01)).position(0);
      channel.write(one, offset);
    }
  }
}
