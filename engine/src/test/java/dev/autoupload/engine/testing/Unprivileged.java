package dev.autoupload.engine.testing;

import java.io.File;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs the part of a test that needs file permissions to apply as a user they apply to. Tests run
 * as root on CI, and root reads unreadable files and writes read-only folders, so a test of what a
 * user sees then would prove nothing there. As root, the check runs in a child JVM as uid and gid
 * 65534 (nobody) through {@code setpriv}, on a copy of the class path nobody can read (root's
 * Maven repository lives in its private home); as any other user it runs right here.
 *
 * <p>A check is a static method of the test class taking {@code String...}; it fails by throwing,
 * as an assertion does. The files it looks at must be reachable by nobody: see {@link #openToAll}.
 */
public final class Unprivileged {

  private static final String NOBODY = "65534";
  private static final long TIMEOUT_SECONDS = 120;
  private static Path classPathCopy;

  private Unprivileged() {}

  /**
   * Runs {@code testClass.method(args)}: in a child JVM as nobody when the tests run as root, else
   * in this one. Fails the test with the child's output when the check fails.
   */
  public static void run(Class<?> testClass, String method, String... args) throws Exception {
    if (!runningAsRoot()) {
      invoke(testClass.getName(), method, args);
      return;
    }
    List<String> command = new ArrayList<>(List.of(
        "setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups",
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", readableClassPath(), Unprivileged.class.getName(), testClass.getName(), method));
    command.addAll(Arrays.asList(args));
    Process child =
        new ProcessBuilder(command).directory(classPathCopy.toFile()).redirectErrorStream(true).start();
    child.getOutputStream().close();
    String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!child.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      child.destroyForcibly();
      throw new AssertionError("the check " + method + " run as nobody did not end\n" + output);
    }
    if (child.exitValue() != 0) {
      throw new AssertionError("the check " + method + " run as nobody failed (exit " + child.exitValue() + "):\n" + output);
    }
  }

  /** The child JVM: runs one check and exits 0, or prints why it failed and exits 1. */
  public static void main(String[] args) {
    try {
      invoke(args[0], args[1], Arrays.copyOfRange(args, 2, args.length));
    } catch (Throwable failure) {
      failure.printStackTrace();
      System.exit(1);
    }
    System.exit(0);
  }

  /** True when the tests run as root, whom file permissions do not stop. */
  private static boolean runningAsRoot() {
    return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
  }

  /**
   * Lets every user list {@code folder} and pass through each folder above it that does not let
   * them yet, which a check run as nobody needs to reach its files (JUnit makes temporary folders
   * for their owner only).
   */
  public static void openToAll(Path folder) throws IOException {
    Path absolute = folder.toAbsolutePath();
    for (Path dir = absolute; dir != null; dir = dir.getParent()) {
      Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(dir);
      boolean changed = permissions.add(PosixFilePermission.OTHERS_EXECUTE);
      if (dir.equals(absolute)) {
        changed |= permissions.add(PosixFilePermission.OTHERS_READ);
      }
      if (changed) {
        Files.setPosixFilePermissions(dir, permissions);
      }
    }
  }

  private static void invoke(String className, String method, String[] args) throws Exception {
    Method check = Class.forName(className).getDeclaredMethod(method, String[].class);
    check.setAccessible(true);
    try {
      check.invoke(null, (Object) args);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof Exception exception) {
        throw exception;
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw e;
    }
  }

  /**
   * This JVM's class path with each entry nobody could read replaced by a copy (a hard link where
   * it can be) in a folder every user may read, made once and removed when the JVM exits.
   */
  private static synchronized String readableClassPath() throws IOException {
    if (classPathCopy == null) {
      classPathCopy = Files.createTempDirectory("autoupload-classpath");
      Files.setPosixFilePermissions(classPathCopy, PosixFilePermissions.fromString("rwxr-xr-x"));
      Path copy = classPathCopy;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(copy)));
    }
    List<String> entries = new ArrayList<>();
    int n = 0;
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path path = Path.of(entry).toAbsolutePath();
      if (!Files.exists(path) || othersCanRead(path)) {
        entries.add(entry);
        continue;
      }
      Path copy = classPathCopy.resolve(n++ + "-" + path.getFileName());
      if (!Files.exists(copy)) {
        copyReadable(path, copy);
      }
      entries.add(copy.toString());
    }
    return String.join(File.pathSeparator, entries);
  }

  private static boolean othersCanRead(Path path) throws IOException {
    Set<PosixFilePermission> own = Files.getPosixFilePermissions(path);
    if (!own.contains(PosixFilePermission.OTHERS_READ)
        || (Files.isDirectory(path) && !own.contains(PosixFilePermission.OTHERS_EXECUTE))) {
      return false;
    }
    for (Path dir = path.getParent(); dir != null; dir = dir.getParent()) {
      if (!Files.getPosixFilePermissions(dir).contains(PosixFilePermission.OTHERS_EXECUTE)) {
        return false;
      }
    }
    return true;
  }

  private static void copyReadable(Path source, Path copy) throws IOException {
    try (Stream<Path> tree = Files.walk(source)) {
      for (Path from : tree.toList()) {
        Path to = copy.resolve(source.relativize(from).toString());
        if (Files.isDirectory(from)) {
          Files.createDirectories(to);
          Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rwxr-xr-x"));
        } else if (!linked(from, to)) {
          Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
          Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rw-r--r--"));
        }
      }
    }
  }

  /** A hard link costs nothing, where the file is readable by others and on the same disk. */
  private static boolean linked(Path from, Path to) throws IOException {
    if (!Files.getPosixFilePermissions(from).contains(PosixFilePermission.OTHERS_READ)) {
      return false;
    }
    try {
      Files.createLink(to, from);
      return true;
    } catch (FileSystemException | UnsupportedOperationException e) {
      return false;
    }
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> tree = Files.walk(root)) {
      for (Path path : tree.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      // The JVM is exiting: a copy left in the temporary folder is all it costs.
    }
  }
}
