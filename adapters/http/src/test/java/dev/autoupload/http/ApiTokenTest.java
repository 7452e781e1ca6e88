package dev.autoupload.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiTokenTest {

  @TempDir Path dir;

  @Test
  void aNewTokenIs256RandomBitsInAnOwnerOnlyFile() throws IOException {
    Path dataDir = dir.resolve("not-yet-there");

    ApiToken token = ApiToken.loadOrCreate(dataDir);

    assertThat(token.value()).matches("[A-Za-z0-9_-]{43}");
    assertThat(Files.readString(dataDir.resolve("http-token"))).isEqualTo(token.value() + "\n");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir.resolve("http-token")))).isEqualTo("rw-------");
    assertThat(ApiToken.loadOrCreate(dataDir).value()).isEqualTo(token.value());
    try (var leftovers = Files.list(dataDir)) {
      assertThat(leftovers).extracting(path -> path.getFileName().toString()).containsExactly("http-token");
    }
  }

  @Test
  void tokensDoNotRepeat() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      assertThat(seen.add(ApiToken.generate())).isTrue();
    }
  }

  @Test
  void aStoredTokenReadableByOthersIsNarrowedTo600() throws IOException {
    Path file = dir.resolve("http-token");
    Files.writeString(file, "a-token-someone-wrote-by-hand-0123456789\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

    ApiToken token = ApiToken.read(dir).orElseThrow();

    assertThat(token.value()).isEqualTo("a-token-someone-wrote-by-hand-0123456789");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
  }

  @Test
  void aTokenFileThatIsASymbolicLinkIsRefusedAndNothingGoesThroughIt() throws IOException {
    Path dataDir = Files.createDirectories(dir.resolve("data"));
    // A token someone else knows, in a file of theirs that the link would have narrowed to 600.
    Path planted = Files.writeString(dir.resolve("planted"), "a-token-someone-else-knows-0123456789\n");
    Files.setPosixFilePermissions(planted, PosixFilePermissions.fromString("rw-r--r--"));
    Files.createSymbolicLink(dataDir.resolve("http-token"), planted);

    assertThatThrownBy(() -> ApiToken.loadOrCreate(dataDir))
        .isInstanceOf(IOException.class)
        .hasMessage(dataDir.resolve("http-token") + " is a symbolic link, which the token is never read or written"
            + " through; remove it to have a new token made");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(planted))).isEqualTo("rw-r--r--");

    Files.delete(dataDir.resolve("http-token"));
    Files.createSymbolicLink(dataDir.resolve("http-token"), dir.resolve("nothing-here-yet"));

    assertThatThrownBy(() -> ApiToken.loadOrCreate(dataDir)).isInstanceOf(IOException.class).hasMessageContaining("is a symbolic link");
    assertThat(dir.resolve("nothing-here-yet")).as("no file made where a dangling link points").doesNotExist();
    try (var left = Files.list(dataDir)) {
      assertThat(left).extracting(path -> path.getFileName().toString()).containsExactly("http-token");
    }
  }

  @Test
  void aShortOrEmptyStoredTokenIsRefusedNotUsed() throws IOException {
    Files.writeString(dir.resolve("http-token"), "secret\n");
    assertThatThrownBy(() -> ApiToken.loadOrCreate(dir)).isInstanceOf(IOException.class).hasMessageContaining("delete it");

    Files.writeString(dir.resolve("http-token"), "");
    assertThatThrownBy(() -> ApiToken.read(dir)).isInstanceOf(IOException.class);
  }

  @Test
  void matchesOnlyTheExactTokenAndNeverShowsItInToString() throws IOException {
    ApiToken token = ApiToken.loadOrCreate(dir);

    assertThat(token.matches(token.value())).isTrue();
    assertThat(token.matches(token.value() + "x")).isFalse();
    assertThat(token.matches(token.value().substring(1))).isFalse();
    assertThat(token.matches("")).isFalse();
    assertThat(token.toString()).doesNotContain(token.value());
  }
}
