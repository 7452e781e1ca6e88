package dev.autoupload.engine.conditions;

/**
 * Why uploads are waiting (or, for {@link #OS_THROTTLED}, slowed down). Every waiting asset carries
 * the complete set that applies, each with words a user understands.
 */
public enum BlockerReason {
  /** No condition source has reported yet. */
  CONDITIONS_UNKNOWN("Waiting for the app to report the device's conditions"),
  /** The device is in Low Power Mode (Battery Saver). */
  LOW_POWER_MODE("Waiting — Low Power Mode is on"),
  /** The user does not let the app work in the background. */
  BACKGROUND_REFRESH_OFF("Waiting — Background App Refresh is off"),
  /** The app may read only the photos the user picked. */
  PHOTO_ACCESS_LIMITED("Waiting — photo access is limited; grant Full Access"),
  /** The app may not read the photo library. */
  PHOTO_ACCESS_DENIED("Waiting — no access to photos"),
  /** The device is on no network. */
  NO_NETWORK("Waiting for a network connection"),
  /** On mobile data (cellular, or metered Wi-Fi such as a hotspot), and the settings do not allow it. */
  WIFI_REQUIRED("Waiting for Wi-Fi — mobile data is off in settings"),
  /**
   * In the background, before a run starts: not yet on unmetered Wi-Fi or a wire for {@code
   * stable-wifi}.
   */
  WAITING_FOR_STABLE_WIFI("Waiting for a stable Wi-Fi connection before starting"),
  /** In the background, before a run starts: the battery is at or below the start threshold, not charging. */
  BATTERY_BELOW_START_THRESHOLD("Waiting for the battery to charge before starting"),
  /** The OS has suspended the app. */
  OS_SUSPENDED("Paused by the system — resumes automatically"),
  /** The OS throttles the app: uploads go on, fewer at once. Not blocking. */
  OS_THROTTLED("Slowed down by the system", Scope.SLOWS),
  /** The user paused uploads ({@link dev.autoupload.engine.UploadEngine#pause()}). */
  USER_PAUSED("Paused by you"),
  /** The settings upload only while charging, and the device is not. */
  NOT_CHARGING("Waiting for the charger — uploads only while charging"),
  /** On a Wi-Fi network not in the settings' allow-list. */
  SSID_NOT_ALLOWED("Waiting for an allowed Wi-Fi network"),
  /** Inside the settings' quiet hours. */
  QUIET_HOURS("Waiting — quiet hours"),
  /** Outside the settings' upload schedule. */
  OUTSIDE_SCHEDULE("Waiting — outside the upload schedule"),
  /** Per asset: the library's rules want it older ({@code min-age}). */
  TOO_RECENT("Waiting — taken less than min-age ago; it goes once it is older", Scope.ASSET),
  /** Per asset: on a metered network, and the library's rules keep photos off it. */
  PHOTOS_WAIT_FOR_WIFI("Waiting for Wi-Fi — photos are set not to use mobile data", Scope.ASSET),
  /** Per asset: on a metered network, and the library's rules keep videos off it. */
  VIDEOS_WAIT_FOR_WIFI("Waiting for Wi-Fi — videos upload on unmetered networks only", Scope.ASSET),
  /** Per asset: on a metered network, and the file is above the library's {@code max-size-on-metered}. */
  TOO_LARGE_FOR_MOBILE_DATA("Waiting for Wi-Fi — too large for mobile data (max-size-on-metered)", Scope.ASSET),
  /** The target reported it has no space left. */
  TARGET_FULL("Stopped — the backup storage is full"),
  /** The target rejected the credentials. */
  NOT_AUTHORIZED("Stopped — the backup storage rejected the credentials"),
  /** The target's TLS identity could not be verified. */
  TARGET_UNTRUSTED("Stopped — the backup storage's identity could not be verified (TLS)"),
  /** The target did not answer or could not be reached; the engine retries by itself. */
  TARGET_UNREACHABLE("Waiting — the backup storage cannot be reached or is not answering; trying again shortly"),
  /** The library's backup stopped on an error; its {@code LibraryStatus} says why. */
  LIBRARY_DOWN("Stopped — this library's backup failed; see why in its status");

  /** What a reason holds back. */
  private enum Scope {
    /** Every upload of the library, or of every library. */
    ALL,
    /** Nothing: uploads go on, fewer at once. */
    SLOWS,
    /** The assets a library's rules hold back; the others go on. */
    ASSET
  }

  private final String description;
  private final Scope scope;

  BlockerReason(String description) {
    this(description, Scope.ALL);
  }

  BlockerReason(String description, Scope scope) {
    this.description = description;
    this.scope = scope;
  }

  /** {@return plain words for the user}, as the Activity view and status show them. */
  public String description() {
    return description;
  }

  /** {@return whether the reason stops uploads}: false for those that only slow them down. */
  public boolean blocking() {
    return scope != Scope.SLOWS;
  }

  /**
   * True for reasons a library's rules ({@code LibraryRules}) hold some assets back for, while the
   * library's other assets may go on uploading.
   *
   * @return true when the reason holds back single assets, not the whole library
   */
  public boolean perAsset() {
    return scope == Scope.ASSET;
  }
}
