package dev.autoupload.targets.s3;

import dev.autoupload.engine.upload.Sha256;
import dev.autoupload.targets.Spool;
import dev.autoupload.targets.TargetSettings;
import dev.autoupload.targets.http.FileBody;
import dev.autoupload.targets.http.HttpClients;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

/**
 * The requests that carry a file's bytes, a small file's PutObject and a multipart upload's
 * UploadPart, sent over the JDK's HTTP client and signed here (AWS Signature Version 4) rather
 * than through the SDK's request pipeline, which took about a fifth of a run's Java time for
 * 256 KiB files while doing nothing these requests need. The payload is signed with the spool's
 * sha256, taken as it was written, so the server checks that hash of what it receives ({@code
 * XAmzContentSHA256Mismatch}) and no second pass hashes the body. The object's address is
 * the SDK's (its endpoint rules, path or virtual-host style), taken once; failures are thrown as
 * the SDK would throw them ({@link S3Exception} with the server's code, {@link
 * SdkClientException} over what went wrong on the wire), so {@link S3Errors} classifies both paths
 * alike.
 */
final class ObjectPut {

  private static final DateTimeFormatter AMZ_DATE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);
  /** What a request whose payload is not signed gives as its sha256. */
  static final String UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";

  private static final Pattern CODE = Pattern.compile("<Code>([^<]*)</Code>");
  private static final Pattern MESSAGE = Pattern.compile("<Message>([^<]*)</Message>");

  private final HttpClient http;
  private final AwsCredentialsProvider credentials;
  private final String region;
  /** The bucket's address, ending in '/': the encoded key follows it. */
  private final String bucketUrl;
  private final TargetSettings settings;

  /**
   * @param bucketUrl where the SDK sends the bucket's objects, ending in '/'
   * @param settings how long a request of a given length may take
   */
  ObjectPut(
      HttpClient http, AwsCredentialsProvider credentials, String region, String bucketUrl, TargetSettings settings) {
    if (!bucketUrl.endsWith("/")) {
      throw new IllegalArgumentException("a bucket's address ends in '/': " + bucketUrl);
    }
    this.http = http;
    this.credentials = credentials;
    this.region = region;
    this.bucketUrl = bucketUrl;
    this.settings = settings;
  }

  /**
   * PUTs what {@code spool} holds as {@code key}, its payload signed with its sha256.
   *
   * @param headers the request's own headers (checksum, metadata, condition), names in lower case
   * @param payloadSha256 the spool's sha256 in hex, as the session already took it
   * @throws S3Exception when the server refused it
   * @throws SdkClientException when no answer came (its cause the I/O error)
   */
  void put(String key, Spool spool, Map<String, String> headers, String payloadSha256) {
    send(uriOf(key), spool, headers, payloadSha256, "PUT " + key);
  }

  /**
   * UploadPart: PUTs what {@code spool} holds as part {@code number} of the multipart upload.
   *
   * @param payloadSha256 the spool's sha256 in hex, or empty when it keeps none (its
   *     {@code Content-MD5} in {@code headers} then guards the bytes, the payload goes unsigned)
   * @return the part's ETag, as CompleteMultipartUpload names it
   * @throws S3Exception when the server refused it
   * @throws SdkClientException when no answer came (its cause the I/O error)
   */
  String putPart(String key, String uploadId, int number, Spool spool, Map<String, String> headers,
      Optional<String> payloadSha256) {
    // The query as signed: its parameters in order of their names, each value percent-encoded.
    URI uri =
        URI.create(
            uriOf(key) + "?partNumber=" + number + "&uploadId=" + SdkHttpUtils.urlEncode(uploadId));
    String operation = "UploadPart " + number + " of " + key;
    HttpHeaders answer = send(uri, spool, headers, payloadSha256.orElse(UNSIGNED_PAYLOAD), operation);
    return answer
        .firstValue("ETag")
        .orElseThrow(
            () -> SdkClientException.create(operation + ": the server's answer names no ETag for the part"));
  }

  private HttpHeaders send(URI uri, Spool spool, Map<String, String> headers, String payloadSha256, String operation) {
    TreeMap<String, String> signed = new TreeMap<>(headers);
    signed.put("x-amz-content-sha256", payloadSha256);
    // No Expect: 100-continue: Java 17's client can wait forever for the answer when the server
    // refuses with a final status instead (JDK-8286171; seen here on a 507). A refusal after the
    // body costs that body once, and SinglePutSession handles a put cut off on the way.
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri).PUT(FileBody.of(spool)).timeout(settings.timeoutFor(spool.size()));
    sign("PUT", uri, signed, Instant.now()).forEach(request::header);
    HttpResponse<String> answer;
    try {
      answer = http.send(request.build(), HttpClients.text());
    } catch (IOException e) {
      throw SdkClientException.builder().message(operation + ": " + e).cause(e).build();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw SdkClientException.builder().message(operation + " interrupted").cause(e).build();
    }
    if (answer.statusCode() / 100 != 2) {
      throw refusal(answer);
    }
    return answer.headers();
  }

  /** The object's address: the key percent-encoded as the SDK encodes it, its slashes kept. */
  URI uriOf(String key) {
    return URI.create(bucketUrl + SdkHttpUtils.urlEncodeIgnoreSlashes(key));
  }

  /**
   * Signs a request (AWS Signature Version 4): its query, if any, must be in canonical form already
   * (parameters in order of their names, values percent-encoded), as {@link #putPart} makes it.
   *
   * @param headers the request's headers, names in lower case, with {@code x-amz-content-sha256};
   *     {@code x-amz-date}, the session token if any and {@code Authorization} are added to it
   * @return {@code headers}, to send as they are (the client adds {@code Host}, which is signed)
   */
  Map<String, String> sign(String method, URI uri, TreeMap<String, String> headers, Instant now) {
    AwsCredentials identity = credentials.resolveCredentials();
    String amzDate = AMZ_DATE.format(now);
    String day = amzDate.substring(0, 8);
    headers.put("x-amz-date", amzDate);
    if (identity instanceof AwsSessionCredentials session) {
      headers.put("x-amz-security-token", session.sessionToken());
    }
    TreeMap<String, String> canonical = new TreeMap<>(headers);
    canonical.put("host", host(uri));
    String query = uri.getRawQuery() == null ? "" : uri.getRawQuery();
    StringBuilder request =
        new StringBuilder(method).append('\n').append(uri.getRawPath()).append('\n').append(query).append('\n');
    canonical.forEach((name, value) -> request.append(name).append(':').append(value.strip()).append('\n'));
    String signedNames = String.join(";", canonical.keySet());
    request.append('\n').append(signedNames).append('\n').append(headers.get("x-amz-content-sha256"));
    String scope = day + "/" + region + "/s3/aws4_request";
    String toSign =
        "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + Sha256.hex(sha256(request.toString()));
    byte[] key = hmac(("AWS4" + identity.secretAccessKey()).getBytes(StandardCharsets.UTF_8), day);
    key = hmac(hmac(hmac(key, region), "s3"), "aws4_request");
    headers.put(
        "Authorization",
        "AWS4-HMAC-SHA256 Credential=" + identity.accessKeyId() + "/" + scope + ", SignedHeaders=" + signedNames
            + ", Signature=" + HexFormat.of().formatHex(hmac(key, toSign)));
    return headers;
  }

  /** The Host header the JDK's client sends: the port only when it is not the scheme's own. */
  private static String host(URI uri) {
    int port = uri.getPort();
    boolean own = port == -1 || port == ("https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80);
    return own ? uri.getHost() : uri.getHost() + ":" + port;
  }

  private static S3Exception refusal(HttpResponse<String> answer) {
    String body = Optional.ofNullable(answer.body()).orElse("");
    String code = first(CODE, body).orElse("");
    String message = first(MESSAGE, body).orElse(body.isBlank() ? "no message" : body.strip());
    SdkHttpResponse response =
        SdkHttpResponse.builder().statusCode(answer.statusCode()).headers(answer.headers().map()).build();
    return (S3Exception)
        S3Exception.builder()
            .statusCode(answer.statusCode())
            .message(message + " (Service: S3, Status Code: " + answer.statusCode() + ")")
            .awsErrorDetails(
                AwsErrorDetails.builder()
                    .errorCode(code.isEmpty() ? null : code)
                    .errorMessage(message)
                    .serviceName("S3")
                    .sdkHttpResponse(response)
                    .build())
            .build();
  }

  private static Optional<String> first(Pattern pattern, String text) {
    Matcher m = pattern.matcher(text);
    return m.find() ? Optional.of(unescaped(m.group(1))) : Optional.empty();
  }

  private static String unescaped(String xmlText) {
    return xmlText
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&");
  }

  private static MessageDigest sha256(String text) {
    MessageDigest digest = Sha256.newDigest();
    digest.update(text.getBytes(StandardCharsets.UTF_8));
    return digest;
  }

  private static byte[] hmac(byte[] key, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("every JDK has HmacSHA256", e);
    }
  }
}
