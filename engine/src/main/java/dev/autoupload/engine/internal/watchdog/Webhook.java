package dev.autoupload.engine.internal.watchdog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.autoupload.engine.watchdog.LibraryWatch;
import dev.autoupload.engine.watchdog.Stall;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts each alert as JSON to {@code autoupload.alerts.webhook-url}, on a thread of its own: a slow
 * or dead receiver never holds up an upload. A post that fails (no connection, a timeout, a 5xx or
 * 429) is tried again after a backoff; one the receiver refuses (another 4xx) is not. Logs name the
 * receiver by its host only, as the URL's path is often its token.
 */
public final class Webhook implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Webhook.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Alerts still being posted, beyond which new ones are dropped (a receiver down for days). */
  private static final int MAX_PENDING = 100;

  private final URI uri;
  private final WatchdogSettings settings;
  private final HttpClient client;
  private final ScheduledExecutorService retries;
  private final AtomicInteger pending = new AtomicInteger();

  /**
   * A webhook that posts on a daemon thread of its own.
   *
   * @param uri where alerts are posted
   * @param settings the timeout and retries of a post
   */
  public Webhook(URI uri, WatchdogSettings settings) {
    this.uri = uri;
    this.settings = settings;
    this.retries =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "autoupload-webhook");
              thread.setDaemon(true);
              return thread;
            });
    this.client = HttpClient.newBuilder().connectTimeout(settings.webhookTimeout()).build();
  }

  /**
   * Posts {@code alert} in the background, retrying as the settings say. With 100 alerts still
   * waiting, the alert is logged and dropped instead.
   *
   * @param alert the stall or recovery
   * @param now the time the alert is stamped with and a stall's length measured to
   */
  public void post(LibraryWatch.Alert alert, Instant now) {
    if (pending.incrementAndGet() > MAX_PENDING) {
      pending.decrementAndGet();
      log.warn("Alert for library {} not posted: {} alerts are still waiting for {}", alert.libraryId(), MAX_PENDING, where());
      return;
    }
    String body;
    try {
      body = JSON.writeValueAsString(payload(alert, now));
    } catch (JsonProcessingException e) {
      pending.decrementAndGet();
      throw new IllegalStateException("an alert could not be written as JSON", e);
    }
    retries.execute(() -> attempt(body, alert, 1));
  }

  /** The JSON an alert is posted as; see the README's "Watchdog" section. */
  static Map<String, Object> payload(LibraryWatch.Alert alert, Instant now) {
    Map<String, Object> json = new LinkedHashMap<>();
    Stall stall;
    if (alert instanceof LibraryWatch.Stalled stalled) {
      stall = stalled.stall();
      json.put("event", "stalled");
    } else {
      LibraryWatch.Recovered recovered = (LibraryWatch.Recovered) alert;
      stall = recovered.ended();
      json.put("event", "recovered");
      json.put("how", recovered.how().name().toLowerCase(Locale.ROOT).replace('_', '-'));
    }
    json.put("library", stall.libraryId());
    json.put("kind", stall.kind().name().toLowerCase(Locale.ROOT).replace('_', '-'));
    json.put("since", stall.since().toString());
    json.put("stalledForSeconds", stall.lasting(now).toSeconds());
    json.put("waiting", stall.waiting());
    json.put("reasons", stall.reasons().stream().map(Enum::name).sorted().toList());
    json.put("causes", stall.causes());
    json.put("at", now.toString());
    return json;
  }

  private void attempt(String body, LibraryWatch.Alert alert, int attempt) {
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .timeout(settings.webhookTimeout())
            .header("Content-Type", "application/json")
            .header("User-Agent", "autoupload-watchdog")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    client
        .sendAsync(request, HttpResponse.BodyHandlers.discarding())
        .whenComplete(
            (response, failure) -> {
              int status = response == null ? 0 : response.statusCode();
              if (failure == null && status / 100 == 2) {
                pending.decrementAndGet();
                return;
              }
              String problem = failure != null ? failure.toString() : "HTTP " + status;
              boolean worthRetrying = failure != null || status >= 500 || status == 429;
              if (worthRetrying && attempt < settings.webhookAttempts()) {
                Duration backoff = backoff(attempt);
                log.info("Alert for library {} not posted to {} ({}); trying again in {}", alert.libraryId(), where(), problem, backoff);
                retries.schedule(() -> attempt(body, alert, attempt + 1), backoff.toMillis(), TimeUnit.MILLISECONDS);
              } else {
                pending.decrementAndGet();
                log.warn("Alert for library {} not posted to {} after {} attempt(s): {}", alert.libraryId(), where(), attempt, problem);
              }
            });
  }

  private Duration backoff(int attempt) {
    Duration backoff = settings.webhookMinBackoff().multipliedBy(1L << Math.min(attempt - 1, 20));
    return backoff.compareTo(settings.webhookMaxBackoff()) > 0 ? settings.webhookMaxBackoff() : backoff;
  }

  private String where() {
    return WatchdogSettings.describe(uri);
  }

  @Override
  public void close() {
    retries.shutdownNow();
  }
}
