package dev.autoupload.targets.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.autoupload.engine.upload.UploadTarget;
import dev.autoupload.targets.TargetSettings;
import dev.autoupload.targets.Targets;
import java.net.URI;
import org.junit.jupiter.api.Test;

class S3TargetProviderTest {

  @Test
  void opensAnS3BucketUnderAPrefixThroughTargetsOnceThisModuleIsOnTheClasspath() {
    try (UploadTarget target =
        Targets.open(
            URI.create(
                "s3://photos/backup/My%20Phone?endpoint=http://127.0.0.1:9000&region=eu-west-1"
                    + "&pathStyle=true&multipartThreshold=8388608&partSize=5242880&checksums=false"),
            TargetSettings.defaults())) {
      assertThat(target).isInstanceOf(S3Target.class);
      assertThat(target.describe())
          .isEqualTo("s3://photos/backup/My Phone at http://127.0.0.1:9000");
    }
  }

  @Test
  void aWrongS3UriGetsTheSameAnswerAsWithoutThisModule() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Targets.open(URI.create("s3://b/p?partSize=1024"), TargetSettings.defaults()))
        .withMessageStartingWith("invalid target \"s3://b/p?partSize=1024\": ");
  }
}
