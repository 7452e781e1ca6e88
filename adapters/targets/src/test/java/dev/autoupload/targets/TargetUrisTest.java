package dev.autoupload.targets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.autoupload.engine.upload.UploadTarget;
import dev.autoupload.targets.koofr.KoofrTarget;
import dev.autoupload.targets.local.LocalFolderTarget;
import dev.autoupload.targets.nextcloud.NextcloudTarget;
import dev.autoupload.targets.tus.TusTarget;
import dev.autoupload.targets.webdav.WebDavTarget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TargetUrisTest {

  private static final String SUPPORTED =
      "use file:///absolute/dir, webdav://user@host[:port]/path, webdavs://user@host[:port]/path,"
          + " nextcloud://user@host[:port]/path[?chunkSize=bytes&webroot=/nextcloud&user-id=id] (nextcloud+http:// without TLS),"
          + " tus+http[s]://[user@]host[:port]/files/,"
          + " s3://bucket/prefix?endpoint=http://host:port&region=r&pathStyle=true or"
          + " koofr://you%40example.com@mount/path[?endpoint=https://app.koofr.net]";

  @ParameterizedTest
  @CsvSource({
    "file:///srv/backup, /srv/backup",
    "file:/srv/backup, /srv/backup",
    "file://localhost/srv/backup, /srv/backup",
    "FILE:///srv/backup/, /srv/backup",
    "file:///srv/My%20Backup, /srv/My Backup",
    "file:///srv/%C3%A9t%C3%A9%20%23%3F%2B, /srv/\u00e9t\u00e9 #?+"
  })
  void opensALocalFolderForAnAbsoluteFileUri(String uri, String folder) {
    UploadTarget target = TargetUris.open(uri, TargetSettings.defaults());

    assertThat(target).isInstanceOf(LocalFolderTarget.class);
    assertThat(target.describe()).isEqualTo(folder);
  }

  @Test
  void opensTheFolderAPathsOwnUriNames(@TempDir Path temp) throws Exception {
    Path folder = temp.resolve("photo backup #1");

    UploadTarget target = TargetUris.open(folder.toUri().toString(), TargetSettings.defaults());
    target.check();

    assertThat(target.describe()).isEqualTo(folder.toString());
    assertThat(Files.isDirectory(folder)).isTrue();
  }

  @Test
  void namesWhatIsSupportedForAnUnknownScheme() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> TargetUris.open("ftp://x", TargetSettings.defaults()))
        .withMessage("unsupported target \"ftp://x\": " + SUPPORTED);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "", " ", "/srv/backup", "srv/backup", "file:srv/backup", "file://srv/backup",
        "file:///srv/my backup", "file:///srv/a?b", "file:///srv/a#b", "s3:///photos", "s3://b/p?colour=red",
        "s3://b/p?endpoint=ftp://x", "s3://b/p?partSize=1024", "s3://b/p?pathStyle=yes", "s3://b/p?checksums=no",
        "webdav://user:pw@host/dav", "webdav:///dav", "webdavs://host/dav?x=1", "webdav://host/a/../b",
        "tus+http://user:pw@host/files/", "tus+https:///files/", "tus+http://host/files/?x=1", "tus+http://host/files/#f",
        "nextcloud://cloud.example.org/Photos", "nextcloud:///Photos", "nextcloud://anna@cloud.example.org/a/../b",
        "nextcloud://anna@cloud.example.org/x?chunkSize=1048576", "nextcloud://anna@cloud.example.org/x?chunkSize=ten",
        "nextcloud://anna@cloud.example.org/x?colour=red", "nextcloud://anna@cloud.example.org/x#y",
        "koofr://Koofr/photos", "koofr://anna%40example.com@/photos", "koofr:photos", "koofr://a%40b.c@Koofr/p?x=1",
        "koofr://a%40b.c@Koofr/p?endpoint=ftp://h", "koofr://a%40b.c@Koofr/p#f", "koofr://a%40b.c@Koofr/a/../b"
      })
  void refusesWithAOneLineMessageThatSaysWhatIsSupported(String uri) {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> TargetUris.open(uri, TargetSettings.defaults()))
        .withMessageEndingWith(SUPPORTED)
        .withMessageNotContaining("\n");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "webdav://anna@host:99999/dav", "webdavs://host:0/dav", "nextcloud://anna@host:65536/x",
        "tus+http://host:123456789/files/", "koofr://a%40b.c@Koofr:70000/p", "file://localhost:99999/srv"
      })
  void refusesAPortOutOfRange(String uri) {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> TargetUris.open(uri, TargetSettings.defaults()))
        .withMessageStartingWith("invalid target: port ")
        .withMessageContaining(" is not between 1 and 65535; ")
        .withMessageEndingWith(SUPPORTED);
  }

  @Test
  void anS3UriWithoutTheS3ModuleSaysWhichModuleItNeeds() {
    assertThatIllegalArgumentException()
        .isThrownBy(
            () -> TargetUris.open("s3://photos/backup?endpoint=http://127.0.0.1:9000", TargetSettings.defaults()))
        .withMessage(
            "unsupported target \"s3://photos/backup?endpoint=http://127.0.0.1:9000\": s3:// needs the"
                + " autoupload-targets-s3 module on the classpath");
  }

  @Test
  void keepsS3CredentialsOutOfTheUriAndTheMessage() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> TargetUris.open("s3://AKIA:secret@photos/backup", TargetSettings.defaults()))
        .withMessageNotContaining("secret")
        .withMessageContaining("AWS_ACCESS_KEY_ID");
  }

  @Test
  void keepsPasswordsOutOfTheMessage() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> TargetUris.open("webdav://user:hunter2@host/dav", TargetSettings.defaults()))
        .withMessageNotContaining("hunter2")
        .withMessageContaining("webdav://***@host/dav");
  }

  @ParameterizedTest
  @CsvSource({
    "webdav://anna@dav.example.org/backup, webdav://anna@dav.example.org/backup",
    "webdavs://anna@dav.example.org:8443/remote.php/dav/files/anna/, webdavs://anna@dav.example.org:8443/remote.php/dav/files/anna",
    "webdavs://dav.example.org/My%20Photos, webdavs://dav.example.org/My%20Photos",
    "WEBDAV://anna@127.0.0.1:8080/, webdav://anna@127.0.0.1:8080/"
  })
  void opensAWebDavTargetWithThePasswordFromTheEnvironment(String uri, String described) {
    UploadTarget target = TargetUris.open(uri, TargetSettings.defaults().withPassword("hunter2"));

    assertThat(target).isInstanceOf(WebDavTarget.class);
    assertThat(target.describe()).isEqualTo(described).doesNotContain("hunter2");
  }

  @Test
  void keepsNextcloudPasswordsOutOfTheMessage() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> TargetUris.open("nextcloud://anna:hunter2@cloud.example.org/Photos", TargetSettings.defaults()))
        .withMessageNotContaining("hunter2")
        .withMessageContaining("nextcloud://***@cloud.example.org/Photos")
        .withMessageContaining(TargetSettings.PASSWORD_VARIABLE);
  }

  @ParameterizedTest
  @CsvSource({
    "nextcloud://anna@cloud.example.org/Photos/phone, nextcloud://anna@cloud.example.org/Photos/phone",
    "nextcloud://anna@cloud.example.org:8443/My%20Photos/?chunkSize=52428800, nextcloud://anna@cloud.example.org:8443/My Photos",
    "NEXTCLOUD+HTTP://anna@127.0.0.1:8080, nextcloud+http://anna@127.0.0.1:8080/",
    "nextcloud+http://anna@127.0.0.1:8080/, nextcloud+http://anna@127.0.0.1:8080/",
    "nextcloud://anna%40example.com@cloud.example.org/Photos?user-id=anna, nextcloud://anna@example.com@cloud.example.org/Photos?user-id=anna"
  })
  void opensANextcloudTarget(String uri, String described) {
    UploadTarget target = TargetUris.open(uri, TargetSettings.defaults().withPassword("hunter2"));

    assertThat(target).isInstanceOf(NextcloudTarget.class);
    assertThat(target.describe()).isEqualTo(described).doesNotContain("hunter2");
  }

  @ParameterizedTest
  @CsvSource({
    "nextcloud://alice@example.com/Photos?webroot=/nextcloud, nextcloud://alice@example.com/Photos?webroot=/nextcloud",
    "nextcloud://alice@example.com/Photos?webroot=/nextcloud/, nextcloud://alice@example.com/Photos?webroot=/nextcloud",
    "nextcloud://alice@example.com/Photos?chunkSize=52428800&webroot=/apps/my%20cloud, nextcloud://alice@example.com/Photos?webroot=/apps/my cloud",
    "nextcloud://alice@example.com/Photos?webroot=/c+c%25, nextcloud://alice@example.com/Photos?webroot=/c+c%",
    "nextcloud://alice@example.com/Photos?webroot=/, nextcloud://alice@example.com/Photos"
  })
  void opensANextcloudTargetUnderItsWebroot(String uri, String described) {
    UploadTarget target = TargetUris.open(uri, TargetSettings.defaults().withPassword("hunter2"));

    assertThat(target).isInstanceOf(NextcloudTarget.class);
    assertThat(target.describe()).isEqualTo(described).doesNotContain("hunter2");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "webroot=                | webroot must start with '/'",
        "webroot=nextcloud       | webroot must start with '/', e.g. /nextcloud, not \"nextcloud\"",
        "webroot=/a/../nextcloud | webroot \"/a/../nextcloud\" must not have empty, \".\" or \"..\" segments",
        "webroot=/..             | must not have empty",
        "webroot=/./nextcloud    | must not have empty",
        "webroot=//nextcloud     | must not have empty",
        "webroot=/a//b           | must not have empty",
        "webroot=//              | must not have empty",
        "webroot=/next?cloud     | webroot \"/next?cloud\" is a path: it cannot hold '?' or '#'",
        "webroot=/next%3Fcloud   | cannot hold '?' or '#'",
        "webroot=/next%23cloud   | cannot hold '?' or '#'"
      })
  void refusesAWebrootThatIsNotAPlainPathNamingTheParameter(String query, String message) {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> TargetUris.open("nextcloud://alice@example.com/Photos?" + query, TargetSettings.defaults()))
        .withMessageStartingWith("invalid target \"nextcloud://***@example.com/Photos?" + query + "\": ")
        .withMessageContaining(message)
        .withMessageEndingWith(SUPPORTED);
  }

  @ParameterizedTest
  @CsvSource({
    "koofr://anna%40example.com@Koofr/Photos/Phone, koofr://anna@example.com@Koofr/Photos/Phone at https://app.koofr.net",
    "koofr://anna@example.com@Koofr, koofr://anna@example.com@Koofr/ at https://app.koofr.net",
    "KOOFR://anna%40example.com@My%20Dropbox/Caf%C3%A9/?endpoint=http://127.0.0.1:8080, koofr://anna@example.com@My Dropbox/Caf\u00e9 at http://127.0.0.1:8080"
  })
  void opensAKoofrTargetOnTheMountAndFolderNamed(String uri, String described) {
    UploadTarget target = TargetUris.open(uri, TargetSettings.defaults().withPassword("hunter2"));

    assertThat(target).isInstanceOf(KoofrTarget.class);
    assertThat(target.describe()).isEqualTo(described).doesNotContain("hunter2");
  }

  @ParameterizedTest
  @ValueSource(strings = {"koofr://anna%40example.com:hunter2@Koofr/p", "koofr://anna@example.com:hunter2@Koofr/p"})
  void keepsKoofrPasswordsOutOfTheUriAndTheMessage(String uri) {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> TargetUris.open(uri, TargetSettings.defaults()))
        .withMessageNotContaining("hunter2")
        .withMessageContaining("koofr://***@Koofr/p")
        .withMessageContaining(TargetSettings.PASSWORD_VARIABLE);
  }

  @ParameterizedTest
  @CsvSource({
    "tus+http://127.0.0.1:1080/files/, tus+http://127.0.0.1:1080/files/",
    "tus+https://anna@tus.example.org/uploads/, tus+https://anna@tus.example.org/uploads/",
    "TUS+HTTPS://tus.example.org, tus+https://tus.example.org/"
  })
  void opensATusTargetOnItsCreationUrl(String uri, String described) {
    UploadTarget target = TargetUris.open(uri, TargetSettings.defaults().withPassword("hunter2"));

    assertThat(target).isInstanceOf(TusTarget.class);
    assertThat(target.describe()).isEqualTo(described).doesNotContain("hunter2");
  }

  @Test
  void keepsATusPasswordOutOfTheMessage() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> TargetUris.open("tus+https://anna:hunter2@host/files/", TargetSettings.defaults()))
        .withMessageNotContaining("hunter2")
        .withMessageContaining("tus+https://***@host/files/")
        .withMessageContaining(TargetSettings.PASSWORD_VARIABLE);
  }
}
