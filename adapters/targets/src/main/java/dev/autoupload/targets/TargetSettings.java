package dev.autoupload.targets;

import com.typesafe.config.Config;
import dev.autoupload.engine.upload.NameRules;
import dev.autoupload.targets.http.HttpClients;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How targets talk to their servers, and the secrets they log in with. Secrets come from the
 * configuration ({@code autoupload.target.*}, which falls back to environment variables) and never
 * from the target URI, which ends up in logs, status and the Activity view.
 *
 * @param connectTimeout for establishing a connection
 * @param readTimeout for an answer to arrive once a request is sent
 * @param minBytesPerSecond the slowest upload still considered alive: a request carrying a body
 *     may take {@code readTimeout} plus its size at this rate
 * @param verifyTls whether HTTPS certificates and host names are checked; off only for a server
 *     the user explicitly trusts
 * @param trustedCertificates a PEM file of extra certificates to trust besides the JDK's, for a
 *     server with a private or self-signed certificate: verification stays on
 * @param spoolDir where sessions keep data they must send in one request
 * @param password the password or app password of WebDAV, Nextcloud, tus and Koofr targets
 * @param s3Key S3 credentials; empty to use the standard AWS chain (environment, profile, role)
 * @param nameRules whether names are escaped for Windows as well as for the target's service
 */
public record TargetSettings(
    Duration connectTimeout,
    Duration readTimeout,
    long minBytesPerSecond,
    boolean verifyTls,
    Optional<Path> trustedCertificates,
    Path spoolDir,
    Optional<Secret> password,
    Optional<S3Config.AccessKey> s3Key,
    NameRulesSetting nameRules) {

  /** Environment variables read when the configuration names no password. */
  public static final String PASSWORD_VARIABLE = "AUTOUPLOAD_TARGET_PASSWORD";

  /** The variable WebDAV targets read before {@value #PASSWORD_VARIABLE} existed. */
  public static final String WEBDAV_PASSWORD_VARIABLE = "AUTOUPLOAD_WEBDAV_PASSWORD";

  /**
   * Checks the components, so that a bad setting fails at start rather than at the first upload.
   *
   * @param connectTimeout for establishing a connection; positive
   * @param readTimeout for an answer to arrive once a request is sent; positive
   * @param minBytesPerSecond the slowest upload still considered alive; at least 1
   * @param verifyTls whether HTTPS certificates and host names are checked
   * @param trustedCertificates a PEM file of extra certificates to trust
   * @param spoolDir where sessions keep data they must send in one request
   * @param password the password of WebDAV, Nextcloud, tus and Koofr targets
   * @param s3Key S3 credentials; empty for the standard AWS chain
   * @param nameRules whether names are escaped for Windows as well
   * @throws NullPointerException when an object component is null
   * @throws IllegalArgumentException when a timeout is not positive or {@code minBytesPerSecond}
   *     is below 1
   */
  public TargetSettings {
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(readTimeout, "readTimeout");
    Objects.requireNonNull(trustedCertificates, "trustedCertificates");
    Objects.requireNonNull(spoolDir, "spoolDir");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(s3Key, "s3Key");
    Objects.requireNonNull(nameRules, "nameRules");
    if (minBytesPerSecond < 1) {
      throw new IllegalArgumentException("min-bytes-per-second must be at least 1");
    }
    if (connectTimeout.isNegative() || connectTimeout.isZero() || readTimeout.isNegative() || readTimeout.isZero()) {
      throw new IllegalArgumentException("timeouts must be positive");
    }
  }

  /**
   * A secret that does not show itself in {@code toString}, so it cannot reach a log by accident.
   *
   * @param value the secret itself
   */
  public record Secret(String value) {
    /**
     * Checks that there is a value.
     *
     * @param value the secret itself
     * @throws NullPointerException when {@code value} is null
     */
    public Secret {
      Objects.requireNonNull(value, "value");
    }

    /** Asterisks only, never the value. */
    @Override
    public String toString() {
      return "Secret[***]";
    }
  }

  /**
   * The {@code name-rules} setting: whether a target escapes, besides what its service refuses, what
   * Windows refuses (see {@link NameRules}).
   */
  public enum NameRulesSetting {
    /** As the target finds its storage: Windows' rules for a local folder on FAT, exFAT, NTFS or SMB. */
    AUTO,
    /** Never Windows' rules, e.g. for a folder wrongly taken for Windows storage. */
    POSIX,
    /** Always Windows' rules as well, e.g. for a WebDAV server on Windows or IIS. */
    WINDOWS;

    /**
     * The rules of a target whose service refuses what {@code service} says, and whose storage
     * refuses what Windows refuses when {@code windowsStorage}.
     *
     * @param service what the target's service refuses
     * @param windowsStorage whether the target found its storage to be Windows' (a local folder on
     *     FAT, exFAT, NTFS or SMB); only {@link #AUTO} reads it
     * @return {@code service}, with Windows' rules added as this setting says
     */
    public NameRules apply(NameRules service, boolean windowsStorage) {
      return switch (this) {
        case AUTO -> windowsStorage ? service.and(NameRules.WINDOWS) : service;
        case POSIX -> service;
        case WINDOWS -> service.and(NameRules.WINDOWS);
      };
    }

    static NameRulesSetting parse(String value) {
      return switch (value) {
        case "auto" -> AUTO;
        case "posix" -> POSIX;
        case "windows" -> WINDOWS;
        default ->
            throw new IllegalArgumentException(
                "autoupload.target.name-rules: \"" + value + "\" is none of auto, posix, windows");
      };
    }
  }

  /**
   * 10 s to connect, 60 s to answer, at least 64 KiB/s, TLS verified, no secrets.
   *
   * @return the settings of a target URI opened without any; the spool in {@code java.io.tmpdir},
   *     name rules {@link NameRulesSetting#AUTO}
   */
  public static TargetSettings defaults() {
    return new TargetSettings(
        Duration.ofSeconds(10),
        Duration.ofSeconds(60),
        64 * 1024,
        true,
        Optional.empty(),
        Path.of(System.getProperty("java.io.tmpdir")),
        Optional.empty(),
        Optional.empty(),
        NameRulesSetting.AUTO);
  }

  /**
   * Reads {@code autoupload.target.*} (see reference.conf). A password file wins over a password
   * given inline.
   *
   * @param config the configuration, with {@code reference.conf}'s defaults under it
   * @return the settings it gives
   * @throws IllegalArgumentException with a one-line message when a value is unusable, the
   *     password file cannot be read, or only half of an S3 key is set
   */
  public static TargetSettings fromConfig(Config config) {
    Config c = config.getConfig("autoupload.target");
    Optional<Secret> password = nonEmpty(c.getString("password")).map(Secret::new);
    Optional<String> passwordFile = nonEmpty(c.getString("password-file"));
    if (passwordFile.isPresent()) {
      password = Optional.of(new Secret(readPasswordFile(Path.of(passwordFile.get()))));
    }
    Optional<String> keyId = nonEmpty(c.getString("s3.access-key-id"));
    Optional<String> secretKey = nonEmpty(c.getString("s3.secret-access-key"));
    if (keyId.isPresent() != secretKey.isPresent()) {
      throw new IllegalArgumentException(
          "autoupload.target.s3: set both access-key-id and secret-access-key, or neither");
    }
    Optional<S3Config.AccessKey> s3Key =
        keyId.map(id -> new S3Config.AccessKey(id, secretKey.get()));
    Optional<Path> trusted = nonEmpty(c.getString("trusted-certificates")).map(Path::of);
    trusted.ifPresent(
        file -> {
          if (!Files.isReadable(file)) {
            throw new IllegalArgumentException(
                "autoupload.target.trusted-certificates: cannot read " + file);
          }
          try {
            HttpClients.trusting(file);
          } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("autoupload.target.trusted-certificates: " + e.getMessage(), e);
          }
        });
    return new TargetSettings(
        c.getDuration("connect-timeout"),
        c.getDuration("read-timeout"),
        c.getBytes("min-bytes-per-second"),
        c.getBoolean("verify-tls"),
        trusted,
        nonEmpty(c.getString("spool-dir")).map(Path::of).orElse(defaults().spoolDir()),
        password,
        s3Key,
        NameRulesSetting.parse(c.getString("name-rules")));
  }

  /**
   * These settings with a password, for WebDAV, Nextcloud, tus and Koofr targets.
   *
   * @param password the password or app password
   * @return a copy with the password replaced
   */
  public TargetSettings withPassword(String password) {
    return new TargetSettings(
        connectTimeout, readTimeout, minBytesPerSecond, verifyTls, trustedCertificates, spoolDir,
        Optional.of(new Secret(password)), s3Key, nameRules);
  }

  /**
   * These settings spooling elsewhere.
   *
   * @param spoolDir the folder for spool files, created when first needed
   * @return a copy with the folder replaced
   */
  public TargetSettings withSpoolDir(Path spoolDir) {
    return new TargetSettings(
        connectTimeout, readTimeout, minBytesPerSecond, verifyTls, trustedCertificates, spoolDir, password, s3Key,
        nameRules);
  }

  /**
   * These settings with other timeouts.
   *
   * @param connectTimeout for establishing a connection; positive
   * @param readTimeout for an answer to arrive once a request is sent; positive
   * @param minBytesPerSecond the slowest upload still considered alive; at least 1
   * @return a copy with the three replaced
   * @throws IllegalArgumentException when a timeout is not positive or the rate below 1
   */
  public TargetSettings withTimeouts(Duration connectTimeout, Duration readTimeout, long minBytesPerSecond) {
    return new TargetSettings(
        connectTimeout, readTimeout, minBytesPerSecond, verifyTls, trustedCertificates, spoolDir, password, s3Key,
        nameRules);
  }

  /**
   * These settings with another TLS trust. Unlike {@link #fromConfig}, it does not read the file.
   *
   * @param verifyTls whether certificates and host names are checked
   * @param trustedCertificates a PEM file of extra certificates to trust besides the JDK's
   * @return a copy with both replaced
   */
  public TargetSettings withTls(boolean verifyTls, Optional<Path> trustedCertificates) {
    return new TargetSettings(
        connectTimeout, readTimeout, minBytesPerSecond, verifyTls, trustedCertificates, spoolDir, password, s3Key,
        nameRules);
  }

  /**
   * These settings with explicit S3 credentials instead of the standard AWS chain.
   *
   * @param key the access key pair
   * @return a copy with the key replaced
   */
  public TargetSettings withS3Key(S3Config.AccessKey key) {
    return new TargetSettings(
        connectTimeout, readTimeout, minBytesPerSecond, verifyTls, trustedCertificates, spoolDir, password,
        Optional.of(key), nameRules);
  }

  /**
   * These settings with another {@code name-rules} setting.
   *
   * @param nameRules whether names are escaped for Windows as well
   * @return a copy with the setting replaced
   */
  public TargetSettings withNameRules(NameRulesSetting nameRules) {
    return new TargetSettings(
        connectTimeout, readTimeout, minBytesPerSecond, verifyTls, trustedCertificates, spoolDir, password, s3Key,
        nameRules);
  }

  /**
   * How long a request sending {@code bytes} may take before it counts as stalled.
   *
   * @param bytes the size of the request's body
   * @return the read timeout plus the time to send {@code bytes} at {@code minBytesPerSecond}
   */
  public Duration timeoutFor(long bytes) {
    return readTimeout.plusSeconds(bytes / minBytesPerSecond);
  }

  private static String readPasswordFile(Path file) {
    try {
      String content = Files.readString(file, StandardCharsets.UTF_8);
      String firstLine = content.lines().findFirst().orElse("");
      if (firstLine.isEmpty()) {
        throw new IllegalArgumentException("autoupload.target.password-file: " + file + " is empty");
      }
      return firstLine;
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "autoupload.target.password-file: cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private static Optional<String> nonEmpty(String value) {
    return value == null || value.isEmpty() ? Optional.empty() : Optional.of(value);
  }
}
