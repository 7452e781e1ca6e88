package dev.autoupload.targets.nextcloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.autoupload.targets.webdav.StderrCapture;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class DavListingTest {

  @Test
  void aSabreErrorBodyIsQuotedByItsMessage() {
    String body =
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><d:error xmlns:d=\"DAV:\" xmlns:s=\"http://sabredav.org/ns\">"
            + "<s:exception>Sabre\\DAV\\Exception\\InsufficientStorage</s:exception><s:message>Quota exceeded</s:message></d:error>";

    assertThat(DavListing.errorMessage(body)).isEqualTo("Quota exceeded");
  }

  @Test
  void theCurrentUserPrincipalNamesTheUserIdDecodedAndNothingElseDoes() throws IOException {
    String answer =
        "<?xml version=\"1.0\"?><d:multistatus xmlns:d=\"DAV:\"><d:response><d:href>/nextcloud/remote.php/dav/</d:href>"
            + "<d:propstat><d:prop><d:current-user-principal><d:href>/nextcloud/remote.php/dav/principals/users/anna%20m/"
            + "</d:href></d:current-user-principal></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>"
            + "</d:multistatus>";
    String unauthenticated =
        "<?xml version=\"1.0\"?><d:multistatus xmlns:d=\"DAV:\"><d:response><d:href>/remote.php/dav/</d:href>"
            + "<d:propstat><d:prop><d:current-user-principal><d:unauthenticated/></d:current-user-principal></d:prop>"
            + "<d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>";

    assertThat(DavListing.currentUserId(answer)).contains("anna m");
    assertThat(DavListing.currentUserId(unauthenticated)).isEmpty();
  }

  @Test
  void malformedAnswersAreQuotedOrRefusedWithoutALineOnStderr() {
    String cutOff = "<d:error xmlns:d=\"DAV:\" xmlns:s=\"http://sabredav.org/ns\"><s:message>Quota";

    String stderr =
        StderrCapture.during(
            () -> {
              assertThat(DavListing.errorMessage(cutOff)).isEqualTo(cutOff);
              assertThatThrownBy(() -> DavListing.parse("<d:multistatus xmlns:d=\"DAV:\">"))
                  .isInstanceOf(IOException.class)
                  .hasMessageStartingWith("unreadable PROPFIND answer: ");
            });

    assertThat(stderr).as("what the XML parser printed").isEmpty();
  }
}
