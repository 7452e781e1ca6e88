package dev.autoupload.engine.conditions;

import dev.autoupload.engine.serialization.CborSerializable;
import java.util.Objects;
import java.util.Optional;

/**
 * What the device reports about itself: power, network, permissions and how the OS treats us.
 *
 * @param batteryPercent 0–100
 * @param metered the network is billed by volume; metered Wi-Fi counts as cellular
 * @param wifiSsid the Wi-Fi network's name, when on Wi-Fi and known
 * @param backgroundRefreshAllowed the user lets the app work in the background
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
    OsState osState)
    implements CborSerializable {

  public enum Network {
    NONE,
    WIFI,
    CELLULAR,
    ETHERNET
  }

  public enum PhotoAccess {
    FULL,
    LIMITED,
    NONE
  }

  public enum OsState {
    FOREGROUND,
    BACKGROUND,
    SUSPENDED,
    THROTTLED
  }

  public DeviceConditions {
    Objects.requireNonNull(network, "network");
    Objects.requireNonNull(wifiSsid, "wifiSsid");
    Objects.requireNonNull(photoAccess, "photoAccess");
    Objects.requireNonNull(osState, "osState");
    if (batteryPercent < 0 || batteryPercent > 100) {
      throw new IllegalArgumentException("batteryPercent must be 0-100, got " + batteryPercent);
    }
  }

  /**
   * A plugged-in desktop on a wired network in the foreground: what the engine assumes until a
   * condition source says otherwise.
   */
  public static DeviceConditions desktop() {
    return new DeviceConditions(
        100, true, false, Network.ETHERNET, false, Optional.empty(), true, PhotoAccess.FULL, OsState.FOREGROUND);
  }

  /**
   * On a network billed by volume: cellular, or any other marked metered (a phone's hotspot). What
   * a library's rules for mobile data look at.
   */
  public boolean onMeteredNetwork() {
    return network == Network.CELLULAR || (network != Network.NONE && metered);
  }

  /** On a network that is neither cellular nor metered. */
  public boolean onUnmeteredWifiOrWire() {
    return (network == Network.WIFI || network == Network.ETHERNET) && !metered;
  }
}
