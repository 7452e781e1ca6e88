package dev.autoupload.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class StatusCommandTest {

  @Test
  void aStalledLibraryIsOneLineWithHowLongHowManyAndWhy() throws Exception {
    String json =
        "{\"library\":\"camera\",\"kind\":\"no-progress\",\"since\":\"2026-12-01T08:00:00Z\",\"forSeconds\":25320,"
            + "\"waiting\":40,\"reasons\":[{\"code\":\"WIFI_REQUIRED\",\"text\":\"Waiting for Wi-Fi\"}],"
            + "\"causes\":[\"the target: HTTP 503\\nService Unavailable\"]}";
    assertThat(StatusCommand.stalledLine(new ObjectMapper().readTree(json)))
        .isEqualTo(
            "STALLED: library camera: nothing backed up for 7h 2m, 40 file(s) waiting: Waiting for Wi-Fi; "
                + "the target: HTTP 503 Service Unavailable");
  }

  @Test
  void aTooOldBackupSaysWhenTheLastOneWas() throws Exception {
    String json = "{\"library\":\"camera\",\"kind\":\"too-old\",\"forSeconds\":777600,\"waiting\":3,\"reasons\":[],\"causes\":[]}";
    assertThat(StatusCommand.stalledLine(new ObjectMapper().readTree(json)))
        .isEqualTo("STALLED: library camera: the last backup was 9d 0h ago, 3 file(s) waiting");
  }

  @Test
  void aClusterNodeSaysWhereTheLibrariesRunAndWhichNoNodeAnsweredFor() throws Exception {
    String json =
        "[{\"id\":\"alice\",\"node\":\"10.0.0.6:2551\",\"unknown\":null},"
            + "{\"id\":\"bob\",\"node\":\"10.0.0.5:2551\",\"unknown\":null},"
            + "{\"id\":\"carol\",\"node\":\"10.0.0.5:2551\",\"unknown\":null},"
            + "{\"id\":\"dave\",\"node\":null,\"unknown\":\"unreachable: no node answered for it within 5000 ms\"}]";

    assertThat(StatusCommand.clusterLines(new ObjectMapper().readTree(json)))
        .containsExactly(
            "nodes: 10.0.0.5:2551 runs 2 libraries, 10.0.0.6:2551 runs 1 library",
            "library dave: status unknown: unreachable: no node answered for it within 5000 ms");
  }

  @Test
  void aSingleProcessNamesNoNode() throws Exception {
    String json = "[{\"id\":\"alice\",\"node\":null,\"unknown\":null},{\"id\":\"bob\"}]";

    assertThat(StatusCommand.clusterLines(new ObjectMapper().readTree(json))).isEmpty();
  }

  @Test
  void theFilesLineCountsWhatWasLeftOutOrNeverOfferedOnlyWhenThereIsAny() throws Exception {
    String files = "\"files\":{\"found\":3,\"backedUp\":2,\"uploading\":1,\"waiting\":0,\"failed\":0,\"skipped\":0}";
    ObjectMapper json = new ObjectMapper();

    assertThat(StatusCommand.filesLine(json.readTree("{" + files + ",\"run\":{\"leftOutByOnlySince\":0,\"notOffered\":0}}")))
        .isEqualTo("files: 2 of 3 backed up, 1 uploading, 0 waiting, 0 failed, 0 skipped (this run)");
    assertThat(StatusCommand.filesLine(json.readTree("{" + files + ",\"run\":{\"leftOutByOnlySince\":4,\"notOffered\":2000}}")))
        .isEqualTo(
            "files: 2 of 3 backed up, 1 uploading, 0 waiting, 0 failed, 0 skipped (this run); 4 left out by only-since; "
                + "2000 not offered (not a photo or video by extension)");
  }
}
