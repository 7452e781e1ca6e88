package dev.autoupload.engine.conditions;

import dev.autoupload.engine.internal.serialization.CborSerializable;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What the device reports about itself: power, network, permissions and how the OS treats us.
 *
 * @param batteryPercent 0–100
 * @param charging on a charger
 * @param lowPowerMode Low Power Mode (Battery Saver) is on
 * @param network the kind of network
 * @param metered the network is billed by volume; metered Wi-Fi counts as cellular
 * @param wifiSsid the Wi-Fi network's name, when on Wi-Fi and known
 * @param backgroundRefreshAllowed the user lets the app work in the background
 * @param photoAccess what the user lets the app read of the photo library
 * @param osState how the OS treats the app now
 * @param networkSince when the device joined the network it is on, if the app knows: a phone that
 *     has been on the same Wi-Fi for an hour passes the start gate's {@code stable-wifi} wait at
 *     once. Empty: the engine counts from the report that first showed this network
 *
 * <p>Build one with {@link #builder()}, naming each component, or from {@link #desktop()} or
 * {@link #phone()} with the {@code with…} methods, e.g. {@code
 * DeviceConditions.phone().withBattery(85, false).withWifi("home")}.
 */
public record DeviceConditions(
    int batteryPercent,
    boolean charging,
    boolean lowPowerMode,
    Network network,
    boolean metered,
    Optional<String> wifiSsid,
    boolean backgroundRefreshAllowed,
    PhotoAccess photoAccess,
    OsState osState,
    Optional<Instant> networkSince)
    implements CborSerializable {

  /** The kind of network the device is on. */
  public enum Network {
    /** No network. */
    NONE,
    /** Wi-Fi; see {@code metered} for a phone's hotspot. */
    WIFI,
    /** Mobile data; always counts as metered. */
    CELLULAR,
    /** A wired network. */
    ETHERNET
  }

  /** What the user lets the app read of the photo library. */
  public enum PhotoAccess {
    /** Every photo. */
    FULL,
    /**
     * Only the photos the user picked; uploads wait ({@link BlockerReason#PHOTO_ACCESS_LIMITED}).
     */
    LIMITED,
    /** None; uploads wait ({@link BlockerReason#PHOTO_ACCESS_DENIED}). */
    NONE
  }

  /** How the OS treats the app now. */
  public enum OsState {
    /** On screen. */
    FOREGROUND,
    /** Running in the background. */
    BACKGROUND,
    /** Suspended: uploads wait ({@link BlockerReason#OS_SUSPENDED}). */
    SUSPENDED,
    /** Throttled: uploads go on, fewer at once ({@link BlockerReason#OS_THROTTLED}). */
    THROTTLED
  }

  /**
   * Checks the components.
   *
   * @param batteryPercent 0–100
   * @param charging on a charger
   * @param lowPowerMode Low Power Mode (Battery Saver) is on
   * @param network the kind of network
   * @param metered the network is billed by volume; metered Wi-Fi counts as cellular
   * @param wifiSsid the Wi-Fi network's name, when on Wi-Fi and known
   * @param backgroundRefreshAllowed the user lets the app work in the background
   * @param photoAccess what the user lets the app read of the photo library
   * @param osState how the OS treats the app now
   * @param networkSince when the device joined the network it is on, if the app knows: a phone that
   *     has been on the same Wi-Fi for an hour passes the start gate's {@code stable-wifi} wait at
   *     once. Empty: the engine counts from the report that first showed this network
   * @throws NullPointerException when an object component is null
   * @throws IllegalArgumentException when {@code batteryPercent} is outside 0–100
   */
  public DeviceConditions {
    Objects.requireNonNull(network, "network");
    Objects.requireNonNull(wifiSsid, "wifiSsid");
    Objects.requireNonNull(photoAccess, "photoAccess");
    Objects.requireNonNull(osState, "osState");
    Objects.requireNonNull(networkSince, "networkSince");
    if (batteryPercent < 0 || batteryPercent > 100) {
      throw new IllegalArgumentException("batteryPercent must be 0-100, got " + batteryPercent);
    }
  }

  /**
   * Conditions with no {@code networkSince}: the engine counts from the report.
   *
   * @param batteryPercent 0–100
   * @param charging on a charger
   * @param lowPowerMode Low Power Mode (Battery Saver) is on
   * @param network the kind of network
   * @param metered billed by volume
   * @param wifiSsid the Wi-Fi's name, when on Wi-Fi and known
   * @param backgroundRefreshAllowed the user lets the app work in the background
   * @param photoAccess what the user lets the app read of the photo library
   * @param osState how the OS treats the app now
   */
  public DeviceConditions(
      int batteryPercent,
      boolean charging,
      boolean lowPowerMode,
      Network network,
      boolean metered,
      Optional<String> wifiSsid,
      boolean backgroundRefreshAllowed,
      PhotoAccess photoAccess,
      OsState osState) {
    this(
        batteryPercent, charging, lowPowerMode, network, metered, wifiSsid, backgroundRefreshAllowed, photoAccess,
        osState, Optional.empty());
  }

  /**
   * A plugged-in desktop on a wired network in the foreground: what the command line assumes until
   * a condition source says otherwise ({@code autoupload.conditions.initial = "desktop"}).
   *
   * @return those conditions
   */
  public static DeviceConditions desktop() {
    return new DeviceConditions(
        100, true, false, Network.ETHERNET, false, Optional.empty(), true, PhotoAccess.FULL, OsState.FOREGROUND);
  }

  /**
   * A phone in the foreground with full photo access and Background App Refresh on, not charging,
   * battery full, on no network yet: the start for a host's own report.
   *
   * @return those conditions
   */
  public static DeviceConditions phone() {
    return new DeviceConditions(
        100, false, false, Network.NONE, false, Optional.empty(), true, PhotoAccess.FULL, OsState.FOREGROUND);
  }

  /**
   * A builder whose defaults never let a forgotten component cost the user money or battery:
   *
   * <pre>{@code
   * DeviceConditions now = DeviceConditions.builder()
   *     .batteryPercent(85)
   *     .network(Network.WIFI).metered(false).wifiSsid("home")
   *     .osState(OsState.BACKGROUND)
   *     .build();
   * }</pre>
   *
   * @return a builder with the defaults {@link Builder} lists
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Collects conditions component by component; see {@link DeviceConditions#builder()}. Until set,
   * a component is:
   *
   * <ul>
   *   <li>{@code network}: {@link Network#NONE}, so nothing uploads until the host names one;
   *   <li>{@code metered}: true, whatever the network: a network not said to be unmetered counts as
   *       mobile data, which uploads only with {@code autoupload.policy.allow-cellular}; call
   *       {@code metered(false)} for unmetered Wi-Fi or a wire;
   *   <li>{@code batteryPercent}: 0 and {@code charging} false, so a background run starts only once
   *       the host reports its battery (the battery gates background runs only);
   *   <li>{@code lowPowerMode}: false; {@code wifiSsid}: none; {@code networkSince}: none (the
   *       engine counts from the report);
   *   <li>{@code backgroundRefreshAllowed}: true; {@code photoAccess}: {@link PhotoAccess#FULL};
   *       {@code osState}: {@link OsState#FOREGROUND}.
   * </ul>
   *
   * <p>Not thread-safe; each {@link #build()} makes new conditions.
   */
  public static final class Builder {
    private int batteryPercent = 0;
    private boolean charging = false;
    private boolean lowPowerMode = false;
    private Network network = Network.NONE;
    private boolean metered = true;
    private Optional<String> wifiSsid = Optional.empty();
    private boolean backgroundRefreshAllowed = true;
    private PhotoAccess photoAccess = PhotoAccess.FULL;
    private OsState osState = OsState.FOREGROUND;
    private Optional<Instant> networkSince = Optional.empty();

    private Builder() {}

    /**
     * @param percent 0–100, checked by {@link #build()}
     * @return this builder
     */
    public Builder batteryPercent(int percent) {
      this.batteryPercent = percent;
      return this;
    }

    /**
     * @param charging on a charger
     * @return this builder
     */
    public Builder charging(boolean charging) {
      this.charging = charging;
      return this;
    }

    /**
     * @param on Low Power Mode (Battery Saver) is on
     * @return this builder
     */
    public Builder lowPowerMode(boolean on) {
      this.lowPowerMode = on;
      return this;
    }

    /**
     * @param network the kind of network; say whether it is {@link #metered(boolean) metered} too
     * @return this builder
     */
    public Builder network(Network network) {
      this.network = Objects.requireNonNull(network, "network");
      return this;
    }

    /**
     * @param metered the network is billed by volume; metered Wi-Fi counts as cellular
     * @return this builder
     */
    public Builder metered(boolean metered) {
      this.metered = metered;
      return this;
    }

    /**
     * @param ssid the Wi-Fi network's name; kept only when the network is {@link Network#WIFI}
     * @return this builder
     */
    public Builder wifiSsid(String ssid) {
      this.wifiSsid = Optional.of(ssid);
      return this;
    }

    /**
     * @param allowed the user lets the app work in the background
     * @return this builder
     */
    public Builder backgroundRefreshAllowed(boolean allowed) {
      this.backgroundRefreshAllowed = allowed;
      return this;
    }

    /**
     * @param access what the user lets the app read of the photo library
     * @return this builder
     */
    public Builder photoAccess(PhotoAccess access) {
      this.photoAccess = Objects.requireNonNull(access, "access");
      return this;
    }

    /**
     * @param state how the OS treats the app now
     * @return this builder
     */
    public Builder osState(OsState state) {
      this.osState = Objects.requireNonNull(state, "state");
      return this;
    }

    /**
     * @param since when the device joined the network it is on
     * @return this builder
     */
    public Builder networkSince(Instant since) {
      this.networkSince = Optional.of(since);
      return this;
    }

    /**
     * @return the conditions, with the defaults for every component not set
     * @throws IllegalArgumentException when the battery percentage is outside 0–100
     */
    public DeviceConditions build() {
      return new DeviceConditions(
          batteryPercent, charging, lowPowerMode, network, metered,
          network == Network.WIFI ? wifiSsid : Optional.empty(), backgroundRefreshAllowed, photoAccess, osState,
          networkSince);
    }
  }

  /**
   * @param percent 0–100
   * @param charging on a charger
   * @return these conditions with that battery
   */
  public DeviceConditions withBattery(int percent, boolean charging) {
    return new DeviceConditions(
        percent, charging, lowPowerMode, network, metered, wifiSsid, backgroundRefreshAllowed, photoAccess, osState,
        networkSince);
  }

  /**
   * @param on Low Power Mode (Battery Saver) is on
   * @return these conditions with it so
   */
  public DeviceConditions withLowPowerMode(boolean on) {
    return new DeviceConditions(
        batteryPercent, charging, on, network, metered, wifiSsid, backgroundRefreshAllowed, photoAccess, osState,
        networkSince);
  }

  /**
   * On unmetered Wi-Fi named {@code ssid}.
   *
   * @param ssid the network's name
   * @return these conditions on that Wi-Fi
   */
  public DeviceConditions withWifi(String ssid) {
    return withNetwork(Network.WIFI, false, Optional.of(ssid));
  }

  /**
   * On {@code network}; {@code ssid} only counts on Wi-Fi. Keeps {@code networkSince}: set it
   * after this with {@link #withNetworkSince} when the app knows it.
   *
   * @param network the kind of network
   * @param metered billed by volume
   * @param ssid the Wi-Fi's name, if known
   * @return these conditions on that network
   */
  public DeviceConditions withNetwork(Network network, boolean metered, Optional<String> ssid) {
    return new DeviceConditions(
        batteryPercent, charging, lowPowerMode, network, metered, network == Network.WIFI ? ssid : Optional.empty(),
        backgroundRefreshAllowed, photoAccess, osState, networkSince);
  }

  /**
   * @param since when the device joined the network it is on
   * @return these conditions with it
   */
  public DeviceConditions withNetworkSince(Instant since) {
    return new DeviceConditions(
        batteryPercent, charging, lowPowerMode, network, metered, wifiSsid, backgroundRefreshAllowed, photoAccess, osState,
        Optional.of(since));
  }

  /**
   * @param allowed the user lets the app work in the background
   * @return these conditions with it so
   */
  public DeviceConditions withBackgroundRefreshAllowed(boolean allowed) {
    return new DeviceConditions(
        batteryPercent, charging, lowPowerMode, network, metered, wifiSsid, allowed, photoAccess, osState, networkSince);
  }

  /**
   * @param access what the user lets the app read of the photo library
   * @return these conditions with it
   */
  public DeviceConditions withPhotoAccess(PhotoAccess access) {
    return new DeviceConditions(
        batteryPercent, charging, lowPowerMode, network, metered, wifiSsid, backgroundRefreshAllowed, access, osState,
        networkSince);
  }

  /**
   * @param state how the OS treats the app now
   * @return these conditions with it
   */
  public DeviceConditions withOsState(OsState state) {
    return new DeviceConditions(
        batteryPercent, charging, lowPowerMode, network, metered, wifiSsid, backgroundRefreshAllowed, photoAccess, state,
        networkSince);
  }

  /**
   * On a network billed by volume: cellular, or any other marked metered (a phone's hotspot). What
   * a library's rules for mobile data look at.
   * @return true on cellular or a metered network
   */
  public boolean onMeteredNetwork() {
    return network == Network.CELLULAR || (network != Network.NONE && metered);
  }

  /**
   * On a network that is neither cellular nor metered.
   *
   * @return true on unmetered Wi-Fi or Ethernet
   */
  public boolean onUnmeteredWifiOrWire() {
    return (network == Network.WIFI || network == Network.ETHERNET) && !metered;
  }
}
