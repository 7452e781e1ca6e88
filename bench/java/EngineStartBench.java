import dev.autoupload.engine.UploadEngine;
import java.nio.file.Path;

/**
 * One start of an embedded engine as its host sees it (bench/engine-start.sh): the time {@code
 * UploadEngine.builder().dataDir(…).start()} takes in a fresh JVM, then {@code close()}'s. Prints
 * {@code start <ms> close <ms>} on stdout.
 */
public final class EngineStartBench {

  public static void main(String[] args) throws Exception {
    long begin = System.nanoTime();
    UploadEngine engine = UploadEngine.builder().dataDir(Path.of(args[0])).start();
    long started = System.nanoTime();
    engine.close();
    long closed = System.nanoTime();
    System.out.printf("start %d close %d%n", (started - begin) / 1_000_000, (closed - started) / 1_000_000);
  }
}
