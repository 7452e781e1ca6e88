package dev.autoupload.engine.activity;

/** Where an asset's upload stands in the Activity view. */
public enum UploadState {
  UPLOADING,
  PAUSED,
  COMPLETED,
  FAILED,
  SKIPPED
}
