package dev.autoupload.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Page sessions and the access decision, without a server. */
class SessionsTest {

  private final AtomicLong now = new AtomicLong();
  private final Sessions sessions = new Sessions(Duration.ofMinutes(30), 3, now::get);

  @TempDir Path dir;

  @Test
  void aSessionEndsAfterItsIdleTimeoutButUseKeepsItAlive() {
    Sessions.Created created = sessions.create();

    now.addAndGet(Duration.ofMinutes(20).toNanos());
    assertThat(sessions.find(created.cookieValue())).contains(created.session());
    now.addAndGet(Duration.ofMinutes(20).toNanos());
    assertThat(sessions.find(created.cookieValue())).isPresent();
    now.addAndGet(Duration.ofMinutes(31).toNanos());
    assertThat(sessions.find(created.cookieValue())).isEmpty();
  }

  @Test
  void beyondTheLimitTheLeastRecentlyUsedSessionEnds() {
    Sessions.Created first = sessions.create();
    Sessions.Created second = sessions.create();
    Sessions.Created third = sessions.create();
    sessions.find(first.cookieValue());

    Sessions.Created fourth = sessions.create();

    assertThat(sessions.find(second.cookieValue())).isEmpty();
    assertThat(sessions.find(first.cookieValue())).isPresent();
    assertThat(sessions.find(third.cookieValue())).isPresent();
    assertThat(sessions.find(fourth.cookieValue())).isPresent();
  }

  @Test
  void eachSessionHasItsOwnCsrfToken() {
    Sessions.Session one = sessions.create().session();
    Sessions.Session two = sessions.create().session();

    assertThat(one.csrfToken()).isNotEqualTo(two.csrfToken()).hasSize(43);
    assertThat(one.csrfMatches(one.csrfToken())).isTrue();
    assertThat(one.csrfMatches(two.csrfToken())).isFalse();
    assertThat(one.csrfMatches("")).isFalse();
  }

  @Test
  void accessNeedsTheTokenOrASessionAndCsrfForChangesMadeWithTheCookie() throws IOException {
    ApiToken token = ApiToken.loadOrCreate(dir);
    Access access = new Access(token, sessions);
    Sessions.Created login = sessions.create();
    Optional<String> cookie = Optional.of(login.cookieValue());
    Optional<String> csrf = Optional.of(login.session().csrfToken());
    Optional<String> none = Optional.empty();

    assertThat(access.decide("POST", Optional.of("Bearer " + token.value()), none, none)).isInstanceOf(Access.Allowed.class);
    assertThat(access.decide("GET", Optional.of("Bearer nope"), cookie, csrf)).isInstanceOf(Access.Unauthorized.class);
    assertThat(access.decide("GET", none, none, none)).isInstanceOf(Access.Unauthorized.class);
    assertThat(access.decide("GET", none, Optional.of("forged"), none)).isInstanceOf(Access.Unauthorized.class);
    assertThat(access.decide("GET", none, cookie, none)).isInstanceOf(Access.Allowed.class);
    assertThat(access.decide("POST", none, cookie, none)).isInstanceOf(Access.Forbidden.class);
    assertThat(access.decide("PUT", none, cookie, Optional.of("guess"))).isInstanceOf(Access.Forbidden.class);
    assertThat(access.decide("DELETE", none, cookie, none)).isInstanceOf(Access.Forbidden.class);
    assertThat(access.decide("POST", none, cookie, csrf)).isInstanceOf(Access.Allowed.class);
  }
}
