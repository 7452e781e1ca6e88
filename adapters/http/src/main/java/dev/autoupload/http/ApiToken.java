package dev.autoupload.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The secret every {@code /api} request must carry as {@code Authorization: Bearer <token>}. It
 * lives in {@code <data-dir>/http-token}, readable by its owner only (mode 600), so whoever may
 * read the data dir may drive the engine and nobody else. It is written to a new file that is then
 * renamed into place, and never read, written or narrowed to mode 600 through a symbolic link: a
 * link planted there could otherwise hand out a token someone else knows, or change the mode of
 * whatever it points to.
 *
 * <p>{@link #toString()} never shows the value: a token that ends up in a log line by accident
 * stays secret.
 */
public final class ApiToken {

  /** The file's name in the data dir. */
  public static final String FILE_NAME = "http-token";
  /** 256 bits. */
  private static final int RANDOM_BYTES = 32;
  /** A token a user wrote by hand must not be guessable either. */
  private static final int MIN_LENGTH = 32;
  /** More than any token needs: what is beyond is not read. */
  private static final int MAX_FILE_BYTES = 4096;
  private static final Set<PosixFilePermission> OWNER_ONLY =
      EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
  private static final Logger log = LoggerFactory.getLogger(ApiToken.class);

  private final String value;
  private final byte[] digest;

  private ApiToken(String value) {
    this.value = value;
    this.digest = sha256(value);
  }

  /**
   * Where the token of the engine keeping its journal in {@code dataDir} is stored.
   *
   * @param dataDir the engine's data dir
   * @return {@code <dataDir>/http-token}, whether or not it exists
   */
  public static Path file(Path dataDir) {
    return dataDir.resolve(FILE_NAME);
  }

  /**
   * The token stored in {@code dataDir}; on first use a new random one, stored with mode 600. A
   * stored token readable by others has its permissions narrowed to 600. Safe beside another
   * process doing the same: whichever stores a token first, both return that one.
   *
   * @param dataDir the engine's data dir; created if missing
   * @return the token, never {@code null}
   * @throws IOException when the file cannot be read or written, or holds no valid token
   */
  public static ApiToken loadOrCreate(Path dataDir) throws IOException {
    Optional<ApiToken> existing = read(dataDir);
    if (existing.isPresent()) {
      return existing.get();
    }
    Files.createDirectories(dataDir);
    Path file = file(dataDir);
    Path temp = Files.createTempFile(dataDir, ".http-token", ".tmp", ownerOnlyAttributes(dataDir));
    try {
      Files.writeString(temp, generate() + "\n", StandardCharsets.US_ASCII);
      Files.move(temp, file);
    } catch (FileAlreadyExistsException raced) {
      // Another process (`autoupload token` beside a first start) stored one first: use that.
    } finally {
      Files.deleteIfExists(temp);
    }
    return read(dataDir).orElseThrow(() -> new IOException(file + " vanished right after it was written"));
  }

  /**
   * The token stored in {@code dataDir}, if there is one; a file readable by others has its
   * permissions narrowed to 600. Clients read it to call the endpoint of a running instance.
   *
   * @param dataDir the engine's data dir
   * @return the token; empty when there is no file
   * @throws IOException when it cannot be read or is not a valid token
   */
  public static Optional<ApiToken> read(Path dataDir) throws IOException {
    Path file = file(dataDir);
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    if (!attributes.isRegularFile()) {
      throw new IOException(
          file + " is " + (attributes.isSymbolicLink() ? "a symbolic link" : "not a regular file")
              + ", which the token is never read or written through; remove it to have a new token made");
    }
    String value;
    // NOFOLLOW: a link put in its place since is refused by the open itself.
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      value = new String(in.readNBytes(MAX_FILE_BYTES), StandardCharsets.US_ASCII).strip();
    }
    if (value.length() < MIN_LENGTH || !value.chars().allMatch(c -> c > ' ' && c < 127)) {
      throw new IOException(
          file + " does not hold a valid token (at least " + MIN_LENGTH
              + " visible ASCII characters); delete it to have a new one generated");
    }
    narrowPermissions(file);
    return Optional.of(new ApiToken(value));
  }

  /**
   * The token itself, for {@code autoupload token} and for clients; never log it.
   *
   * @return what a client sends after {@code Bearer }
   */
  public String value() {
    return value;
  }

  /**
   * Whether {@code candidate} is this token. Compares SHA-256 digests with {@link
   * MessageDigest#isEqual}, so the time taken tells nothing about the token, not even its length.
   * For the endpoint's own checks of requests and page logins.
   *
   * @param candidate what a request sent, surrounding whitespace already stripped
   * @return whether it is exactly this token
   */
  public boolean matches(String candidate) {
    return MessageDigest.isEqual(digest, sha256(candidate));
  }

  @Override
  public String toString() {
    return "ApiToken[redacted]";
  }

  /** 256 random bits from {@link SecureRandom}, base64url without padding (43 characters). */
  static String generate() {
    byte[] bytes = new byte[RANDOM_BYTES];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  private static FileAttribute<?>[] ownerOnlyAttributes(Path dir) {
    return posix(dir)
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)}
        : new FileAttribute<?>[0];
  }

  private static void narrowPermissions(Path file) throws IOException {
    PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
    if (view == null) {
      return;
    }
    if (!OWNER_ONLY.containsAll(view.readAttributes().permissions())) {
      view.setPermissions(OWNER_ONLY);
      log.warn("{} was readable by others; its permissions are now 600", file);
    }
  }

  private static boolean posix(Path path) {
    return Files.getFileAttributeView(path, PosixFileAttributeView.class) != null;
  }
}
