package dev.autoupload.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import java.util.Optional;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.ParsingErrorHandler;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.scaladsl.model.ErrorInfo;
import org.apache.pekko.http.scaladsl.model.StatusCode;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;

/**
 * Answers a request too malformed to reach the routes (bad syntax, an unknown method or HTTP
 * version, a URI or header over Pekko's limits) with the same JSON error as every other 4xx: 413,
 * 414 or 431 for what is over a size limit, else 400, never a 5xx. The message is fixed: Pekko's
 * own quotes the request (a URI with a token in its query, a header), and this endpoint never
 * sends back what it was sent. It logs nothing, for the same reason.
 *
 * <p>Pekko instantiates it by name from {@code pekko.http.server.parsing.error-handler}.
 */
public final class JsonParsingErrorHandler extends ParsingErrorHandler {

  private static final ObjectMapper MAPPER = new ObjectMapper().registerModule(new Jdk8Module());

  @Override
  public HttpResponse handle(StatusCode status, ErrorInfo info, LoggingAdapter log, ServerSettings settings) {
    int code = status.intValue();
    String message =
        switch (code) {
          case 413, 414, 431 -> "the request is over a size limit: " + status.reason();
          // Pekko's own status for these is a 5xx; they are the client's mistakes.
          case 501 -> "malformed request: unsupported method";
          case 505 -> "malformed request: unsupported HTTP version; use HTTP/1.1";
          case 400 -> "malformed request";
          default -> "malformed request: " + status.reason();
        };
    String body;
    try {
      body = MAPPER.writeValueAsString(new ApiJson.Error(message, Optional.empty()));
    } catch (JsonProcessingException e) {
      body = "{\"error\":\"malformed request\"}";
    }
    int answered = code == 413 || code == 414 || code == 431 ? code : 400;
    return HttpResponse.create().withStatus(answered).withEntity(ContentTypes.APPLICATION_JSON, body);
  }
}
