package dev.autoupload.engine.activity;

import java.util.List;
import java.util.Optional;

/**
 * A page of the Activity list; {@code next} is the cursor for the following page (pass it as
 * {@code before}), empty on the last page.
 *
 * @param items the items of this page, in the requested order
 * @param next the cursor for the following page; empty on the last page
 */
public record ActivityPage(List<ActivityItem> items, Optional<String> next) {

  /**
   * Copies {@code items}, so the page stays immutable.
   *
   * @param items the items of this page, in the requested order
   * @param next the cursor for the following page; empty on the last page
   */
  public ActivityPage {
    items = List.copyOf(items);
  }
}
