package dev.autoupload.engine.conditions;

/**
 * Why uploads are waiting (or, for {@link #OS_THROTTLED}, slowed down). Every waiting asset carries
 * the complete set that applies, each with words a user understands.
 */
public enum BlockerReason {
  CONDITIONS_UNKNOWN("Waiting for the app to report the device's conditions"),
  LOW_POWER_MODE("Waiting — Low Power Mode is on"),
  BACKGROUND_REFRESH_OFF("Waiting — Background App Refresh is off"),
  PHOTO_ACCESS_LIMITED("Waiting — photo access is limited; grant Full Access"),
  PHOTO_ACCESS_DENIED("Waiting — no access to photos"),
  NO_NETWORK("Waiting for a network connection"),
  WIFI_REQUIRED("Waiting for Wi-Fi — mobile data is off in settings"),
  WAITING_FOR_STABLE_WIFI("Waiting for a stable Wi-Fi connection before starting"),
  BATTERY_BELOW_START_THRESHOLD("Waiting for the battery to charge before starting"),
  OS_SUSPENDED("Paused by the system — resumes automatically"),
  OS_THROTTLED("Slowed down by the system", Scope.SLOWS),
  USER_PAUSED("Paused by you"),
  NOT_CHARGING("Waiting for the charger — uploads only while charging"),
  SSID_NOT_ALLOWED("Waiting for an allowed Wi-Fi network"),
  QUIET_HOURS("Waiting — quiet hours"),
  OUTSIDE_SCHEDULE("Waiting — outside the upload schedule"),
  TOO_RECENT("Waiting — taken less than min-age ago; it goes once it is older", Scope.ASSET),
  PHOTOS_WAIT_FOR_WIFI("Waiting for Wi-Fi — photos are set not to use mobile data", Scope.ASSET),
  VIDEOS_WAIT_FOR_WIFI("Waiting for Wi-Fi — videos upload on unmetered networks only", Scope.ASSET),
  TOO_LARGE_FOR_MOBILE_DATA("Waiting for Wi-Fi — too large for mobile data (max-size-on-metered)", Scope.ASSET),
  TARGET_FULL("Stopped — the backup storage is full"),
  NOT_AUTHORIZED("Stopped — the backup storage rejected the credentials"),
  TARGET_UNTRUSTED("Stopped — the backup storage's identity could not be verified (TLS)"),
  TARGET_UNREACHABLE("Waiting — the backup storage cannot be reached or is not answering; trying again shortly"),
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

  /** Plain words for the user. */
  public String description() {
    return description;
  }

  /** False for reasons that only slow uploads down instead of stopping them. */
  public boolean blocking() {
    return scope != Scope.SLOWS;
  }

  /**
   * True for reasons a library's rules ({@code LibraryRules}) hold some assets back for, while the
   * library's other assets may go on uploading.
   */
  public boolean perAsset() {
    return scope == Scope.ASSET;
  }
}
