package dev.autoupload.http;

import java.util.Optional;
import org.apache.pekko.http.javadsl.model.StatusCode;

/** A request the API refuses with a 4xx and a JSON error, optionally naming the field at fault. */
final class ApiProblem extends RuntimeException {

  private final StatusCode status;
  private final Optional<String> field;

  ApiProblem(StatusCode status, String message, Optional<String> field) {
    super(message);
    this.status = status;
    this.field = field;
  }

  static ApiProblem badRequest(String field, String message) {
    return new ApiProblem(org.apache.pekko.http.javadsl.model.StatusCodes.BAD_REQUEST, message, Optional.of(field));
  }

  StatusCode status() {
    return status;
  }

  Optional<String> field() {
    return field;
  }
}
