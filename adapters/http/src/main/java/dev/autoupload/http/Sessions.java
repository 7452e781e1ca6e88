package dev.autoupload.http;

import java.time.Duration;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The page's logins. Logging in with the API token gives the browser a random session id in an
 * HttpOnly SameSite=Strict cookie, and the page a CSRF token it must send in {@value
 * #CSRF_HEADER} with every state-changing request, which a foreign page can neither read nor
 * forge.
 *
 * <p>Sessions are kept by the SHA-256 of their id, so a lookup's timing tells nothing about the
 * ids; they end after {@code idleTimeout} without use, and beyond {@code maxSessions} the least
 * recently used one ends. They live in memory: a restart logs the page out.
 */
final class Sessions {

  static final String COOKIE = "autoupload_session";
  static final String CSRF_HEADER = "X-CSRF-Token";

  /** A login: the token the page must echo in {@value #CSRF_HEADER}. */
  record Session(String csrfToken) {
    /** Whether {@code candidate} is this session's CSRF token, compared in constant time. */
    boolean csrfMatches(String candidate) {
      return java.security.MessageDigest.isEqual(ApiToken.sha256(csrfToken), ApiToken.sha256(candidate));
    }
  }

  /** A new login: the cookie value for the browser and its session. */
  record Created(String cookieValue, Session session) {}

  private record Entry(Session session, long lastUsedNanos) {}

  private final long idleNanos;
  private final int maxSessions;
  private final LongSupplier nanoTime;
  /** Access order: the eldest entry is the least recently used. */
  private final LinkedHashMap<String, Entry> byDigest = new LinkedHashMap<>(16, 0.75f, true);

  Sessions(Duration idleTimeout, int maxSessions, LongSupplier nanoTime) {
    this.idleNanos = idleTimeout.toNanos();
    this.maxSessions = maxSessions;
    this.nanoTime = nanoTime;
  }

  synchronized Created create() {
    expire();
    while (byDigest.size() >= maxSessions) {
      Iterator<String> eldest = byDigest.keySet().iterator();
      eldest.next();
      eldest.remove();
    }
    String id = ApiToken.generate();
    Session session = new Session(ApiToken.generate());
    byDigest.put(key(id), new Entry(session, nanoTime.getAsLong()));
    return new Created(id, session);
  }

  /** The live session a cookie names, marking it used. */
  synchronized Optional<Session> find(String cookieValue) {
    expire();
    String key = key(cookieValue);
    Entry entry = byDigest.get(key);
    if (entry == null) {
      return Optional.empty();
    }
    byDigest.put(key, new Entry(entry.session(), nanoTime.getAsLong()));
    return Optional.of(entry.session());
  }

  synchronized void remove(String cookieValue) {
    byDigest.remove(key(cookieValue));
  }

  private void expire() {
    long now = nanoTime.getAsLong();
    Iterator<Map.Entry<String, Entry>> entries = byDigest.entrySet().iterator();
    while (entries.hasNext()) {
      if (now - entries.next().getValue().lastUsedNanos() > idleNanos) {
        entries.remove();
      }
    }
  }

  private static String key(String cookieValue) {
    return HexFormat.of().formatHex(ApiToken.sha256(cookieValue));
  }
}
