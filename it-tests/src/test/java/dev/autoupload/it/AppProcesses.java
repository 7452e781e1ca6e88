package dev.autoupload.it;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts {@link AppProcess}es for a test and kills every one still running after it, pass or
 * fail, so no app outlives its test. Register it with {@code @RegisterExtension}.
 */
public final class AppProcesses implements AfterEachCallback {

  private final List<AppProcess> started = new ArrayList<>();

  public AppProcess start(AppProcess.Launch launch) {
    AppProcess process = launch.start();
    started.add(process);
    return process;
  }

  public AppProcess start(String... args) {
    return start(AppProcess.launch(args));
  }

  @Override
  public void afterEach(ExtensionContext context) {
    for (AppProcess process : started) {
      process.close();
    }
    started.clear();
  }
}
