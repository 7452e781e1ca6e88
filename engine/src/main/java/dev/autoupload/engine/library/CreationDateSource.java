package dev.autoupload.engine.library;

/** Where an asset's creation date came from, best first; recorded with every upload. */
public enum CreationDateSource {
  /** EXIF DateTimeOriginal with its OffsetTimeOriginal: the moment the photo was taken. */
  EXIF,
  /** EXIF DateTimeOriginal without an offset, read as the device's local time. */
  EXIF_LOCAL_TIME,
  /** The video's own creation time (QuickTime / MP4 movie header, or Apple's creation date). */
  VIDEO_METADATA,
  /** The date the host app handed over with the asset (a photo library's own record). */
  HOST_APP,
  /** The file's creation or modification time: the last resort, wrong for copied files. */
  FILE_TIME
}
