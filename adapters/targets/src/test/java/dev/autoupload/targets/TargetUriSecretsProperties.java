package dev.autoupload.targets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.autoupload.targets.local.LocalFolderTarget;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * A password typed into a target URI, of any scheme, however malformed the URI around it: the
 * URI is refused, and the error never shows the password or a piece of it. (Only a {@code file:}
 * URI whose path happens to look like a login is taken, as the folder it names.)
 */
class TargetUriSecretsProperties {

  /** A URI with a secret in it, and the secret. */
  record Case(String uri, String secret) {}

  @Provide
  Arbitrary<Case> urisWithASecret() {
    Arbitrary<String> schemes =
        Arbitraries.of(
            "file", "webdav", "webdavs", "WebDAV", "nextcloud", "nextcloud+http", "tus+http", "tus+https", "s3",
            "koofr", "ftp", "");
    Arbitrary<String> users = Arbitraries.of("", "alice", "anna%40example.com", "anna@example.com", "AKIAEXAMPLE");
    Arbitrary<String> secrets =
        Combinators.combine(
                Arbitraries.strings().alpha().numeric().ofMinLength(6).ofMaxLength(12),
                Arbitraries.of("", "/", "#", "?", "@", " ", "%", ":", "%40", "%zz", "\u00e9"),
                Arbitraries.strings().alpha().numeric().ofMinLength(4).ofMaxLength(8))
            .as((first, odd, last) -> "S3cr" + first + odd + last);
    Arbitrary<String> hosts =
        Arbitraries.of("host", "my_host", "", "Koofr", "b", "host:99999", "host:port", "[::1", "ho st", "127.0.0.1:8080");
    Arbitrary<String> paths =
        Arbitraries.of(
            "/dav", "/my path", "/a%zz", "", "/p?x=1", "/p#frag", "/files/", "/Photos?chunkSize=big",
            "/Photos?webroot=nextcloud", "/p?endpoint=ftp://h", "/p?unknown=1", "/..", "\\x");
    Arbitrary<String> forms = Arbitraries.of("%s://%s:%s@%s%s", "%s:%s:%s@%s%s", "%s:/%s:%s@%s%s", "%s//%s:%s@%s%s");
    Arbitrary<Case> inUserInfo =
        Combinators.combine(forms, schemes, users, secrets, hosts, paths)
            .as((form, scheme, user, secret, host, path) -> new Case(String.format(form, scheme, user, secret, host, path), secret));
    Arbitrary<Case> inAnEndpoint =
        Combinators.combine(Arbitraries.of("s3://bucket/prefix", "koofr://anna%40example.com@Koofr/p"), secrets, hosts)
            .as((base, secret, host) -> new Case(base + "?endpoint=http://key:" + secret + "@" + host, secret));
    Arbitrary<Case> percentEncoded =
        Combinators.combine(schemes, secrets, hosts, paths)
            .as((scheme, secret, host, path) -> {
              String encoded = URLEncoder.encode(secret, StandardCharsets.UTF_8);
              return new Case(scheme + "://user:" + encoded + "@" + host + path, secret);
            });
    return Arbitraries.oneOf(inUserInfo, inAnEndpoint, percentEncoded);
  }

  @Property(tries = 2000)
  void theUriIsRefusedAndTheErrorShowsNoPieceOfTheSecret(@ForAll("urisWithASecret") Case c) {
    Throwable thrown = catchThrowable(() -> TargetUris.open(c.uri(), TargetSettings.defaults()));

    if (thrown == null) {
      // file:/a:b@c/d names the folder "/a:b@c/d": a path as written, no login in it.
      assertThat(TargetUris.open(c.uri(), TargetSettings.defaults())).as(c.uri()).isInstanceOf(LocalFolderTarget.class);
      return;
    }
    assertThat(thrown).as(c.uri()).isInstanceOf(IllegalArgumentException.class);
    for (String piece : pieces(c.secret())) {
      assertThat(thrown.getMessage()).as(c.uri()).doesNotContain(piece);
    }
  }

  @Example
  void theCasesOfTheIssue() {
    for (String uri : new String[] {"webdav://alice:S3cretPW@my_host/dav", "webdav://alice:S3cretPW@host/my dav", "s3://KEY:S3cretPW@b/p q"}) {
      assertThat(catchThrowable(() -> TargetUris.open(uri, TargetSettings.defaults())))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageNotContaining("S3cretPW")
          .hasMessageContaining("://***@");
    }
  }

  /**
   * Found by the property on a fresh run: a secret holding '/' ended the S3 bucket early and the
   * URI was taken, with the secret as bucket and prefix; without '@', it was taken as a bucket.
   */
  @Example
  void anS3SecretWithASlashOrInTheBucketsPlaceIsRefusedUnquoted() {
    String[][] cases = {
      {"s3://anna%40example.com:S3crtfSTuhdlAgKa/0oQpVo@host/dav", "S3crtfSTuhdlAgKa/0oQpVo"},
      {"s3://AKIAEXAMPLE:wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY@bucket/p", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"},
      {"s3://AKIAEXAMPLE:wJalrXUtnFEMI/K7MDENG/photos", "wJalrXUtnFEMI/K7MDENG"},
    };
    for (String[] c : cases) {
      Throwable thrown = catchThrowable(() -> TargetUris.open(c[0], TargetSettings.defaults()));
      assertThat(thrown).as(c[0]).isInstanceOf(IllegalArgumentException.class);
      for (String piece : pieces(c[1])) {
        assertThat(thrown.getMessage()).as(c[0]).doesNotContain(piece);
      }
    }
  }

  /**
   * Found by the property (seed -3501679107679627944): an unquoted e-mail and a secret holding '/'
   * left a Koofr mount "example.com:S3cr…" and a path with the rest, and the URI was taken.
   */
  @Example
  void aKoofrSecretWithASlashAfterAnUnquotedEmailIsRefused() {
    String uri = "koofr://anna@example.com:S3crAAAAAA/AAAA@host/dav";
    Throwable thrown = catchThrowable(() -> TargetUris.open(uri, TargetSettings.defaults()));
    assertThat(thrown).isInstanceOf(IllegalArgumentException.class);
    assertThat(thrown.getMessage()).doesNotContain("S3crAAAAAA").doesNotContain("AAAA@").contains("autoupload.target.password");
  }

  /** The secret's runs of four or more letters and digits: none of them may show. */
  private static String[] pieces(String secret) {
    return Arrays.stream(secret.split("[^A-Za-z0-9]+")).filter(piece -> piece.length() >= 4).toArray(String[]::new);
  }
}
