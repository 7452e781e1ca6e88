package dev.autoupload.targets.local;

import dev.autoupload.engine.upload.UploadError;
import dev.autoupload.engine.upload.UploadException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Turns the {@link IOException}s of file operations into classified {@link UploadError}s whose
 * messages name the path and the reason, never a stack trace.
 */
final class FileErrors {

  private FileErrors() {}

  static UploadException reading(Path path, IOException e) {
    return new UploadException(classify("read", "readable", path, e), e);
  }

  static UploadException writing(Path path, IOException e) {
    return new UploadException(classify("write", "writable", path, e), e);
  }

  /** The operating system's reason in a few words, e.g. "permission denied". */
  static String reason(IOException e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof NoSuchFileException) {
      return "no such file or folder";
    }
    if (e instanceof FileSystemException fse && fse.getReason() != null) {
      return fse.getReason();
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }

  static boolean isOutOfSpace(IOException e) {
    String reason = reason(e).toLowerCase(Locale.ROOT);
    return reason.contains("no space left on device") || reason.contains("disk quota exceeded");
  }

  private static UploadError classify(String verb, String adjective, Path path, IOException e) {
    String reason = reason(e);
    String lower = reason.toLowerCase(Locale.ROOT);
    if (e instanceof AccessDeniedException || lower.contains("read-only file system")) {
      return new UploadError.Permanent(path + " is not " + adjective + ": " + reason);
    }
    if (isOutOfSpace(e)) {
      return new UploadError.QuotaExceeded("cannot " + verb + " " + path + ": " + reason);
    }
    // Retrying cannot shorten a name or turn a file into a folder.
    if (lower.contains("file name too long") || lower.contains("not a directory")) {
      return new UploadError.Permanent("cannot " + verb + " " + path + ": " + reason);
    }
    return new UploadError.Transient("cannot " + verb + " " + path + ": " + reason);
  }
}
