import me.desair.tus.server.TusFileUploadService;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The bench's tus 1.0 server: tus-java-server on Jetty 12 on 127.0.0.1, as the tests start it
 * ({@code TusServer}), storing uploads under STORAGE_DIR; the bench counts requests at the nginx
 * in front of it.
 *
 * <pre>java -cp … TusBenchServer STORAGE_DIR PORT</pre>
 */
public final class TusBenchServer {

  public static void main(String[] args) throws Exception {
    TusFileUploadService tus =
        new TusFileUploadService()
            .withUploadUri("/files/")
            .withStoragePath(args[0])
            .withUploadExpirationPeriod(24L * 60 * 60 * 1000)
            .withDownloadFeature();
    Server jetty = new Server();
    ServerConnector connector = new ServerConnector(jetty);
    connector.setHost("127.0.0.1");
    connector.setPort(Integer.parseInt(args[1]));
    jetty.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    context.addServlet(
        new ServletHolder(
            new HttpServlet() {
              @Override
              protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
                tus.process(request, response);
              }
            }),
        "/files/*");
    jetty.setHandler(context);
    jetty.start();
    jetty.join();
  }
}
