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
 * Answers a request too malformed to reach the routes (a URI or header over Pekko's limits, bad
 * syntax) with the same JSON error as every other 4xx. It logs nothing: Pekko's default would log
 * the parse error's detail, which can quote a header.
 *
 * <p>Pekko instantiates it by name from {@code pekko.http.server.parsing.error-handler}.
 */
public final class JsonParsingErrorHandler extends ParsingErrorHandler {

  private static final ObjectMapper MAPPER = new ObjectMapper().registerModule(new Jdk8Module());

  @Override
  public HttpResponse handle(StatusCode status, ErrorInfo info, LoggingAdapter log, ServerSettings settings) {
    String summary = info.summary().isBlank() ? status.reason() : info.summary();
    String body;
    try {
      body = MAPPER.writeValueAsString(new ApiJson.Error(summary, Optional.empty()));
    } catch (JsonProcessingException e) {
      body = "{\"error\":\"bad request\"}";
    }
    return HttpResponse.create().withStatus(status).withEntity(ContentTypes.APPLICATION_JSON, body);
  }
}
