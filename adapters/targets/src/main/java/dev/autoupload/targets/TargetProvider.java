package dev.autoupload.targets;

import dev.autoupload.engine.upload.UploadTarget;
import java.net.URI;
import java.util.Set;

/**
 * A kind of target that lives in a module of its own, so that its library comes only to those who
 * use it ({@code autoupload-targets-s3} and the AWS SDK). {@link Targets#open} finds providers with
 * {@link java.util.ServiceLoader}: a module lists its provider in {@code
 * META-INF/services/dev.autoupload.targets.TargetProvider}.
 */
public interface TargetProvider {

  /**
   * The URI schemes this provider opens.
   *
   * @return the schemes in lower case (e.g. {@code s3})
   */
  Set<String> schemes();

  /**
   * Opens the target {@code uri} names.
   *
   * @param uri the target's URI, of one of {@link #schemes()}
   * @param settings timeouts, TLS and secrets; secrets come from here, never from the URI
   * @return the target, ready for the engine to use and close
   * @throws IllegalArgumentException with a one-line message when the URI is unusable
   */
  UploadTarget open(URI uri, TargetSettings settings);
}
