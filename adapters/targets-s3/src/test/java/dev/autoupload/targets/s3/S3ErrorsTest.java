package dev.autoupload.targets.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.autoupload.engine.upload.UploadError;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

class S3ErrorsTest {

  @ParameterizedTest
  @CsvSource({
    "403, AccessDenied, Unauthorized",
    "403, InvalidAccessKeyId, Unauthorized",
    "403, SignatureDoesNotMatch, Unauthorized",
    "401, '', Unauthorized",
    "507, InsufficientStorage, QuotaExceeded",
    "403, QuotaExceeded, QuotaExceeded",
    "400, EntityTooLarge, Permanent",
    "400, QuotaExceeded, QuotaExceeded",
    "500, InternalError, Unreachable",
    "502, '', Unreachable",
    "501, NotImplemented, Permanent",
    "404, NoSuchUpload, Transient",
    "400, BadDigest, Transient",
    "400, XAmzContentSHA256Mismatch, Transient",
    "409, OperationAborted, Conflict",
    "412, PreconditionFailed, Conflict",
    "404, NoSuchBucket, Permanent",
    "400, InvalidArgument, Permanent"
  })
  void classifiesByStatusAndCode(int status, String code, String kind) {
    UploadError error = S3Errors.error("upload a.jpg", s3(status, code, Optional.empty()));

    assertThat(error.getClass().getSimpleName()).isEqualTo(kind);
    assertThat(error.message())
        .startsWith("cannot upload a.jpg: S3 " + status)
        .contains("the server says");
  }

  @ParameterizedTest
  @CsvSource({"503, SlowDown", "429, TooManyRequests"})
  void honoursRetryAfterWhenTheServerAsksToSlowDown(int status, String code) {
    UploadError error = S3Errors.error("upload a.jpg", s3(status, code, Optional.of("7")));

    assertThat(error).isInstanceOf(UploadError.Unreachable.class);
    assertThat(((UploadError.Unreachable) error).retryAfter()).contains(Duration.ofSeconds(7));
  }

  @Test
  void treatsNetworkTroubleAsAnUnreachableTarget() {
    UploadError error =
        S3Errors.error(
            "upload a.jpg",
            SdkClientException.create("Unable to execute HTTP request", new IOException("reset")));

    assertThat(error).isInstanceOf(UploadError.Unreachable.class);
    assertThat(((UploadError.Unreachable) error).retryAfter()).isEmpty();
  }

  @Test
  void aRefusedCertificateUnderAnSdkErrorIsUntrustedAndSaysWhy() {
    UploadError error =
        S3Errors.error(
            "upload a.jpg",
            SdkClientException.create(
                "Unable to execute HTTP request",
                new javax.net.ssl.SSLHandshakeException("No name matching s3.local found")));

    assertThat(error).isInstanceOf(UploadError.Untrusted.class);
    assertThat(error.message()).isEqualTo("upload a.jpg failed: TLS handshake failed: No name matching s3.local found");
  }

  private static S3Exception s3(int status, String code, Optional<String> retryAfter) {
    SdkHttpResponse.Builder response = SdkHttpResponse.builder().statusCode(status);
    retryAfter.ifPresent(value -> response.putHeader("Retry-After", value));
    return (S3Exception)
        S3Exception.builder()
            .statusCode(status)
            .awsErrorDetails(
                AwsErrorDetails.builder()
                    .errorCode(code.isEmpty() ? null : code)
                    .errorMessage("the server says no")
                    .sdkHttpResponse(response.build())
                    .build())
            .build();
  }
}
