package dev.autoupload.targets.webdav;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MultistatusTest {

  private static final String SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

  @Test
  void aMalformedAnswerIsAnErrorOfItsOwnNotALineOnStderr() {
    String stderr =
        StderrCapture.during(
            () -> {
              assertThatThrownBy(() -> Multistatus.parse("<d:multistatus xmlns:d=\"DAV:\"><d:response>"))
                  .isInstanceOf(IOException.class)
                  .hasMessageStartingWith("unreadable PROPFIND answer: ");
              assertThatThrownBy(() -> Multistatus.parse("502 Bad Gateway"))
                  .isInstanceOf(IOException.class)
                  .hasMessageStartingWith("unreadable PROPFIND answer: ");
            });

    assertThat(stderr).as("what the XML parser printed").isEmpty();
  }

  @Test
  void readsSizeFromNginxWhichReportsNoChecksum() throws IOException {
    String xml =
        "<?xml version=\"1.0\" encoding=\"utf-8\" ?><D:multistatus xmlns:D=\"DAV:\"><D:response>"
            + "<D:href>/a/b.jpg</D:href><D:propstat><D:prop><D:getcontentlength>3</D:getcontentlength>"
            + "<D:getlastmodified>Tue, 02 Jul 2024 10:11:12 GMT</D:getlastmodified>"
            + "<D:resourcetype></D:resourcetype></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>"
            + "</D:response></D:multistatus>";

    assertThat(Multistatus.parse(xml)).isEqualTo(new Multistatus(false, OptionalLong.of(3), Optional.empty(), Optional.of("Tue, 02 Jul 2024 10:11:12 GMT")));
  }

  @Test
  void readsANextcloudSha256AndIgnoresPropertiesTheServerDoesNotHave() throws IOException {
    String xml =
        "<d:multistatus xmlns:d=\"DAV:\" xmlns:oc=\"http://owncloud.org/ns\"><d:response><d:href>/x</d:href>"
            + "<d:propstat><d:prop><d:getcontentlength>4</d:getcontentlength><d:resourcetype/>"
            + "<oc:checksums><oc:checksum>SHA1:a94a8fe5ccb19ba61c4c0873d391e987982fbbd3 MD5:098f6bcd4621d373cade4e832627b4f6 SHA256:"
            + SHA.toUpperCase()
            + "</oc:checksum></oc:checksums></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>"
            + "<d:propstat><d:prop><d:getcontentlength>99</d:getcontentlength></d:prop>"
            + "<d:status>HTTP/1.1 404 Not Found</d:status></d:propstat></d:response></d:multistatus>";

    assertThat(Multistatus.parse(xml)).isEqualTo(new Multistatus(false, OptionalLong.of(4), Optional.of(SHA), Optional.empty()));
  }

  @Test
  void tellsAFolder() throws IOException {
    String xml =
        "<multistatus xmlns=\"DAV:\"><response><href>/a/</href><propstat><prop>"
            + "<resourcetype><collection/></resourcetype></prop><status>HTTP/1.1 200 OK</status>"
            + "</propstat></response></multistatus>";

    assertThat(Multistatus.parse(xml).collection()).isTrue();
  }

  @Test
  void refusesDoctypesAndGarbage() {
    assertThatThrownBy(
            () -> Multistatus.parse("<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>"))
        .isInstanceOf(IOException.class);
    assertThatThrownBy(() -> Multistatus.parse("not xml")).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> Multistatus.parse("<multistatus xmlns=\"DAV:\"/>")).isInstanceOf(IOException.class);
  }

  private static String listing(String... hrefs) {
    StringBuilder xml = new StringBuilder("<?xml version=\"1.0\"?><D:multistatus xmlns:D=\"DAV:\">");
    for (String href : hrefs) {
      xml.append("<D:response><D:href>").append(href).append("</D:href><D:propstat><D:prop><D:resourcetype/>")
          .append("</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>");
    }
    return xml.append("</D:multistatus>").toString();
  }

  @Test
  void aListingNamesEachResourceAsGivenAndDecodedInNfc() throws IOException {
    String decomposed = "Cafe\u0301.jpg";

    Set<String> names =
        Multistatus.listedNames(
            listing(
                "/au/2026/12/",
                "/au/2026/12/with%20space.jpg",
                "http://127.0.0.1:8080/au/2026/12/sub/",
                "/au/2026/12/" + decomposed,
                "/au/2026/12/100%.jpg"));

    assertThat(names)
        .contains("12", "with space.jpg", "with%20space.jpg", "sub", "Caf\u00e9.jpg", "100%.jpg")
        .doesNotContain(decomposed);
  }

  /** nginx leaves a '%' in a name unescaped: the name as given must count, or it is taken for absent. */
  @Test
  void aNameWithPercentSequencesCountsAsGivenAndAsDecoded() throws IOException {
    Set<String> names = Multistatus.listedNames(listing("/au/..%2F..%2Fliteral.jpg", "/au/a%2520b.jpg"));

    assertThat(names).contains("..%2F..%2Fliteral.jpg", "../../literal.jpg", "a%2520b.jpg", "a%20b.jpg");
  }

  @Test
  void aListingThatCannotBeReadWhollyIsNoListing() {
    assertThatThrownBy(() -> Multistatus.listedNames("<D:error xmlns:D=\"DAV:\"/>"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("not a multistatus");
    assertThatThrownBy(
            () ->
                Multistatus.listedNames(
                    "<D:multistatus xmlns:D=\"DAV:\"><D:response><D:propstat/></D:response></D:multistatus>"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("without an href");
    assertThatThrownBy(() -> Multistatus.listedNames("<D:multistatus xmlns:D=\"DAV:\"><D:response>"))
        .isInstanceOf(IOException.class);
  }
}
