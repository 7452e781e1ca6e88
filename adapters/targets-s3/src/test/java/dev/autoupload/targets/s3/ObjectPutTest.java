package dev.autoupload.targets.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.autoupload.targets.TargetSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * The signature of {@link ObjectPut} against AWS's own worked example (the S3 API reference,
 * "Signature Calculations for the Authorization Header", PUT Object); the requests themselves are
 * proven against S3Proxy, which checks every signature, in {@link S3TargetTest}.
 */
class ObjectPutTest {

  private static final String KEY_ID = "AKIAIOSFODNN7EXAMPLE";
  private static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  /** sha256 of "Welcome to Amazon S3.", the example's body. */
  private static final String BODY_SHA256 = "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072";
  private static final Instant EXAMPLE_TIME = Instant.parse("2013-05-24T00:00:00Z");

  @Test
  void signsAwsWorkedExampleOfAPutObjectToTheSameSignature() {
    ObjectPut put = objectPut(StaticCredentialsProvider.create(AwsBasicCredentials.create(KEY_ID, SECRET)));
    URI uri = put.uriOf("test$file.text");

    Map<String, String> headers = put.sign("PUT", uri, exampleHeaders(), EXAMPLE_TIME);

    assertThat(uri.getRawPath()).isEqualTo("/test%24file.text");
    assertThat(headers)
        .containsEntry("x-amz-date", "20130524T000000Z")
        .containsEntry(
            "Authorization",
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
                + "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class, "
                + "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")
        .doesNotContainKey("host")
        .doesNotContainKey("x-amz-security-token");
  }

  /** The query of an UploadPart is signed as it is sent: AWS's worked example of a GET with one. */
  @Test
  void signsAwsWorkedExampleOfARequestWithAQueryToTheSameSignature() {
    ObjectPut put = objectPut(StaticCredentialsProvider.create(AwsBasicCredentials.create(KEY_ID, SECRET)));
    TreeMap<String, String> headers = new TreeMap<>();
    headers.put("x-amz-content-sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

    Map<String, String> signed =
        put.sign("GET", URI.create("https://examplebucket.s3.amazonaws.com/?max-keys=2&prefix=J"), headers, EXAMPLE_TIME);

    assertThat(signed.get("Authorization"))
        .endsWith(
            "SignedHeaders=host;x-amz-content-sha256;x-amz-date, "
                + "Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
  }

  @Test
  void temporaryCredentialsSendAndSignTheirSessionToken() {
    ObjectPut put =
        objectPut(StaticCredentialsProvider.create(AwsSessionCredentials.create(KEY_ID, SECRET, "the-token")));

    Map<String, String> headers = put.sign("PUT", put.uriOf("test$file.text"), exampleHeaders(), EXAMPLE_TIME);

    assertThat(headers).containsEntry("x-amz-security-token", "the-token");
    assertThat(headers.get("Authorization"))
        .contains("SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-security-token;x-amz-storage-class")
        .doesNotContain("98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
  }

  @Test
  void aPortOfItsOwnIsPartOfTheSignedHost() {
    ObjectPut onPort =
        new ObjectPut(
            HttpClient.newHttpClient(),
            StaticCredentialsProvider.create(AwsBasicCredentials.create(KEY_ID, SECRET)),
            "us-east-1",
            "https://examplebucket.s3.amazonaws.com:8443/",
            TargetSettings.defaults());
    ObjectPut onItsScheme = objectPut(StaticCredentialsProvider.create(AwsBasicCredentials.create(KEY_ID, SECRET)));

    String withPort = onPort.sign("PUT", onPort.uriOf("test$file.text"), exampleHeaders(), EXAMPLE_TIME).get("Authorization");
    String without =
        onItsScheme.sign("PUT", onItsScheme.uriOf("test$file.text"), exampleHeaders(), EXAMPLE_TIME).get("Authorization");

    assertThat(withPort).isNotEqualTo(without);
  }

  private static ObjectPut objectPut(StaticCredentialsProvider credentials) {
    return new ObjectPut(
        HttpClient.newHttpClient(), credentials, "us-east-1", "https://examplebucket.s3.amazonaws.com/", TargetSettings.defaults());
  }

  private static TreeMap<String, String> exampleHeaders() {
    TreeMap<String, String> headers = new TreeMap<>();
    headers.put("date", "Fri, 24 May 2013 00:00:00 GMT");
    headers.put("x-amz-storage-class", "REDUCED_REDUNDANCY");
    headers.put("x-amz-content-sha256", BODY_SHA256);
    return headers;
  }
}
