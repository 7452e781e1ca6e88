package dev.autoupload.targets.s3;

import dev.autoupload.engine.upload.Md5;
import dev.autoupload.targets.Spool;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * The {@code Content-MD5} of a spooled body, for servers that refuse the sha256 checksum header:
 * every S3 server checks it and refuses a body that does not match (400 BadDigest), so a damaged
 * upload is never stored. Taken from the bytes as they were spooled; read from the spool file only
 * when the spool kept no MD5 (the server refused the header after the spool was made).
 */
final class ContentMd5 {

  private ContentMd5() {}

  /**
   * The base64 MD5 of what {@code spool} holds; an {@link UncheckedIOException} when the file must
   * be read and cannot be.
   */
  static String of(Spool spool) {
    return spool.md5Digest().map(Base64.getEncoder()::encodeToString).orElseGet(() -> of(spool.file()));
  }

  private static String of(Path file) {
    MessageDigest md5 = Md5.newDigest();
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buffer = new byte[64 * 1024];
      for (int n; (n = in.read(buffer)) >= 0; ) {
        md5.update(buffer, 0, n);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    return Base64.getEncoder().encodeToString(md5.digest());
  }
}
