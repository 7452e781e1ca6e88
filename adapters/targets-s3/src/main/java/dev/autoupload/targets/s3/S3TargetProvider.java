package dev.autoupload.targets.s3;

import dev.autoupload.engine.upload.UploadTarget;
import dev.autoupload.targets.TargetProvider;
import dev.autoupload.targets.TargetSettings;
import dev.autoupload.targets.TargetUris;
import java.net.URI;
import java.util.Set;

/** Opens {@code s3://bucket/prefix} targets for {@link dev.autoupload.targets.Targets#open}. */
public final class S3TargetProvider implements TargetProvider {

  @Override
  public Set<String> schemes() {
    return Set.of("s3");
  }

  @Override
  public UploadTarget open(URI uri, TargetSettings settings) {
    return S3Target.connect(TargetUris.s3Config(uri, settings), settings);
  }
}
