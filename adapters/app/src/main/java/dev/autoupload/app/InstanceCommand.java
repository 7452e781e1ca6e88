package dev.autoupload.app;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A command that reports on a running instance: failures become one line on stderr and an exit code. */
abstract class InstanceCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Override
  public final Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try {
      run(out);
      out.flush();
      return Main.OK;
    } catch (RunFailure failure) {
      out.flush();
      PrintWriter err = spec.commandLine().getErr();
      err.println(Main.ERROR_PREFIX + OneLine.of(failure.getMessage()));
      err.flush();
      return failure.exitCode();
    }
  }

  abstract void run(PrintWriter out);
}
