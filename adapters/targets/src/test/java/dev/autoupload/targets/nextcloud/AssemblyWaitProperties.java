package dev.autoupload.targets.nextcloud;

import static org.assertj.core.api.Assertions.assertThat;

import dev.autoupload.targets.nextcloud.AssemblyWait.Decision;
import dev.autoupload.targets.nextcloud.AssemblyWait.Step;
import java.util.OptionalLong;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * {@link AssemblyWait} against a reference model of a server assembling in the background: the
 * assembly ends at time {@code end}, successful (the part appears, then the upload folder goes
 * {@code lag} later) or failed (the folder goes, no part); the target looks at the folder at {@code
 * folderAt} and at the part {@code gap} later. Whatever the interleaving, a finished assembly is
 * never sent again and nothing is published that was not assembled.
 */
class AssemblyWaitProperties {

  private static final long SIZE = 15;

  @Property(seed = "17", tries = 3000)
  void decidesByWhatTheServerDidNeverByTheMomentItLooked(
      @ForAll boolean succeeds,
      @ForAll @IntRange(min = 0, max = 10) int end,
      @ForAll @IntRange(min = 0, max = 3) int lag,
      @ForAll @IntRange(min = 0, max = 12) int folderAt,
      @ForAll @IntRange(min = 0, max = 3) int gap,
      @ForAll boolean recordsZeroBytes,
      @ForAll boolean staleDifferentPart,
      @ForAll boolean pastDeadline) {
    int partAt = folderAt + gap;
    boolean folderPresent = folderAt < (succeeds ? end + lag : end);
    OptionalLong part;
    if (succeeds && partAt >= end) {
      part = OptionalLong.of(recordsZeroBytes ? 0 : SIZE);
    } else {
      // What an earlier upload of another version of the file may have left under the part name.
      part = staleDifferentPart ? OptionalLong.of(SIZE - 4) : OptionalLong.empty();
    }

    Decision decision = AssemblyWait.next(part, folderPresent, SIZE, pastDeadline);

    boolean assembledWhenLooked = succeeds && partAt >= end;
    boolean goneWhenLooked = !folderPresent;
    assertThat(decision.reason()).isNotBlank();
    if (succeeds) {
      assertThat(decision.step()).as("a successful assembly is never started over").isNotEqualTo(Step.FAILED);
    }
    if (decision.step() == Step.ASSEMBLED) {
      assertThat(assembledWhenLooked).as("published only what was assembled").isTrue();
    }
    if (assembledWhenLooked && goneWhenLooked) {
      assertThat(decision.step()).isEqualTo(Step.ASSEMBLED);
    }
    if (folderPresent) {
      assertThat(decision.step()).as("a part beside the chunks may be an earlier upload's").isNotEqualTo(Step.ASSEMBLED);
    }
    if (!succeeds && goneWhenLooked) {
      assertThat(decision.step()).isEqualTo(Step.FAILED);
    }
    if (decision.step() == Step.WAIT || decision.step() == Step.TIMED_OUT) {
      assertThat(folderPresent).as("waits only while the chunks are there").isTrue();
      assertThat(decision.step() == Step.TIMED_OUT).isEqualTo(pastDeadline);
    }
  }
}
