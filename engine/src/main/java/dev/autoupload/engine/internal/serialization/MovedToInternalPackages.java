package dev.autoupload.engine.internal.serialization;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.pekko.serialization.jackson.JacksonMigration;

/**
 * Reads what journals hold under the class names the event-sourced actors had before they moved
 * from the API packages to the internal ones: Jackson writes an event's class name into the
 * journal (its manifest), so {@code dev.autoupload.engine.upload.FileUpload$UploadStarted} must
 * still be read as {@code dev.autoupload.engine.internal.upload.FileUpload$UploadStarted}. Only the
 * name changed, not the fields. Configured for each old name in {@code jackson-migrations.conf};
 * new events are written under the new names, without a version.
 */
public final class MovedToInternalPackages extends JacksonMigration {

  private static final String LIBRARY = "dev.autoupload.engine.library.";
  private static final String UPLOAD = "dev.autoupload.engine.upload.";

  @Override
  public int currentVersion() {
    // Pekko asks a migration for the class name only when what it reads is older than this.
    return 2;
  }

  @Override
  public String transformClassName(int fromVersion, String className) {
    return movedName(className);
  }

  @Override
  public JsonNode transform(int fromVersion, JsonNode json) {
    return json;
  }

  /**
   * The class's name since the move.
   *
   * @param oldName a class name as journals before the move hold it
   * @return its name in the internal packages; {@code oldName} when it did not move
   */
  public static String movedName(String oldName) {
    if (oldName.startsWith(LIBRARY)) {
      return "dev.autoupload.engine.internal.library." + oldName.substring(LIBRARY.length());
    }
    if (oldName.startsWith(UPLOAD)) {
      return "dev.autoupload.engine.internal.upload." + oldName.substring(UPLOAD.length());
    }
    return oldName;
  }
}
