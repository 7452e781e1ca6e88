package dev.autoupload.app;

import dev.autoupload.http.ApiToken;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code autoupload token}: prints the control endpoint's token. */
@Command(
    name = "token",
    mixinStandardHelpOptions = true,
    description = {
      "Prints the token the control endpoint asks for (Authorization: Bearer <token>, or the web "
          + "page's login). It is kept in http-token in the data dir, readable by its owner only; "
          + "if there is none yet, a new one is made there."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:the token is printed",
      "2:bad command line or configuration",
      "3:the token file cannot be read or written"
    })
final class TokenCommand extends InstanceCommand {

  @Mixin InstanceOptions instance;

  @Override
  void run(PrintWriter out) {
    Path dataDir = instance.dataDir();
    try {
      out.println(ApiToken.loadOrCreate(dataDir).value());
    } catch (IOException e) {
      throw new RunFailure(
          Main.CANNOT_START, "cannot read or create " + ApiToken.file(dataDir) + ": " + e.getMessage(), e);
    }
  }
}
