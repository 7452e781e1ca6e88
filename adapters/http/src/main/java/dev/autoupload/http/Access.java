package dev.autoupload.http;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Who may call {@code /api}: a client with {@code Authorization: Bearer <token>}, or the page
 * logged in with a session cookie. A state-changing request made with the cookie must also carry
 * the session's CSRF token, which a foreign page cannot read; a Bearer request needs none, as a
 * browser never adds that header to a cross-site request by itself.
 */
final class Access {

  private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");
  private static final String BEARER = "bearer ";

  /** How a request got in. */
  enum Via {
    BEARER,
    COOKIE
  }

  /** An authenticated caller; a cookie caller has its cookie and session. */
  record Caller(Via via, Optional<String> cookie, Optional<Sessions.Session> session) {}

  sealed interface Decision {}

  record Allowed(Caller caller) implements Decision {}

  /** 401: no credentials, or wrong ones. */
  record Unauthorized(String message) implements Decision {}

  /** 403: a logged-in page without the CSRF token. */
  record Forbidden(String message) implements Decision {}

  private final ApiToken token;
  private final Sessions sessions;

  Access(ApiToken token, Sessions sessions) {
    this.token = token;
    this.sessions = sessions;
  }

  /**
   * Decides on a request from its method and the raw values of its Authorization header, session
   * cookie and CSRF header. An Authorization header, when present, decides alone.
   */
  Decision decide(String method, Optional<String> authorization, Optional<String> cookie, Optional<String> csrf) {
    if (authorization.isPresent()) {
      String value = authorization.get().strip();
      boolean bearer =
          value.length() > BEARER.length()
              && value.substring(0, BEARER.length()).toLowerCase(Locale.ROOT).equals(BEARER);
      return bearer && token.matches(value.substring(BEARER.length()).strip())
          ? new Allowed(new Caller(Via.BEARER, Optional.empty(), Optional.empty()))
          : new Unauthorized("wrong token");
    }
    Optional<Sessions.Session> session = cookie.flatMap(sessions::find);
    if (session.isEmpty()) {
      return new Unauthorized(
          cookie.isPresent()
              ? "session expired: log in again"
              : "authorization required: send Authorization: Bearer <token from the data dir's http-token file>");
    }
    if (!SAFE_METHODS.contains(method.toUpperCase(Locale.ROOT))
        && !csrf.map(session.get()::csrfMatches).orElse(false)) {
      return new Forbidden("missing or wrong " + Sessions.CSRF_HEADER + " header");
    }
    return new Allowed(new Caller(Via.COOKIE, cookie, session));
  }
}
