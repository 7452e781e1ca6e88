package dev.autoupload.engine.activity;

/** How the Activity list is sorted, newest first. */
public enum ActivityOrder {
  /** By when the file reached the target: what was just backed up comes first. */
  UPLOADED,
  /** By when the photo was taken, as a gallery sorts it. */
  CREATED
}
