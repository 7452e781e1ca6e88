package dev.autoupload.targets.s3;

import java.net.URI;
import java.util.Properties;
import java.util.UUID;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * A real S3 server for the tests: S3Proxy on an in-memory jclouds blob store, on 127.0.0.1 and a
 * free port, checking SigV4 signatures against a key pair generated for this run. Started with
 * {@code new S3ProxyServer()} it accepts the SHA-256 checksum headers without verifying them (the
 * tests hash what they read back instead); {@link #strict()} starts it as S3Proxy runs by default,
 * refusing them with 501 NotImplemented, as older Ceph and MinIO do.
 */
public final class S3ProxyServer implements AutoCloseable {

  public final String accessKeyId =
      "AKIA" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
  public final String secretAccessKey = UUID.randomUUID() + "/" + UUID.randomUUID();
  private final BlobStoreContext context;
  private final S3Proxy proxy;

  /** A server that accepts (and does not check) the SHA-256 checksum headers. */
  public S3ProxyServer() throws Exception {
    this(true);
  }

  /** A server in S3Proxy's default configuration: headers it does not implement get 501. */
  public static S3ProxyServer strict() throws Exception {
    return new S3ProxyServer(false);
  }

  /**
   * @param ignoreUnknownHeaders whether S3Proxy accepts headers it does not implement, such as
   *     x-amz-checksum-sha256 (which it then does not check); its default refuses them with 501
   */
  private S3ProxyServer(boolean ignoreUnknownHeaders) throws Exception {
    context =
        ContextBuilder.newBuilder("transient")
            .credentials("unused", "unused")
            .overrides(new Properties())
            .build(BlobStoreContext.class);
    proxy =
        S3Proxy.builder()
            .blobStore(context.getBlobStore())
            .awsAuthentication(AuthenticationType.AWS_V4, accessKeyId, secretAccessKey)
            .endpoint(URI.create("http://127.0.0.1:0"))
            .ignoreUnknownHeaders(ignoreUnknownHeaders)
            .build();
    // Jetty's start returns once the connector listens.
    proxy.start();
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + proxy.getPort());
  }

  BlobStore blobStore() {
    return context.getBlobStore();
  }

  public void createBucket(String bucket) {
    blobStore().createContainerInLocation(null, bucket);
  }

  @Override
  public void close() throws Exception {
    try {
      proxy.stop();
    } finally {
      context.close();
    }
  }
}
