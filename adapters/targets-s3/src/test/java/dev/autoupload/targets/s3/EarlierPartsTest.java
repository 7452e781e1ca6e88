package dev.autoupload.targets.s3;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.CompletedPart;

class EarlierPartsTest {

  private static final int PART = 1000;
  private final byte[] file = random(3 * PART + 10);

  @Test
  void partsWhoseChecksumsOrEtagsAreTheFilesMatchFedInAnyPieces() throws Exception {
    EarlierParts parts =
        new EarlierParts(List.of(bySha256(1, slice(0)), byEtag(2, slice(1)), bySha256(2 + 1, slice(2))), PART);

    assertThat(feedInPieces(parts, file, 3 * PART, 333)).isEmpty();
    assertThat(parts.allMatch()).isTrue();
  }

  @Test
  void aPartOfOtherBytesIsNamedWhenItsLastByteIsFed() throws Exception {
    byte[] other = file.clone();
    other[PART + 500] ^= 1;
    EarlierParts bySha256 = new EarlierParts(List.of(bySha256(1, slice(0)), bySha256(2, slice(1))), PART);
    EarlierParts byEtag = new EarlierParts(List.of(byEtag(1, slice(0)), byEtag(2, slice(1))), PART);

    assertThat(feedInPieces(bySha256, other, 2 * PART, 700)).hasValue(2);
    assertThat(feedInPieces(byEtag, other, 2 * PART, 2 * PART)).hasValue(2);
    assertThat(byEtag.allMatch()).isFalse();
  }

  /** SSE-KMS and SSE-C make a part's ETag something other than its MD5: it cannot be told, so it is not taken as checked. */
  @Test
  void aPartWhoseEtagIsNoMd5IsNeitherDifferentNorChecked() throws Exception {
    EarlierParts parts =
        new EarlierParts(List.of(byEtag(1, slice(0)), CompletedPart.builder().partNumber(2).eTag("\"kms-7f3a\"").build()), PART);

    assertThat(feedInPieces(parts, file, 2 * PART, 512)).isEmpty();
    assertThat(parts.allMatch()).isFalse();
  }

  @Test
  void bytesNotFedInOrderFromByteZeroLeaveThePartsUnchecked() throws Exception {
    EarlierParts parts = new EarlierParts(List.of(byEtag(1, slice(0))), PART);

    assertThat(parts.feed(10, ByteBuffer.wrap(file, 10, PART - 10))).isEmpty();
    assertThat(parts.allMatch()).isFalse();
  }

  @Test
  void partsNotAllFedAreNotAllChecked() throws Exception {
    EarlierParts parts = new EarlierParts(List.of(byEtag(1, slice(0)), byEtag(2, slice(1))), PART);

    assertThat(feedInPieces(parts, file, PART + 1, 100)).isEmpty();
    assertThat(parts.allMatch()).isFalse();
  }

  private static OptionalInt feedInPieces(EarlierParts parts, byte[] bytes, int upTo, int piece) {
    for (int at = 0; at < upTo; at += piece) {
      OptionalInt differing = parts.feed(at, ByteBuffer.wrap(bytes, at, Math.min(piece, upTo - at)));
      if (differing.isPresent()) {
        return differing;
      }
    }
    return OptionalInt.empty();
  }

  private byte[] slice(int part) {
    byte[] bytes = new byte[PART];
    System.arraycopy(file, part * PART, bytes, 0, PART);
    return bytes;
  }

  private static CompletedPart bySha256(int number, byte[] bytes) throws Exception {
    String checksum = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(bytes));
    return CompletedPart.builder().partNumber(number).eTag("\"not-looked-at\"").checksumSHA256(checksum).build();
  }

  private static CompletedPart byEtag(int number, byte[] bytes) throws Exception {
    String md5 = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
    return CompletedPart.builder().partNumber(number).eTag("\"" + md5 + "\"").build();
  }

  private static byte[] random(int size) {
    byte[] bytes = new byte[size];
    new Random(42).nextBytes(bytes);
    return bytes;
  }
}
