package dev.autoupload.targets;

import dev.autoupload.engine.upload.Md5;
import dev.autoupload.engine.upload.Sha256;
import dev.autoupload.engine.upload.UploadError;
import dev.autoupload.engine.upload.UploadException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * Bytes a session must send in one request (a whole file, a chunk, a part), kept in a temporary
 * file so memory stays at one append whatever the size, with the digests of what was written since
 * it was created or last cleared: its sha256, its MD5, or both ({@link Digests}), and always its
 * CRC32C, taken from the bytes as they are written, so the file is not read again for them. The
 * CRC32C lets a request body read from the file prove that it still holds what was written ({@code
 * FileBody}). Every target that spools uses this one. Public for the target packages and {@code
 * autoupload-targets-s3}; not for host apps. Not thread-safe: one session uses it at a time.
 *
 * <p>A spool file's name carries the id of the process that made it: a process killed mid-upload
 * (what a phone's OS does to a background app) cannot delete its files, so a process deletes
 * once, when its spooling target is checked or makes its first spool there, the spool files of
 * processes that no longer run ({@link #sweepOnce}).
 */
public final class Spool implements AutoCloseable {

  private static final Pattern SPOOL_FILE = Pattern.compile("autoupload-[a-z0-9]+-(\\d{1,18})-\\d*\\.spool");
  private static final long THIS_PROCESS = ProcessHandle.current().pid();
  /** The folders this process has swept already: once each is enough. */
  private static final Set<Path> SWEPT = ConcurrentHashMap.newKeySet();

  /** Which digests a spool keeps of what is written. */
  public enum Digests {
    /** The sha256 alone, what most sessions check against the file's. */
    SHA256,
    /** For a server that takes {@code Content-MD5} instead of a sha256 checksum (S3 without it). */
    MD5,
    /** While it is not known yet which of the two the server takes. */
    SHA256_AND_MD5;

    boolean sha256() {
      return this != MD5;
    }

    boolean md5() {
      return this != SHA256;
    }
  }

  private final Path file;
  private final FileChannel channel;
  private final Digests digests;
  private long size;
  private MessageDigest sha256;
  private MessageDigest md5;
  /** Cheap (the CPU computes it) and enough to find damage, which is not an attacker. */
  private final CRC32C crc32c = new CRC32C();

  /**
   * An empty spool file in {@code spoolDir}, made if missing.
   *
   * @param spoolDir the folder of spool files, {@link TargetSettings#spoolDir()}
   * @param target the target's kind ("s3"), part of the file's name with this process's id, so a
   *     file a killed process left behind says whose it was
   * @throws UploadException with a transient error when the file cannot be created or opened
   */
  public Spool(Path spoolDir, String target) throws UploadException {
    this(spoolDir, target, Digests.SHA256);
  }

  /**
   * An empty spool file in {@code spoolDir} that keeps {@code digests} of what is written.
   *
   * @param spoolDir the folder of spool files, {@link TargetSettings#spoolDir()}
   * @param target the target's kind, part of the file's name (see {@link #Spool(Path, String)})
   * @param digests which digests {@link #sha256Digest()} and {@link #md5Digest()} can give
   * @throws UploadException with a transient error when the file cannot be created or opened
   */
  public Spool(Path spoolDir, String target, Digests digests) throws UploadException {
    this.digests = digests;
    startDigests();
    try {
      Files.createDirectories(spoolDir);
      sweepOnce(spoolDir);
      file = Files.createTempFile(spoolDir, "autoupload-" + target + "-" + THIS_PROCESS + "-", ".spool");
    } catch (IOException e) {
      throw failure("cannot create a spool file in " + spoolDir, e);
    }
    try {
      channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.READ);
    } catch (IOException e) {
      deleteQuietly();
      throw failure("cannot open spool file " + file, e);
    }
  }

  /**
   * The temporary file, for a request that sends it as its body.
   *
   * @return the file's path; it is deleted when the spool closes
   */
  public Path file() {
    return file;
  }

  /**
   * How many bytes were written since the spool was made or last cleared.
   *
   * @return the size of the spooled bytes
   */
  public long size() {
    return size;
  }

  /**
   * Writes all remaining bytes of {@code bytes} at the end and adds them to the sha256.
   *
   * @param bytes the bytes from its position to its limit; its position ends at the limit
   * @throws UploadException with a transient error when the file cannot be written
   */
  public void write(ByteBuffer bytes) throws UploadException {
    if (sha256 != null) {
      sha256.update(bytes.duplicate());
    }
    if (md5 != null) {
      md5.update(bytes.duplicate());
    }
    crc32c.update(bytes.duplicate());
    try {
      while (bytes.hasRemaining()) {
        size += channel.write(bytes, size);
      }
    } catch (IOException e) {
      throw failure("cannot write spool file " + file, e);
    }
  }

  /**
   * The sha256 of what was written since the spool was made or cleared; writing may go on after.
   *
   * @return the 32 bytes of the digest
   * @throws IllegalStateException when the spool was made to keep only the MD5
   */
  public byte[] sha256Digest() {
    if (sha256 == null) {
      throw new IllegalStateException("this spool keeps no sha256 (" + digests + ")");
    }
    return digestSoFar(sha256);
  }

  /**
   * The MD5 of what was written since the spool was made or cleared, when it keeps one; writing
   * may go on after.
   *
   * @return the 16 bytes of the digest, or empty when the spool keeps only the sha256
   */
  public Optional<byte[]> md5Digest() {
    return md5 == null ? Optional.empty() : Optional.of(digestSoFar(md5));
  }

  /**
   * The CRC32C of what was written since the spool was made or cleared.
   *
   * @return the checksum's value, as {@link CRC32C#getValue()} gives it
   */
  public long crc32c() {
    return crc32c.getValue();
  }

  private static byte[] digestSoFar(MessageDigest digest) {
    try {
      return ((MessageDigest) digest.clone()).digest();
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException("the JDK's " + digest.getAlgorithm() + " can be cloned", e);
    }
  }

  private void startDigests() {
    crc32c.reset();
    sha256 = digests.sha256() ? Sha256.newDigest() : null;
    md5 = digests.md5() ? Md5.newDigest() : null;
  }

  /**
   * As {@link #sha256Digest()}, as text: the form {@code UploadSession.complete} takes.
   *
   * @return the digest in lowercase hex
   */
  public String sha256Hex() {
    return HexFormat.of().formatHex(sha256Digest());
  }

  /**
   * Empties the spool and starts its digests again, for the next chunk or part.
   *
   * @throws UploadException with a transient error when the file cannot be truncated
   */
  public void clear() throws UploadException {
    try {
      channel.truncate(0);
    } catch (IOException e) {
      throw failure("cannot clear spool file " + file, e);
    }
    size = 0;
    startDigests();
  }

  /** Closes and deletes the file; a failure is ignored, as the file held only a copy. */
  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException ignored) {
      // Only temporary data was in it; it is deleted next.
    }
    deleteQuietly();
  }

  /**
   * Deletes the spool files in {@code spoolDir} whose process no longer runs, the first time this
   * process asks for that folder: a spooling target's {@code check()} does, and the first spool
   * made there.
   *
   * @param spoolDir the folder of spool files, {@link TargetSettings#spoolDir()}
   */
  public static void sweepOnce(Path spoolDir) {
    if (SWEPT.add(spoolDir.toAbsolutePath().normalize())) {
      deleteLeftovers(spoolDir);
    }
  }

  /**
   * Deletes the spool files in {@code spoolDir} whose process no longer runs; files of running
   * processes, and any other file, are left alone.
   *
   * @param spoolDir the folder to sweep
   * @return how many files were deleted; none when the folder cannot be listed, as the next
   *     process tries again
   */
  static int deleteLeftovers(Path spoolDir) {
    int deleted = 0;
    try (DirectoryStream<Path> files = Files.newDirectoryStream(spoolDir, "autoupload-*.spool")) {
      for (Path leftover : files) {
        Matcher name = SPOOL_FILE.matcher(leftover.getFileName().toString());
        if (name.matches() && !running(Long.parseLong(name.group(1))) && deletedQuietly(leftover)) {
          deleted++;
        }
      }
    } catch (IOException | DirectoryIteratorException e) {
      // Only copies of bytes that are still in their source files; left for the next process.
    }
    return deleted;
  }

  private static boolean deletedQuietly(Path leftover) {
    try {
      return Files.deleteIfExists(leftover);
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean running(long pid) {
    return pid == THIS_PROCESS || ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  private void deleteQuietly() {
    // A temporary file in the spool directory; if it stays, the next process deletes it.
    deletedQuietly(file);
  }

  private static UploadException failure(String message, IOException e) {
    return new UploadException(new UploadError.Transient(message + ": " + e.getMessage()), e);
  }
}
