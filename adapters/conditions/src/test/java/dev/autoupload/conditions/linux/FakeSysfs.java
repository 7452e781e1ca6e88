package dev.autoupload.conditions.linux;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A sysfs layout in a temporary folder: the real files the kernel would show, written by hand. */
final class FakeSysfs {

  final Path root;

  FakeSysfs(Path root) {
    this.root = root;
    write("class/net/lo/operstate", "unknown");
    write("class/net/lo/carrier", "1");
  }

  FakeSysfs battery(String name, int capacity, String status) {
    write("class/power_supply/" + name + "/type", "Battery");
    write("class/power_supply/" + name + "/capacity", String.valueOf(capacity));
    write("class/power_supply/" + name + "/status", status);
    return this;
  }

  /** A peripheral's battery, such as a wireless mouse's. */
  FakeSysfs deviceBattery(String name, int capacity) {
    battery(name, capacity, "Discharging");
    write("class/power_supply/" + name + "/scope", "Device");
    return this;
  }

  FakeSysfs mains(String name, boolean online) {
    write("class/power_supply/" + name + "/type", "Mains");
    write("class/power_supply/" + name + "/online", online ? "1" : "0");
    return this;
  }

  FakeSysfs ethernet(String name, String operstate) {
    write("class/net/" + name + "/operstate", operstate);
    return this;
  }

  FakeSysfs wifi(String name, String operstate) {
    write("class/net/" + name + "/operstate", operstate);
    mkdirs("class/net/" + name + "/wireless");
    return this;
  }

  FakeSysfs write(String path, String content) {
    Path file = root.resolve(path);
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, content + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  FakeSysfs mkdirs(String path) {
    try {
      Files.createDirectories(root.resolve(path));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }
}
