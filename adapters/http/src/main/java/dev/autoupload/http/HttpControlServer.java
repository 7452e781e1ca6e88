package dev.autoupload.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.autoupload.engine.Subscription;
import dev.autoupload.engine.UploadEngine;
import dev.autoupload.engine.internal.EngineInternals;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.apache.pekko.japi.function.Function;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP control endpoint of a running engine: the JSON API under {@code /api}, its
 * Server-Sent Events at {@code /api/events} and the Activity page at {@code /}. It runs on the
 * engine's own actor system.
 *
 * <pre>{@code
 * HttpControlServer http = HttpControlServer.start(engine, dataDir, "127.0.0.1", 8686);
 * System.out.println(http.url());   // http://127.0.0.1:8686/
 * ...
 * http.close();                     // before engine.close()
 * }</pre>
 *
 * <p>On start it makes sure {@code <data-dir>/http-token} exists ({@link ApiToken}) and writes
 * where it listens to {@code <data-dir>/http-address} ({@link AddressFile}); {@link #close()}
 * removes that file again. Settings come from {@code autoupload.http} in the engine's
 * configuration.
 */
public final class HttpControlServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(HttpControlServer.class);
  private static final Duration BIND_TIMEOUT = Duration.ofSeconds(30);
  /** Pekko HTTP settings the endpoint needs whatever the engine's configuration says. */
  private static final String SERVER_OVERRIDES =
      // Pekko would log an unparsable header with its value: that could be the token.
      "pekko.http.server.parsing.illegal-header-warnings = off\n"
          + "pekko.http.server.server-header = \"\"\n"
          // Requests too malformed to route (URI too long, bad header syntax) get a JSON error too.
          + "pekko.http.server.parsing.error-handler = \"" + JsonParsingErrorHandler.class.getName() + "\"\n";

  /** Starting failed: the address is taken or invalid, or the token file is unusable. */
  public static final class StartException extends RuntimeException {
    StartException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final ServerBinding binding;
  private final InetSocketAddress address;
  private final Path dataDir;
  private final EventFeed feed;
  private final Subscription events;
  private final Cancellable rateSampler;
  private final Duration stopTimeout;
  private boolean closed;

  private HttpControlServer(
      ServerBinding binding,
      Path dataDir,
      EventFeed feed,
      Subscription events,
      Cancellable rateSampler,
      Duration stopTimeout) {
    this.binding = binding;
    this.address = binding.localAddress();
    this.dataDir = dataDir;
    this.feed = feed;
    this.events = events;
    this.rateSampler = rateSampler;
    this.stopTimeout = stopTimeout;
  }

  /**
   * Checks that the endpoint could listen on {@code host:port} now, by binding it for a moment: for
   * a caller that starts the endpoint later but wants a taken address to stop it at once. Port 0
   * is always free.
   *
   * @param host the address or name the endpoint will bind
   * @param port the port it will listen on
   * @throws StartException with the message {@link #start} would give
   */
  public static void checkFree(String host, int port) {
    if (port == 0) {
      return;
    }
    try (ServerSocket probe = new ServerSocket()) {
      // As the endpoint's own socket: a port whose last connections linger in TIME_WAIT is free.
      probe.setReuseAddress(true);
      probe.bind(new InetSocketAddress(host, port));
    } catch (IOException | RuntimeException e) {
      throw cannotListen(host, port, e);
    }
  }

  /**
   * Starts the endpoint on {@code host:port} (port 0 picks a free one) with the settings in the
   * engine's configuration. Blocks until it listens, for up to 30 seconds.
   *
   * @param engine the engine it controls, whose actor system it runs on
   * @param dataDir the engine's data dir, where the token and address files live
   * @param host the address or name to bind, e.g. {@code 127.0.0.1}; {@code 0.0.0.0} or {@code
   *     ::} for every interface
   * @param port the port to listen on; 0 for a free one, see {@link #address()}
   * @return the running endpoint; close it before the engine
   * @throws StartException when it cannot listen there or the token file is unusable
   * @throws IllegalArgumentException when an {@code autoupload.http} setting is invalid
   */
  public static HttpControlServer start(UploadEngine engine, Path dataDir, String host, int port) {
    Config settings = EngineInternals.actorSystem(engine).settings().config();
    return start(engine, dataDir, host, port, HttpSettings.from(settings));
  }

  /**
   * As {@link #start(UploadEngine, Path, String, int)}, for an endpoint started a while after the
   * engine, with {@code /metrics} counting from when {@code metrics} was made rather than from now.
   *
   * @param engine the engine it controls, whose actor system it runs on
   * @param dataDir the engine's data dir, where the token and address files live
   * @param host the address or name to bind
   * @param port the port to listen on; 0 for a free one
   * @param metrics the registry {@code /metrics} reads, made for {@code engine}; the endpoint's from then on
   * @return the running endpoint; close it before the engine
   * @throws StartException when it cannot listen there or the token file is unusable
   * @throws IllegalArgumentException when an {@code autoupload.http} setting is invalid
   */
  public static HttpControlServer start(UploadEngine engine, Path dataDir, String host, int port, Metrics metrics) {
    Config settings = EngineInternals.actorSystem(engine).settings().config();
    return start(engine, dataDir, host, port, HttpSettings.from(settings), Optional.empty(), Optional.empty(), metrics);
  }

  /**
   * What {@code /metrics} reads: a Prometheus registry in the engine's composite. Micrometer gives
   * a registry added to the composite only what is counted after, so one made when the engine
   * starts keeps the counts of an endpoint that starts later ({@code run --once}'s).
   */
  public static final class Metrics implements AutoCloseable {
    private final UploadEngine engine;
    private final PrometheusMeterRegistry registry;

    private Metrics(UploadEngine engine) {
      this.engine = engine;
      this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      engine.meterRegistry().add(registry);
    }

    /**
     * A registry counting what {@code engine} counts from now on.
     *
     * @param engine the engine whose meters it takes
     * @return the registry, already counting
     */
    public static Metrics countingFromNow(UploadEngine engine) {
      return new Metrics(engine);
    }

    /** Takes the registry out of the engine's composite; an endpoint that has it does so as it closes. */
    @Override
    public void close() {
      engine.meterRegistry().remove(registry);
    }
  }

  /**
   * As {@link #start(UploadEngine, Path, String, int)}, with {@code /api/libraries} adding and
   * removing libraries through {@code catalog} (without one, it lists the engine's libraries and
   * refuses changes with 405).
   *
   * @param engine the engine it controls, whose actor system it runs on
   * @param dataDir the engine's data dir, where the token and address files live
   * @param host the address or name to bind
   * @param port the port to listen on; 0 for a free one
   * @param catalog the libraries the process runs, which the API may change
   * @return the running endpoint; close it before the engine
   * @throws StartException when it cannot listen there or the token file is unusable
   * @throws IllegalArgumentException when an {@code autoupload.http} setting is invalid
   */
  public static HttpControlServer start(
      UploadEngine engine, Path dataDir, String host, int port, LibraryCatalog catalog) {
    Config settings = EngineInternals.actorSystem(engine).settings().config();
    return start(
        engine, dataDir, host, port, HttpSettings.from(settings), Optional.of(catalog), Optional.empty(),
        Metrics.countingFromNow(engine));
  }

  /**
   * As {@link #start(UploadEngine, Path, String, int, LibraryCatalog)}, with {@code /api/status},
   * {@code /api/pause}, {@code /api/resume} and {@code POST /api/uploads/{id}/retry} acting on the
   * libraries {@code control} reaches (on a cluster node: every library of the cluster) instead of
   * on {@code engine}'s alone.
   *
   * @param engine the engine it controls, whose actor system it runs on
   * @param dataDir the engine's data dir, where the token and address files live
   * @param host the address or name to bind
   * @param port the port to listen on; 0 for a free one
   * @param catalog the libraries the process runs, which the API may change
   * @param control what status, pause, resume and retry act on
   * @return the running endpoint; close it before the engine
   * @throws StartException when it cannot listen there or the token file is unusable
   * @throws IllegalArgumentException when an {@code autoupload.http} setting is invalid
   */
  public static HttpControlServer start(
      UploadEngine engine, Path dataDir, String host, int port, LibraryCatalog catalog, LibraryControl control) {
    Config settings = EngineInternals.actorSystem(engine).settings().config();
    return start(
        engine, dataDir, host, port, HttpSettings.from(settings), Optional.of(catalog), Optional.of(control),
        Metrics.countingFromNow(engine));
  }

  /**
   * As {@link #start(UploadEngine, Path, String, int)}, with explicit settings instead of those in
   * the engine's configuration.
   *
   * @param engine the engine it controls, whose actor system it runs on
   * @param dataDir the engine's data dir, where the token and address files live
   * @param host the address or name to bind
   * @param port the port to listen on; 0 for a free one
   * @param settings the endpoint's settings, e.g. from {@link HttpSettings#from}
   * @return the running endpoint; close it before the engine
   * @throws StartException when it cannot listen there or the token file is unusable
   */
  public static HttpControlServer start(
      UploadEngine engine, Path dataDir, String host, int port, HttpSettings settings) {
    return start(
        engine, dataDir, host, port, settings, Optional.empty(), Optional.empty(), Metrics.countingFromNow(engine));
  }

  private static HttpControlServer start(
      UploadEngine engine,
      Path dataDir,
      String host,
      int port,
      HttpSettings settings,
      Optional<LibraryCatalog> catalog,
      Optional<LibraryControl> control,
      Metrics metrics) {
    ActorSystem<?> system = EngineInternals.actorSystem(engine);
    ApiToken token;
    try {
      token = ApiToken.loadOrCreate(dataDir);
    } catch (IOException e) {
      metrics.close();
      throw new StartException("cannot set up the control endpoint's token: " + e.getMessage(), e);
    }
    ObjectMapper mapper = JacksonObjectMapperProvider.get(system).getOrCreate("jackson-json", Optional.empty());
    EventFeed feed = new EventFeed(mapper, settings.sseBuffer(), settings.sseKeepAlive());
    // The rate is sampled only while bytes move: an idle engine is not asked every second (and a
    // reader of /api/status samples it too). Any event may mean bytes move again.
    AtomicBoolean moving = new AtomicBoolean(true);
    Subscription events =
        engine.addListener(
            event -> {
              moving.set(true);
              feed.publish(event);
            });
    TransferRate rate = new TransferRate(settings.rateWindow());
    Cancellable sampler =
        system
            .scheduler()
            .scheduleWithFixedDelay(
                Duration.ZERO,
                settings.rateSampleInterval(),
                () -> {
                  if (moving.get()) {
                    engine
                        .status()
                        .thenAccept(
                            status -> {
                              if (!rate.record(System.nanoTime(), status.bytesSent())) {
                                moving.set(false);
                              }
                            });
                  }
                },
                system.executionContext());
    Sessions sessions = new Sessions(settings.sessionIdleTimeout(), settings.maxSessions(), System::nanoTime);
    Verifications verifications = new Verifications(engine, feed, Clock.systemUTC());
    PrometheusMeterRegistry prometheus = metrics.registry;
    events = chain(events, metrics::close);
    ThumbnailCache thumbnails = new ThumbnailCache(dataDir, settings.thumbnails());
    events = chain(events, thumbnails::close);
    // The routes are built at the first request: a run that nobody asks anything (a run --once of
    // a library already backed up, most of all) spares their 0.15 s of CPU.
    RoutesOnFirstRequest routes =
        new RoutesOnFirstRequest(
            () ->
                new ControlRoutes(
                        engine, settings, token, sessions, feed, verifications, rate, mapper, prometheus, thumbnails,
                        catalog, control)
                    .route()
                    .handler(system));
    Config serverConfig = ConfigFactory.parseString(SERVER_OVERRIDES).withFallback(system.settings().config());

    ServerBinding binding;
    try {
      binding =
          Http.get(system)
              .newServerAt(host, port)
              .withSettings(ServerSettings.create(serverConfig))
              .bind(routes)
              .toCompletableFuture()
              .get(BIND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      sampler.cancel();
      events.close();
      feed.close();
      throw cannotListen(host, port, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      sampler.cancel();
      events.close();
      feed.close();
      throw new StartException("interrupted while starting the control endpoint", e);
    }

    HttpControlServer server = new HttpControlServer(binding, dataDir, feed, events, sampler, settings.stopTimeout());
    try {
      AddressFile.write(dataDir, server.address);
    } catch (IOException e) {
      server.close();
      throw new StartException("cannot write " + AddressFile.file(dataDir) + ": " + e.getMessage(), e);
    }
    log.debug("Control endpoint listening on {}", server.url());
    return server;
  }

  /** Closes {@code first}, then runs {@code then}: what the server undoes as it closes. */
  private static Subscription chain(Subscription first, Runnable then) {
    return () -> {
      first.close();
      then.run();
    };
  }

  /**
   * Where it listens.
   *
   * @return the bound address, with the real port when started with port 0
   */
  public InetSocketAddress address() {
    return address;
  }

  /**
   * The page's URL on this machine.
   *
   * @return e.g. {@code http://127.0.0.1:8686/}; loopback when it listens on every interface
   */
  public URI url() {
    return AddressFile.localUrl(AddressFile.hostPort(address));
  }

  /**
   * The file holding the token clients must send, for telling the user where to find it.
   *
   * @return {@code <data-dir>/http-token}
   */
  public Path tokenFile() {
    return ApiToken.file(dataDir);
  }

  /**
   * Stops listening, ends open event streams, lets requests in progress finish for up to {@code
   * autoupload.http.stop-timeout}, and removes {@code <data-dir>/http-address}.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    rateSampler.cancel();
    events.close();
    try {
      AddressFile.remove(dataDir, address);
    } catch (IOException e) {
      log.warn("Cannot remove {}: {}", AddressFile.file(dataDir), e.getMessage());
    }
    try {
      // Event streams first, so that clients see them end rather than a reset connection.
      feed.end().get(stopTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.debug("Event streams did not end within {}", stopTimeout);
    }
    try {
      binding
          .terminate(stopTimeout)
          .toCompletableFuture()
          .get(stopTimeout.plusSeconds(5).toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.warn("The control endpoint did not stop cleanly: {}", e.toString());
    }
  }

  /** The endpoint's handler, made by {@code routes} when the first request comes. */
  private static final class RoutesOnFirstRequest implements Function<HttpRequest, CompletionStage<HttpResponse>> {
    private final Supplier<Function<HttpRequest, CompletionStage<HttpResponse>>> routes;
    private volatile Function<HttpRequest, CompletionStage<HttpResponse>> handler;

    RoutesOnFirstRequest(Supplier<Function<HttpRequest, CompletionStage<HttpResponse>>> routes) {
      this.routes = routes;
    }

    @Override
    public CompletionStage<HttpResponse> apply(HttpRequest request) throws Exception {
      Function<HttpRequest, CompletionStage<HttpResponse>> made = handler;
      if (made == null) {
        synchronized (this) {
          made = handler;
          if (made == null) {
            made = routes.get();
            handler = made;
          }
        }
      }
      return made.apply(request);
    }
  }

  /** "cannot listen on 127.0.0.1:8686: address already in use": the start's and the check's words. */
  private static StartException cannotListen(String host, int port, Throwable error) {
    return new StartException("cannot listen on " + host + ":" + port + ": " + bindProblem(error), error);
  }

  private static String bindProblem(Throwable error) {
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      if (cause instanceof BindException bind) {
        String message = String.valueOf(bind.getMessage());
        return message.toLowerCase(java.util.Locale.ROOT).contains("in use") ? "address already in use" : message;
      }
    }
    Throwable root = error instanceof ExecutionException && error.getCause() != null ? error.getCause() : error;
    return root.getMessage() != null ? root.getMessage() : root.toString();
  }
}
