package dev.autoupload.targets.nextcloud;

import static org.assertj.core.api.Assertions.assertThat;

import dev.autoupload.targets.nextcloud.StoredFileCheck.Decision;
import dev.autoupload.targets.nextcloud.StoredFileCheck.Expected;
import dev.autoupload.targets.nextcloud.StoredFileCheck.Reported;
import dev.autoupload.targets.nextcloud.StoredFileCheck.Verdict;
import java.util.Optional;
import java.util.OptionalLong;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

/**
 * {@link StoredFileCheck} against a reference model: a file as it truly is on the server, what each
 * server variant reports of it, and the whole check (PROPFIND, then a read-back where it cannot
 * tell) must find "the same" exactly when the file truly holds the expected bytes, on every variant.
 */
class StoredFileCheckProperties {

  private static final String A = "a".repeat(64);
  private static final String B = "b".repeat(64);

  /** What a server reports of a file, by the deployments the target meets. */
  enum Variant {
    /** Size and the stored {@code OC-Checksum}. */
    CHECKSUM_STORED,
    /** Object storage with a distributed cache: no checksum for an assembled upload. */
    NO_CHECKSUM,
    /** nextcloud/server#64029: 0 bytes recorded, checksum kept. */
    ZERO_SIZE,
    /** Both: 0 bytes recorded and no checksum. */
    ZERO_SIZE_NO_CHECKSUM,
    /** No {@code getcontentlength} at all. */
    NO_SIZE
  }

  private static Reported report(Variant variant, long size, String sha256) {
    return switch (variant) {
      case CHECKSUM_STORED -> new Reported(OptionalLong.of(size), Optional.of(sha256));
      case NO_CHECKSUM -> new Reported(OptionalLong.of(size), Optional.empty());
      case ZERO_SIZE -> new Reported(OptionalLong.of(0), Optional.of(sha256));
      case ZERO_SIZE_NO_CHECKSUM -> new Reported(OptionalLong.of(0), Optional.empty());
      case NO_SIZE -> new Reported(OptionalLong.empty(), Optional.of(sha256));
    };
  }

  /** Contents as the model knows them; the same sha256 means the same bytes, so the same size. */
  enum Content {
    EMPTY(0, "e"),
    X(2, "x"),
    Y(2, "y"),
    Z(3, "z");

    final long size;
    final String sha256;

    Content(long size, String letter) {
      this.size = size;
      this.sha256 = letter.repeat(64);
    }
  }

  @Property(seed = "17", tries = 2000)
  void theCheckFindsTheSameFileExactlyWhenItIsTheSameOnEveryServerVariant(
      @ForAll Content stored, @ForAll Content expectedContent, @ForAll Variant variant) {
    Expected expected = new Expected(expectedContent.size, expectedContent.sha256);
    Reported reported = report(variant, stored.size, stored.sha256);

    Decision first = StoredFileCheck.judge(expected, reported);
    Decision last =
        first.verdict() == Verdict.READ_BACK
            ? StoredFileCheck.judgeReadBack(expected, stored.size, stored.sha256)
            : first;

    assertThat(last.verdict()).isNotEqualTo(Verdict.READ_BACK);
    assertThat(last.verdict() == Verdict.SAME).as(last.reason()).isEqualTo(stored == expectedContent);
    assertThat(first.reason()).isNotBlank();
    assertThat(last.reason()).isNotBlank();
  }

  @Property(seed = "17", tries = 2000)
  void readsBackOnlyWhenTheAnswerCannotTell(
      @ForAll @LongRange(min = 0, max = 3) long reportedSize,
      @ForAll boolean sizeReported,
      @ForAll boolean hashReported,
      @ForAll boolean hashIsA,
      @ForAll @LongRange(min = 0, max = 3) long expectedSize) {
    Reported reported =
        new Reported(
            sizeReported ? OptionalLong.of(reportedSize) : OptionalLong.empty(),
            hashReported ? Optional.of(hashIsA ? A : B) : Optional.empty());

    Decision decision = StoredFileCheck.judge(new Expected(expectedSize, A), reported);

    boolean cannotTell =
        !sizeReported
            || reportedSize == 0 && expectedSize > 0
            || reportedSize == expectedSize && !hashReported;
    assertThat(decision.verdict() == Verdict.READ_BACK).as(decision.reason()).isEqualTo(cannotTell);
  }

  @Property(seed = "17", tries = 200)
  void aProbeReadsBackOnlyAFileRecordedWithZeroBytes(@ForAll @LongRange(min = 0, max = 1L << 40) long reportedSize) {
    assertThat(StoredFileCheck.probeReadsBack(reportedSize)).isEqualTo(reportedSize == 0);
  }
}
