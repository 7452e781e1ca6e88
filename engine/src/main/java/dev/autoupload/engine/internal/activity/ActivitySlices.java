package dev.autoupload.engine.internal.activity;

import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * How the upload events are split into slices for the Activity projection: every upload's events
 * carry one tag, its slice's, chosen by its persistence id, and each slice has a projection of its
 * own, with its own offset. A cluster runs the slices on different nodes; one engine runs them all.
 *
 * <p>The number of slices is fixed for a journal when its first engine starts ({@code
 * autoupload.activity.slices}, stored in the journal database): an event keeps the tag it was
 * written with, so a different number later would leave events in slices that no projection reads.
 * One slice is tagged {@code file-upload}, the tag every event had before there were slices, so a
 * journal written before keeps working as one slice.
 *
 * <p>An upload's events all fall in one slice, in their order; the read model folds each upload's
 * events into its own row only, so the slices can be folded in any order relative to each other.
 */
public final class ActivitySlices implements Extension {

  /** The tag of a journal of one slice, and the prefix of the tags of several. */
  public static final String TAG = "file-upload";
  /** The most slices a journal may have: each is a projection reading the journal on its own. */
  public static final int MAX = 64;
  /** The setting that tells an engine's actor system the journal's number of slices. */
  public static final String SETTING = "autoupload.activity.slices";

  private static final ExtensionId<ActivitySlices> ID =
      new ExtensionId<>() {
        @Override
        public ActivitySlices createExtension(ActorSystem<?> system) {
          var config = system.settings().config();
          return new ActivitySlices(config.hasPath(SETTING) ? config.getInt(SETTING) : 1);
        }
      };

  private final int count;

  private ActivitySlices(int count) {
    this.count = requireValid(count);
  }

  /**
   * The slices of the journal {@code system} writes to.
   *
   * @param system an engine's actor system
   * @return its slicing
   */
  public static ActivitySlices of(ActorSystem<?> system) {
    return system.registerExtension(ID);
  }

  /**
   * The number of slices.
   *
   * @return 1 to {@link #MAX}
   */
  public int count() {
    return count;
  }

  /**
   * The tag of an upload's events.
   *
   * @param persistenceId the upload's persistence id
   * @return its slice's tag
   */
  public String tagOf(String persistenceId) {
    return tag(sliceOf(persistenceId, count), count);
  }

  /**
   * The tags of every slice, in slice order.
   *
   * @param count the number of slices
   * @return {@code count} tags
   */
  public static List<String> tags(int count) {
    requireValid(count);
    List<String> tags = new ArrayList<>(count);
    for (int slice = 0; slice < count; slice++) {
      tags.add(tag(slice, count));
    }
    return tags;
  }

  /**
   * The slice an upload's events fall in: by its persistence id's {@link String#hashCode}, which
   * the Java specification fixes, so every process and version agrees.
   *
   * @param persistenceId the upload's persistence id
   * @param count the number of slices
   * @return 0 to {@code count - 1}
   */
  public static int sliceOf(String persistenceId, int count) {
    return Math.floorMod(persistenceId.hashCode(), requireValid(count));
  }

  /**
   * A slice's tag.
   *
   * @param slice 0 to {@code count - 1}
   * @param count the number of slices
   * @return {@link #TAG} for a journal of one slice, else {@code file-upload-<slice>}
   */
  public static String tag(int slice, int count) {
    requireValid(count);
    if (slice < 0 || slice >= count) {
      throw new IllegalArgumentException("slice " + slice + " is not one of the " + count + " slices");
    }
    return count == 1 ? TAG : TAG + "-" + slice;
  }

  /**
   * Checks a number of slices.
   *
   * @param count the number
   * @return {@code count}
   * @throws IllegalArgumentException when it is not 1 to {@link #MAX}
   */
  public static int requireValid(int count) {
    return requireValid(count, SETTING);
  }

  /**
   * Checks a number of slices that {@code setting} gives.
   *
   * @param count the number
   * @param setting the setting that gave it, for the message
   * @return {@code count}
   * @throws IllegalArgumentException when it is not 1 to {@link #MAX}
   */
  public static int requireValid(int count, String setting) {
    if (count < 1 || count > MAX) {
      throw new IllegalArgumentException(setting + " must be 1 to " + MAX + ", not " + count);
    }
    return count;
  }
}
