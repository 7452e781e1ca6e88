package dev.autoupload.engine.activity;

import java.util.List;
import java.util.Optional;

/**
 * A page of the Activity list; {@code next} is the cursor for the following page (pass it as
 * {@code before}), empty on the last page.
 */
public record ActivityPage(List<ActivityItem> items, Optional<String> next) {

  public ActivityPage {
    items = List.copyOf(items);
  }
}
