package dev.autoupload.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.autoupload.engine.EngineStatus;
import dev.autoupload.engine.UploadEngine;
import dev.autoupload.engine.activity.ActivityItem;
import dev.autoupload.engine.activity.ActivityOrder;
import dev.autoupload.engine.activity.UploadState;
import dev.autoupload.engine.conditions.BlockerReason;
import dev.autoupload.engine.conditions.DeviceConditions;
import dev.autoupload.engine.conditions.LibraryConditions;
import dev.autoupload.engine.conditions.NotOwnConditionsException;
import dev.autoupload.engine.conditions.Verdict;
import dev.autoupload.engine.library.LibraryStatus;
import dev.autoupload.engine.watchdog.Stall;
import dev.autoupload.engine.verify.VerifyMode;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.marshalling.Marshaller;
import org.apache.pekko.http.javadsl.marshalling.sse.EventStreamMarshalling;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.RequestEntity;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.HttpChallenge;
import org.apache.pekko.http.javadsl.model.headers.HttpCookie;
import org.apache.pekko.http.javadsl.model.headers.HttpCookiePair;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.model.headers.SameSite;
import org.apache.pekko.http.javadsl.model.headers.WWWAuthenticate;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.MalformedFormFieldRejection;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.http.scaladsl.model.EntityStreamException;
import org.apache.pekko.http.scaladsl.model.IllegalRequestException;
import org.apache.pekko.stream.StreamLimitReachedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control endpoint's routes. Every request passes, in order: the Host allow-list (403), the
 * body limit (413), then for {@code /api} authentication (401) and, for a page session, the CSRF
 * check (403). Every error is a JSON {@code {"error": ..., "field": ...}}: bad input is a 4xx,
 * never a 5xx, and only real failures are logged, without headers, so the token never reaches a
 * log. No CORS headers are sent: a page from another origin gets nothing.
 */
final class ControlRoutes extends AllDirectives {

  private static final Logger log = LoggerFactory.getLogger(ControlRoutes.class);
  private static final int DEFAULT_LIMIT = 50;
  private static final int CHART_HOURS = 24;
  /**
   * A body over autoupload.http.max-body is still read, and dropped, up to this size before the
   * 413 goes out, so that the client sees the answer; beyond it the connection is closed at once.
   */
  private static final long DRAINED_AT_MOST = 1024 * 1024;
  private static final String STATE_NAMES =
      Arrays.stream(UploadState.values()).map(ApiJson::state).collect(Collectors.joining(", "));
  private static final String WEB = "/dev/autoupload/http/web/";

  private static final List<HttpHeader> SECURITY_HEADERS =
      List.of(
          RawHeader.create("Cache-Control", "no-store"),
          RawHeader.create("X-Content-Type-Options", "nosniff"),
          RawHeader.create("X-Frame-Options", "DENY"),
          RawHeader.create("Referrer-Policy", "no-referrer"),
          RawHeader.create(
              "Content-Security-Policy",
              "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
                  + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"));

  private final UploadEngine engine;
  private final HttpSettings settings;
  private final Access access;
  private final Sessions sessions;
  private final ApiToken token;
  private final EventFeed feed;
  private final Verifications verifications;
  private final TransferRate rate;
  private final ObjectMapper mapper;
  /**
   * Request bodies are read strictly: a value followed by more ({@code {…} garbage}, two objects)
   * or a key given twice is malformed, not read as whichever part a lenient parser keeps.
   */
  private final ObjectReader strictJson;
  private final Marshaller<Object, RequestEntity> json;
  private final HttpEntity.Strict indexHtml;
  private final HttpEntity.Strict appJs;
  private final HttpEntity.Strict appCss;
  private final PrometheusMeterRegistry prometheus;
  private final ThumbnailCache thumbnails;
  private final Backlog backlog = new Backlog(CHART_HOURS);
  private final Optional<LibraryCatalog> catalog;
  private final Optional<LibraryControl> control;
  /**
   * With a {@link LibraryControl}, the rate of every library's bytes, sampled when the status is
   * read ({@link #rate} samples this engine's alone).
   */
  private final TransferRate allRate;

  ControlRoutes(
      UploadEngine engine,
      HttpSettings settings,
      ApiToken token,
      Sessions sessions,
      EventFeed feed,
      Verifications verifications,
      TransferRate rate,
      ObjectMapper mapper,
      PrometheusMeterRegistry prometheus,
      ThumbnailCache thumbnails,
      Optional<LibraryCatalog> catalog,
      Optional<LibraryControl> control) {
    this.catalog = catalog;
    this.control = control;
    this.allRate = new TransferRate(settings.rateWindow());
    this.prometheus = prometheus;
    this.thumbnails = thumbnails;
    this.engine = engine;
    this.verifications = verifications;
    this.settings = settings;
    this.token = token;
    this.sessions = sessions;
    this.access = new Access(token, sessions);
    this.feed = feed;
    this.rate = rate;
    this.mapper = mapper;
    this.strictJson =
        mapper.reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
    this.json = Jackson.marshaller(mapper);
    this.indexHtml = resource("index.html", ContentTypes.TEXT_HTML_UTF8);
    this.appJs = resource("app.js", ContentTypes.create(MediaTypes.APPLICATION_JAVASCRIPT, HttpCharsets.UTF_8));
    this.appCss = resource("app.css", ContentTypes.create(MediaTypes.TEXT_CSS, HttpCharsets.UTF_8));
  }

  Route route() {
    return respondWithHeaders(
        SECURITY_HEADERS,
        () ->
            handleExceptions(
                exceptions(),
                () ->
                    handleRejections(
                        rejections(),
                        () ->
                            allowedHost(
                                () ->
                                    bodyLimit(
                                        () ->
                                            concat(
                                                pathPrefix("api", () -> authenticated(this::api)),
                                                path("metrics", () -> authenticated(this::metrics)),
                                                login(),
                                                page()))))));
  }

  // ---- /metrics ----

  /** The Prometheus text format; the gauges as of a status asked for now. */
  private Route metrics(Access.Caller caller) {
    return get(
        () ->
            onSuccess(
                engine.status(),
                status ->
                    complete(
                        // Plain text is the Prometheus text format 0.0.4 to every scraper.
                        HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8, prometheus.scrape()))));
  }

  // ---- /api ----

  private Route api(Access.Caller caller) {
    return concat(
        path("status", () -> get(() -> onSuccess(this::status, status -> ok(status)))),
        path(
            "activity",
            () ->
                get(
                    () ->
                        parameterOptional(
                            "limit",
                            limit ->
                                parameterOptional(
                                    "before",
                                    before ->
                                        parameterOptional(
                                            "order",
                                            order ->
                                                onSuccess(
                                                    () -> engine.activity(limit(limit), before, order(order)),
                                                    page -> ok(ApiJson.Activity.of(page)))))))),
        path(
            "freed",
            () ->
                get(
                    () ->
                        parameterOptional(
                            "limit",
                            limit ->
                                onSuccess(
                                    () -> engine.freed(freedLimit(limit)),
                                    entries -> ok(ApiJson.FreedOriginals.of(entries)))))),
        path(PathMatchers.segment("activity").slash("hours"), () -> get(() -> onSuccess(this::hours, hours -> ok(hours)))),
        path(
            PathMatchers.segment("thumbnails").slash(PathMatchers.segment()).slash(PathMatchers.segment()),
            (library, assetId) ->
                get(
                    () ->
                        onSuccess(
                            () -> thumbnail(library, assetId),
                            jpeg -> complete(HttpEntities.create(ContentTypes.create(MediaTypes.IMAGE_JPEG), jpeg))))),
        path(
            "uploads",
            () ->
                get(
                    () ->
                        parameterList(
                            "state",
                            states ->
                                onSuccess(
                                    () -> uploads(states(states)), items -> ok(ApiJson.Uploads.of(items)))))),
        path(
            PathMatchers.segment("uploads").slash(PathMatchers.segment()).slash("retry"),
            assetId ->
                post(
                    () ->
                        onSuccess(
                            () -> control.map(libraries -> libraries.retry(assetId)).orElseGet(() -> engine.retry(assetId)),
                            done -> noContent()))),
        path(
            "libraries",
            () ->
                concat(
                    get(() -> ok(new ApiJson.Libraries(libraries()))),
                    post(
                        () ->
                            jsonBody(
                                body ->
                                    onSuccess(
                                        () -> catalog().add(body),
                                        added ->
                                            complete(
                                                StatusCodes.CREATED,
                                                List.of(Location.create("/api/libraries/" + added.id())),
                                                added,
                                                json)))))),
        path(
            PathMatchers.segment("libraries").slash(PathMatchers.segment()),
            id -> delete(() -> onSuccess(() -> catalog().remove(id), done -> noContent()))),
        path(
            PathMatchers.segment("libraries").slash(PathMatchers.segment()).slash("conditions"),
            id ->
                concat(
                    get(() -> onSuccess(() -> libraryConditions(id, Optional.empty()), this::ok)),
                    put(
                        () ->
                            jsonBody(
                                body ->
                                    onSuccess(
                                        () -> libraryConditions(id, Optional.of(ConditionsJson.parse(body))),
                                        this::ok))))),
        path(
            "pause",
            () ->
                post(
                    () ->
                        onSuccess(
                            () -> control.map(LibraryControl::pause).orElseGet(engine::pause), done -> noContent()))),
        path(
            "resume",
            () ->
                post(
                    () ->
                        onSuccess(
                            () -> control.map(LibraryControl::resume).orElseGet(engine::resume), done -> noContent()))),
        path(
            "conditions",
            () ->
                put(
                    () ->
                        jsonBody(
                            body -> {
                              engine.reportConditions(ConditionsJson.parse(body));
                              return noContent();
                            }))),
        path("events", () -> get(() -> completeOK(feed.subscribe(), EventStreamMarshalling.toEventStream()))),
        path(
            "verify",
            () ->
                concat(
                    post(
                        () ->
                            optionalJsonBody(
                                body -> {
                                  VerifyRequest request = VerifyRequest.of(body);
                                  ApiJson.Verification started = verifications.start(request.library(), request.mode());
                                  return complete(
                                      StatusCodes.ACCEPTED,
                                      List.of(Location.create("/api/verify/" + started.id())),
                                      started,
                                      json);
                                })),
                    get(() -> ok(verifications.latest())))),
        path(PathMatchers.segment("verify").slash(PathMatchers.segment()), id -> get(() -> ok(verifications.get(id)))),
        path(
            "session",
            () ->
                get(
                    () ->
                        ok(
                            new ApiJson.SessionInfo(
                                caller.via().name().toLowerCase(Locale.ROOT),
                                caller.session().map(Sessions.Session::csrfToken))))),
        path(
            "logout",
            () ->
                post(
                    () -> {
                      caller.cookie().ifPresent(sessions::remove);
                      return setCookie(sessionCookie("").withMaxAge(0), this::noContent);
                    })));
  }

  /** The catalog's libraries; without one (a single {@code run}), the engine's. */
  private List<LibraryCatalog.Entry> libraries() {
    return catalog
        .map(LibraryCatalog::list)
        .orElseGet(
            () ->
                engine.libraries().stream()
                    .map(
                        library ->
                            new LibraryCatalog.Entry(
                                library.id(),
                                library.source().describe(),
                                library.target().describe(),
                                "run",
                                ApiJson.LibraryConditionsView.follows(library.ownConditions())))
                    .toList());
  }

  /**
   * The library's conditions and verdict, after taking {@code report} when there is one: from its
   * node when a {@link LibraryControl} knows where it runs, else from this engine.
   */
  private CompletionStage<ApiJson.LibraryConditionsView> libraryConditions(String id, Optional<DeviceConditions> report) {
    CompletionStage<LibraryConditions> answer =
        control
            .map(libraries -> libraries.conditions(id, report))
            .orElseGet(
                () ->
                    report
                        .map(conditions -> engine.reportConditions(id, conditions))
                        .orElseGet(() -> engine.libraryConditions(id)));
    return answer.thenApply(ApiJson.LibraryConditionsView::of);
  }

  private LibraryCatalog catalog() {
    return catalog.orElseThrow(
        () ->
            new ApiProblem(
                StatusCodes.METHOD_NOT_ALLOWED,
                "this autoupload backs up one library ('autoupload run'); 'autoupload serve' adds and removes libraries",
                Optional.empty()));
  }

  private CompletionStage<ApiJson.Status> status() {
    if (control.isPresent()) {
      return everyLibrarysStatus(control.get());
    }
    return engine
        .status()
        .thenCombine(
            engine.counts(),
            (status, counts) -> {
              // Sampled here too, as the background sampler rests while nothing moves.
              rate.record(System.nanoTime(), status.bytesSent());
              ApiJson.Status json = ApiJson.Status.of(status, counts, rate.bytesPerSecond());
              backlog.record(Instant.now(), json.files().waiting() + json.files().uploading());
              return json;
            });
  }

  /**
   * The status of every library, each as the engine that runs it has it, put together as one
   * engine's: the engines' reasons and stalls together, each library's with its engine's reasons.
   * A library whose status is unknown is listed with why, its files counted nowhere but in the
   * Activity's counts.
   */
  private CompletionStage<ApiJson.Status> everyLibrarysStatus(LibraryControl libraries) {
    return libraries
        .status()
        .thenCombine(
            engine.counts(),
            (reports, counts) -> {
              List<LibraryStatus> known = new ArrayList<>();
              List<ApiJson.Library> shown = new ArrayList<>();
              Set<BlockerReason> reasons = EnumSet.noneOf(BlockerReason.class);
              Map<String, Stall> stalls = new HashMap<>();
              boolean allowed = true;
              boolean metered = false;
              int concurrency = 0;
              Optional<DeviceConditions> conditions = Optional.empty();
              Instant now = Instant.now();
              for (LibraryControl.LibraryReport report : reports) {
                Map<UploadState, Long> libraryCounts = counts.getOrDefault(report.libraryId(), Map.of());
                if (report.status().isEmpty()) {
                  shown.add(
                      ApiJson.Library.unknown(
                          report.libraryId(),
                          report.source(),
                          report.target(),
                          libraryCounts,
                          report.node(),
                          report.unknown().orElse("unknown")));
                  continue;
                }
                EngineStatus status = report.status().get();
                stalls.putAll(status.stalls());
                if (!report.ownConditions()) {
                  // A library's own verdict shows among its reasons (and so at the top), not as a node's.
                  reasons.addAll(status.reasons());
                  allowed &= status.verdict().allowed();
                  metered |= status.verdict().metered();
                  concurrency += status.verdict().concurrency();
                  conditions = conditions.or(status::conditions);
                }
                for (LibraryStatus library : status.libraries()) {
                  known.add(library);
                  shown.add(
                      ApiJson.Library.of(
                          library,
                          counts.getOrDefault(library.libraryId(), Map.of()),
                          status.stall(library.libraryId()).map(stall -> ApiJson.Stalled.of(stall, now)),
                          status.reasons(),
                          report.node()));
                }
              }
              EngineStatus all = new EngineStatus(new Verdict(allowed, concurrency, reasons, metered), conditions, known, stalls);
              allRate.record(System.nanoTime(), all.bytesSent());
              ApiJson.Status json = ApiJson.Status.of(all, counts, allRate.bytesPerSecond());
              backlog.record(now, json.files().waiting() + json.files().uploading());
              return new ApiJson.Status(
                  json.state(),
                  json.allowed(),
                  json.reasons(),
                  json.counts(),
                  json.files(),
                  json.bytesPerSecond(),
                  json.run(),
                  shown,
                  json.conditions());
            });
  }

  /**
   * The uploads in {@code states}; with a {@link LibraryControl}, those in flight elsewhere at the
   * offset their engine has now (the engine knows the live offsets of its own libraries alone).
   */
  private CompletionStage<List<ActivityItem>> uploads(Set<UploadState> states) {
    if (control.isEmpty()) {
      return engine.uploads(states);
    }
    return engine
        .uploads(states)
        .thenCombine(
            control.get().status(),
            (items, reports) -> {
              Map<String, Long> live = new HashMap<>();
              for (LibraryControl.LibraryReport report : reports) {
                report.status().stream()
                    .flatMap(status -> status.libraries().stream())
                    .forEach(
                        library ->
                            library.inFlight()
                                .forEach(upload -> live.put(library.libraryId() + ":" + upload.assetId(), upload.offset())));
              }
              return items.stream()
                  .map(
                      item -> {
                        Long offset = live.get(item.libraryId() + ":" + item.assetId());
                        return offset == null ? item : item.withOffset(Math.max(offset, item.offset()));
                      })
                  .toList();
            });
  }

  private CompletionStage<ApiJson.Hours> hours() {
    Instant from = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(CHART_HOURS - 1L, ChronoUnit.HOURS);
    return status()
        .thenCompose(current -> engine.backedUpPerHour(from, CHART_HOURS))
        .thenApply(
            backedUp -> {
              List<Optional<Long>> waiting = backlog.from(from);
              List<ApiJson.Hour> hours = new ArrayList<>(CHART_HOURS);
              for (int hour = 0; hour < CHART_HOURS; hour++) {
                hours.add(new ApiJson.Hour(from.plus(hour, ChronoUnit.HOURS), backedUp.get(hour), waiting.get(hour)));
              }
              return new ApiJson.Hours(hours);
            });
  }

  /**
   * The thumbnail of an asset the Activity view knows, looked up by its ids: the file read is the
   * one the engine backed up, never a path the request names.
   */
  private CompletionStage<byte[]> thumbnail(String library, String assetId) {
    return engine
        .activityItem(library, assetId)
        .thenCompose(
            item ->
                item.map(found -> thumbnails.get(found, () -> engine.openOriginal(found)))
                    .orElseGet(
                        () ->
                            CompletableFuture.failedFuture(
                                new NoSuchElementException("no asset " + assetId + " in library " + library))));
  }

  private static int limit(Optional<String> text) {
    if (text.isEmpty()) {
      return DEFAULT_LIMIT;
    }
    try {
      return Integer.parseInt(text.get().strip());
    } catch (NumberFormatException e) {
      throw ApiProblem.badRequest("limit", "limit must be a whole number between 1 and 500, got '" + text.get() + "'");
    }
  }

  private static int freedLimit(Optional<String> text) {
    int limit = limit(text);
    if (limit < 1 || limit > 500) {
      throw ApiProblem.badRequest("limit", "limit must be a whole number between 1 and 500, got '" + text.orElse("") + "'");
    }
    return limit;
  }

  private static ActivityOrder order(Optional<String> text) {
    return switch (text.orElse("uploaded").strip().toLowerCase(Locale.ROOT)) {
      case "uploaded" -> ActivityOrder.UPLOADED;
      case "created" -> ActivityOrder.CREATED;
      default -> throw ApiProblem.badRequest("order", "order must be uploaded or created, got '" + text.get() + "'");
    };
  }

  /** {@code state=failed&state=paused} or {@code state=failed,paused}; none means all but completed. */
  private static Set<UploadState> states(List<String> values) {
    Set<UploadState> states = EnumSet.noneOf(UploadState.class);
    for (String value : values) {
      for (String name : value.split(",")) {
        String wanted = name.strip().toUpperCase(Locale.ROOT);
        UploadState state =
            Arrays.stream(UploadState.values())
                .filter(candidate -> candidate.name().equals(wanted))
                .findFirst()
                .orElseThrow(
                    () ->
                        ApiProblem.badRequest(
                            "state", "state must be one of " + STATE_NAMES + ", got '" + name + "'"));
        states.add(state);
      }
    }
    return states;
  }

  /** {@code POST /api/verify}'s optional body: which library, and whether to read every backup back. */
  private record VerifyRequest(Optional<String> library, VerifyMode mode) {

    static VerifyRequest of(Optional<JsonNode> body) {
      if (body.isEmpty()) {
        return new VerifyRequest(Optional.empty(), VerifyMode.HASHES);
      }
      JsonNode fields = body.get();
      if (!fields.isObject()) {
        throw ApiProblem.badRequest("verify", "the body must be a JSON object such as {\"library\": \"camera\", \"download\": true}");
      }
      fields.fieldNames().forEachRemaining(
          name -> {
            if (!name.equals("library") && !name.equals("download")) {
              throw ApiProblem.badRequest(name, "unknown field " + name + "; the fields are library and download");
            }
          });
      JsonNode library = fields.path("library");
      if (!library.isMissingNode() && !library.isNull() && !(library.isTextual() && !library.asText().isBlank())) {
        throw ApiProblem.badRequest("library", "library must be a library's id");
      }
      JsonNode download = fields.path("download");
      if (!download.isMissingNode() && !download.isBoolean()) {
        throw ApiProblem.badRequest("download", "download must be true or false");
      }
      return new VerifyRequest(
          library.isTextual() ? Optional.of(library.asText()) : Optional.empty(),
          download.asBoolean(false) ? VerifyMode.DOWNLOAD : VerifyMode.HASHES);
    }
  }

  /** A JSON request body when there is one: none at all is empty, anything else as {@link #jsonBody}. */
  private Route optionalJsonBody(Function<Optional<JsonNode>, Route> inner) {
    return extractRequestEntity(
        entity ->
            entity.isKnownEmpty() ? inner.apply(Optional.empty()) : jsonBody(body -> inner.apply(Optional.of(body))));
  }

  /** A JSON request body, read within the body limit; anything but JSON is 415, bad JSON 400. */
  private Route jsonBody(Function<JsonNode, Route> inner) {
    return extractRequestEntity(
        entity -> {
          if (!entity.getContentType().mediaType().equals(MediaTypes.APPLICATION_JSON)) {
            return error(StatusCodes.UNSUPPORTED_MEDIA_TYPE, "the body must be application/json", Optional.empty());
          }
          return entity(
              Unmarshaller.entityToString(),
              text -> {
                JsonNode body;
                try {
                  body = strictJson.readTree(text);
                } catch (JsonProcessingException e) {
                  throw new ApiProblem(
                      StatusCodes.BAD_REQUEST, "malformed JSON: " + e.getOriginalMessage(), Optional.empty());
                }
                if (body == null || body.isMissingNode()) {
                  throw new ApiProblem(StatusCodes.BAD_REQUEST, "malformed JSON: the body is empty", Optional.empty());
                }
                return inner.apply(body);
              });
        });
  }

  // ---- the page and its login ----

  private Route page() {
    // get() inside each path: a get() around them all would, by passing, cancel the 405 of a
    // wrong method on an /api route and turn it into a 404.
    return concat(
        pathSingleSlash(() -> get(() -> complete(indexHtml))),
        path("app.js", () -> get(() -> complete(appJs))),
        path("app.css", () -> get(() -> complete(appCss))));
  }

  /** {@code POST /login} with the form field {@code token}: a session cookie for the page. */
  private Route login() {
    return path(
        "login",
        () ->
            post(
                () ->
                    formField(
                        "token",
                        candidate -> {
                          if (!token.matches(candidate.strip())) {
                            return error(StatusCodes.UNAUTHORIZED, "wrong token", Optional.empty());
                          }
                          Sessions.Created created = sessions.create();
                          return setCookie(
                              sessionCookie(created.cookieValue()),
                              () -> ok(new ApiJson.SessionInfo("cookie", Optional.of(created.session().csrfToken()))));
                        })));
  }

  private static HttpCookie sessionCookie(String value) {
    return HttpCookie.create(Sessions.COOKIE, value).withPath("/").withHttpOnly(true).withSameSite(SameSite.Strict);
  }

  // ---- the checks every request passes ----

  /** 403 unless the Host header names this machine or a configured name: no DNS rebinding. */
  private Route allowedHost(Supplier<Route> inner) {
    return optionalHeaderValueByName(
        "Host",
        host ->
            host.map(ControlRoutes::hostName).filter(settings.allowedHosts()::contains).isPresent()
                ? inner.get()
                : error(
                    StatusCodes.FORBIDDEN,
                    "this endpoint answers only to " + String.join(", ", new TreeSet<>(settings.allowedHosts()))
                        + " (add names to autoupload.http.allowed-hosts)",
                    Optional.empty()));
  }

  /** The name in a Host header, without the port: {@code localhost}, {@code [::1]}. */
  static String hostName(String hostHeader) {
    String host = hostHeader.strip().toLowerCase(Locale.ROOT);
    if (host.startsWith("[")) {
      int end = host.indexOf(']');
      return end < 0 ? host : host.substring(0, end + 1);
    }
    int colon = host.indexOf(':');
    return colon < 0 ? host : host.substring(0, colon);
  }

  /**
   * Reads the whole body before the request is routed, so no answer leaves before its request has
   * arrived; a body slower than {@code autoupload.http.body-timeout} gets 408. A body over the
   * limit gets 413 only after it has been read to its end (up to {@link #DRAINED_AT_MOST}): a
   * client still sending when the server closes the connection gets a reset and often never sees
   * the answer. Only a body that is hopelessly large is answered at once.
   */
  private Route bodyLimit(Supplier<Route> inner) {
    return extractRequestEntity(
        entity ->
            extractMaterializer(
                materializer -> {
                  OptionalLong length = entity.getContentLengthOption();
                  if (length.isPresent() && length.getAsLong() > DRAINED_AT_MOST) {
                    return tooLarge();
                  }
                  CompletionStage<RequestBody> read =
                      RequestBody.read(entity, settings.maxBody(), DRAINED_AT_MOST, settings.bodyTimeout(), materializer);
                  return onComplete(
                      read,
                      outcome -> {
                        if (outcome.isFailure()) {
                          Throwable cause = unwrap(outcome.failed().get());
                          if (cause instanceof TimeoutException) {
                            return error(
                                StatusCodes.REQUEST_TIMEOUT,
                                "the body did not arrive within " + settings.bodyTimeout().toMillis()
                                    + " ms (autoupload.http.body-timeout)",
                                Optional.empty());
                          }
                          return cause instanceof StreamLimitReachedException ? tooLarge() : failure(cause);
                        }
                        RequestBody body = outcome.get();
                        if (body.tooLarge()) {
                          return tooLarge();
                        }
                        return mapRequest(
                            request -> request.withEntity(HttpEntities.create(entity.getContentType(), body.bytes())),
                            () -> handleExceptions(exceptions(), inner));
                      });
                }));
  }

  private Route authenticated(Function<Access.Caller, Route> inner) {
    return extractMethod(
        method ->
            optionalHeaderValueByName(
                "Authorization",
                authorization ->
                    optionalCookie(
                        Sessions.COOKIE,
                        cookie ->
                            optionalHeaderValueByName(
                                Sessions.CSRF_HEADER,
                                csrf -> {
                                  Access.Decision decision =
                                      access.decide(
                                          method.value(), authorization, cookie.map(HttpCookiePair::value), csrf);
                                  if (decision instanceof Access.Allowed allowed) {
                                    return inner.apply(allowed.caller());
                                  }
                                  if (decision instanceof Access.Forbidden forbidden) {
                                    return error(StatusCodes.FORBIDDEN, forbidden.message(), Optional.empty());
                                  }
                                  return complete(
                                      StatusCodes.UNAUTHORIZED,
                                      List.of(WWWAuthenticate.create(HttpChallenge.create("Bearer", "autoupload"))),
                                      ApiJson.Error.of(((Access.Unauthorized) decision).message()),
                                      json);
                                }))));
  }

  // ---- errors ----

  private ExceptionHandler exceptions() {
    return ExceptionHandler.newBuilder().match(Throwable.class, this::failure).build();
  }

  private Route failure(Throwable thrown) {
    Throwable cause = unwrap(thrown);
    if (cause instanceof ApiProblem problem) {
      return error(problem.status(), problem.getMessage(), problem.field());
    }
    if (cause instanceof ConditionsJson.InvalidField invalid) {
      return error(StatusCodes.BAD_REQUEST, invalid.getMessage(), Optional.of(invalid.field()));
    }
    if (cause instanceof LibraryCatalog.DuplicateIdException) {
      return error(StatusCodes.CONFLICT, cause.getMessage(), Optional.of("id"));
    }
    if (cause instanceof LibraryControl.NoAnswerException) {
      return error(StatusCodes.SERVICE_UNAVAILABLE, cause.getMessage() + "; try again", Optional.empty());
    }
    if (cause instanceof NotOwnConditionsException) {
      return error(StatusCodes.CONFLICT, cause.getMessage(), Optional.empty());
    }
    if (cause instanceof LibraryCatalog.ChangeRefusedException) {
      return error(StatusCodes.CONFLICT, cause.getMessage(), Optional.empty());
    }
    if (cause instanceof IllegalArgumentException) {
      return error(StatusCodes.BAD_REQUEST, cause.getMessage(), Optional.empty());
    }
    if (cause instanceof NoSuchElementException) {
      return error(StatusCodes.NOT_FOUND, cause.getMessage(), Optional.empty());
    }
    if (cause instanceof EntityStreamException broken) {
      // A body cut off before its declared length, or malformed chunks. The summary only, as below.
      return error(StatusCodes.BAD_REQUEST, "the body is malformed: " + broken.info().summary(), Optional.empty());
    }
    if (cause instanceof IllegalRequestException illegal) {
      // Pekko's word that the request is bad, e.g. a form cut off before its declared length. Its
      // summary only: the detail may quote the request.
      return error(illegal.status(), illegal.info().summary(), Optional.empty());
    }
    return extractRequest(
        request -> {
          // Method and path only: headers carry the token, and the query is the client's business.
          if (cause instanceof TimeoutException) {
            log.warn(
                "HTTP {} {}: the engine did not answer in time", request.method().value(), request.getUri().path());
            return error(
                StatusCodes.SERVICE_UNAVAILABLE, "the engine did not answer in time; try again", Optional.empty());
          }
          log.error("HTTP {} {} failed", request.method().value(), request.getUri().path(), cause);
          return error(StatusCodes.INTERNAL_SERVER_ERROR, "internal error; see the autoupload log", Optional.empty());
        });
  }

  private static Throwable unwrap(Throwable thrown) {
    Throwable cause = thrown;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  /**
   * Pekko's own answers to rejections (404, 405, 400 for a missing form field, 413 ...), as JSON.
   * A malformed login form is answered without Pekko's detail, which quotes the form: the token.
   */
  private RejectionHandler rejections() {
    return RejectionHandler.newBuilder()
        .handle(
            MalformedFormFieldRejection.class,
            malformed ->
                error(
                    StatusCodes.BAD_REQUEST,
                    "the form field '" + malformed.fieldName() + "' is malformed",
                    Optional.of(malformed.fieldName())))
        .build()
        .withFallback(RejectionHandler.defaultHandler())
        .mapRejectionResponse(
            response -> {
              if (response.entity() instanceof HttpEntity.Strict strict
                  && !strict.getContentType().mediaType().equals(MediaTypes.APPLICATION_JSON)) {
                String message = strict.getData().utf8String().strip();
                if (message.isEmpty()) {
                  message = response.status().reason();
                }
                return response.withEntity(
                    HttpEntities.create(ContentTypes.APPLICATION_JSON, errorJson(message, Optional.empty())));
              }
              return response;
            });
  }

  private Route tooLarge() {
    return error(
        StatusCodes.CONTENT_TOO_LARGE,
        "the body is larger than " + settings.maxBody() + " bytes (autoupload.http.max-body)",
        Optional.empty());
  }

  private Route error(StatusCode status, String message, Optional<String> field) {
    return complete(
        HttpResponse.create()
            .withStatus(status)
            .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, errorJson(message, field))));
  }

  private String errorJson(String message, Optional<String> field) {
    try {
      return mapper.writeValueAsString(new ApiJson.Error(message, field));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write an error as JSON", e);
    }
  }

  private Route ok(Object value) {
    return complete(StatusCodes.OK, value, json);
  }

  private Route noContent() {
    return complete(StatusCodes.NO_CONTENT);
  }

  private static HttpEntity.Strict resource(String name, ContentType type) {
    try (InputStream in = ControlRoutes.class.getResourceAsStream(WEB + name)) {
      if (in == null) {
        throw new IllegalStateException("the page's " + name + " is missing from the jar");
      }
      return HttpEntities.create(type, in.readAllBytes());
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the page's " + name, e);
    }
  }
}
