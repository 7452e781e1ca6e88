import dev.autoupload.engine.UploadEngine;
import dev.autoupload.engine.conditions.DeviceConditions;
import dev.autoupload.engine.internal.EngineInternals;
import dev.autoupload.engine.internal.library.BackupSupervisor;
import dev.autoupload.engine.library.Asset;
import dev.autoupload.engine.library.AssetSource;
import dev.autoupload.engine.library.CreationDateSource;
import dev.autoupload.engine.library.Library;
import dev.autoupload.engine.library.LibraryStatus;
import dev.autoupload.engine.upload.NameRules;
import dev.autoupload.engine.upload.RemoteFile;
import dev.autoupload.engine.upload.RemoteState;
import dev.autoupload.engine.upload.UploadException;
import dev.autoupload.engine.upload.UploadSession;
import dev.autoupload.engine.upload.UploadTarget;
import dev.autoupload.targets.local.LocalFolderTarget;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;

/**
 * A library of N synthetic assets (bench/million.sh): the engine's first plan, its heap, the
 * ledger's snapshot and a restart's first byte. Progress to stderr, figures to stdout.
 *
 * <p>Phases, each on a real engine (H2 journal in a temp data dir, a local-folder target):
 *
 * <ol>
 *   <li>first plan: a fresh library of N new assets; time until all N are found and the scan ended,
 *       heap after a full GC then;
 *   <li>seed: N {@code AssetBackedUp} events written to a second journal under the library's
 *       persistence id, exactly what N uploads would have journalled (the events only: no upload's
 *       own journal), so a ledger of N assets exists without N uploads; and N rows of the Activity's
 *       read model, backed up, as the projection of N uploads would have left them (since
 *       2026-12-07: a start read all of them once, which the bench did not show);
 *   <li>K more: the engine on that journal with N + K assets: it replays the N events (no
 *       snapshot yet), finds the N unchanged, uploads the K new ones, and snapshots its ledger at
 *       the next multiple of {@code ledger-snapshot-every}; the snapshot's bytes are read from H2;
 *   <li>restart: a new engine on the same data dir with one asset more (the newest, last in the
 *       scan as on a camera roll): time to its first byte at the target and to its backup; then
 *       once more with another new asset, as the next start would be, and the rows of the ledger
 *       table then. Again on a kept work dir: {@code N K DIR restart R}, where R counts the
 *       restarts made on it before.
 * </ol>
 */
public final class MillionBench {

  static final Instant EPOCH = Instant.parse("2015-01-01T00:00:00Z");
  static final DateTimeFormatter YEAR_MONTH = DateTimeFormatter.ofPattern("yyyy/MM").withZone(ZoneOffset.UTC);
  static final AtomicLong firstByteAt = new AtomicLong();

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int k = args.length > 1 ? Integer.parseInt(args[1]) : 1500;
    Path work = Path.of(args.length > 2 ? args[2] : Files.createTempDirectory("million").toString());
    String phases = args.length > 3 ? args[3] : "plan,seed,more,restart";
    say("N = " + n + ", K = " + k + ", work dir " + work);

    if (phases.contains("plan")) {
      firstPlan(n, work.resolve("data-plan"), work.resolve("target-plan"));
    }
    Path data = work.resolve("data");
    Path target = work.resolve("target");
    if (phases.contains("seed")) {
      seed(n, data);
    }
    if (phases.contains("more")) {
      moreUploads(n, k, data, target);
    }
    if (phases.contains("restart")) {
      // Restarts made before on this work dir (a fifth argument: how many) backed up their own new
      // assets, so these come after them.
      int before = args.length > 4 ? Integer.parseInt(args[4]) : 0;
      restart(n + k + 1 + before, data, target, "restart");
      tables(data);
      restart(n + k + 2 + before, data, target, "restart again");
      tables(data);
    }
  }

  // ---- the phases ----

  static void firstPlan(int n, Path data, Path target) throws Exception {
    say("first plan of " + n + " new assets ...");
    long start = System.nanoTime();
    try (UploadEngine engine = engine(data)) {
      long started = System.nanoTime();
      engine.addLibrary(new Library("million", new Synthetic(0, n), new FirstByte(target))).toCompletableFuture().get();
      LibraryStatus planned = awaitPlan(engine, n);
      long plannedAt = System.nanoTime();
      figure("engine start (JVM warm, H2 created)", ms(started - start));
      figure("first plan: " + planned.discovered() + " found, " + planned.queued() + " queued", ms(plannedAt - started));
      figure("heap after full GC at the first plan", mib(heapAfterGc()));
      figure("heap peak so far (all pools, max of each)", mib(heapPeak()));
    }
  }

  static void seed(int n, Path data) throws Exception {
    say("seeding " + n + " AssetBackedUp events ...");
    long start = System.nanoTime();
    try (UploadEngine engine = engine(data)) {
      ActorSystem<?> system = EngineInternals.actorSystem(engine);
      ActorRef<Seeder.Batch> seeder = system.systemActorOf(new Seeder(), "seeder", Props.empty());
      Instant at = Instant.now();
      for (int from = 0; from < n; from += 1000) {
        List<BackupSupervisor.Event> events = new ArrayList<>();
        for (int i = from; i < Math.min(n, from + 1000); i++) {
          Asset asset = Synthetic.asset(i);
          events.add(
              new BackupSupervisor.AssetBackedUp(
                  asset.id(), asset.version(), Synthetic.sha256(i), asset.size(), Optional.of(remotePath(asset)), at));
        }
        AskPattern.<Seeder.Batch, Long>ask(
                seeder, replyTo -> new Seeder.Batch(events, replyTo), Duration.ofMinutes(2), system.scheduler())
            .toCompletableFuture()
            .get();
      }
    }
    figure("seeded " + n + " events (not a figure of the engine)", ms(System.nanoTime() - start));
    long activityStart = System.nanoTime();
    seedActivity(n, data);
    figure("seeded " + n + " Activity rows (not a figure of the engine)", ms(System.nanoTime() - activityStart));
    tables(data);
  }

  /** N backed-up rows in the Activity's read model, one an upload a second, in one statement. */
  static void seedActivity(int n, Path data) throws Exception {
    try (Connection c =
            DriverManager.getConnection("jdbc:h2:file:" + data.resolve("journal") + ";DATABASE_TO_UPPER=false", "sa", "");
        PreparedStatement insert =
            c.prepareStatement(
                "INSERT INTO activity_asset (library_id, asset_id, path, remote_path, created_at, uploaded_at, bytes, "
                    + "state, offset_bytes, attempts, reasons, updated_at) "
                    + "SELECT 'million', 'seeded-' || X, 'DCIM/' || X || '.jpg', 'seeded/' || X || '.jpg', "
                    + "CAST(? AS TIMESTAMP WITH TIME ZONE) + X * INTERVAL '1' SECOND, "
                    + "CAST(? AS TIMESTAMP WITH TIME ZONE) + X * INTERVAL '1' SECOND, "
                    + "2048, 'COMPLETED', 2048, 1, '', CURRENT_TIMESTAMP FROM SYSTEM_RANGE(1, ?)")) {
      insert.setObject(1, EPOCH.atOffset(ZoneOffset.UTC));
      insert.setObject(2, EPOCH.plus(Duration.ofDays(3000)).atOffset(ZoneOffset.UTC));
      insert.setInt(3, n);
      insert.executeUpdate();
    }
  }

  static void moreUploads(int n, int k, Path data, Path target) throws Exception {
    say("the engine on the seeded journal, " + k + " new assets ...");
    resetPeaks();
    long start = System.nanoTime();
    try (UploadEngine engine = engine(data)) {
      long started = System.nanoTime();
      engine
          .addLibrary(new Library("million", new Synthetic(0, n + k), new FirstByte(target)))
          .toCompletableFuture()
          .get();
      engine.status().toCompletableFuture().get(10, TimeUnit.MINUTES);
      long recovered = System.nanoTime();
      LibraryStatus planned = awaitPlan(engine, n + k);
      long plannedAt = System.nanoTime();
      figure("engine start", ms(started - start));
      figure("recovery: replay of " + n + " events, no snapshot (status answers)", ms(recovered - started));
      figure(
          "plan: " + planned.alreadyBackedUp() + " already backed up, " + planned.queued() + " queued",
          ms(plannedAt - started));
      figure("heap after full GC, ledger of " + n, mib(heapAfterGc()));
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
      LibraryStatus status;
      do {
        TimeUnit.MILLISECONDS.sleep(200); // polling a figure, not synchronising a test
        status = engine.status().toCompletableFuture().get().libraries().get(0);
      } while (status.completed() + status.alreadyBackedUp() - planned.alreadyBackedUp() < k && System.nanoTime() < deadline);
      figure(status.completed() + " uploaded, " + status.failed() + " failed; all in", ms(System.nanoTime() - plannedAt));
      figure("heap after full GC, ledger of " + (n + k), mib(heapAfterGc()));
      figure("heap peak during this phase (all pools, max of each)", mib(heapPeak()));
    }
    tables(data);
  }

  static void restart(int total, Path data, Path target, String label) throws Exception {
    say(label + " with one new asset (last in the scan) ...");
    firstByteAt.set(0);
    long start = System.nanoTime();
    try (UploadEngine engine = engine(data)) {
      long started = System.nanoTime();
      engine
          .addLibrary(new Library("million", new Synthetic(0, total), new FirstByte(target)))
          .toCompletableFuture()
          .get();
      engine.status().toCompletableFuture().get(10, TimeUnit.MINUTES);
      long recovered = System.nanoTime();
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
      while (firstByteAt.get() == 0 && System.nanoTime() < deadline) {
        TimeUnit.MILLISECONDS.sleep(10); // polling a figure, not synchronising a test
      }
      figure("engine start (JVM warm)", ms(started - start));
      figure(label + ": recovery from the snapshot (status answers)", ms(recovered - started));
      figure(label + ": engine start to first byte at the target", ms(firstByteAt.get() - start));
      LibraryStatus status;
      do {
        TimeUnit.MILLISECONDS.sleep(50); // polling a figure, not synchronising a test
        status = engine.status().toCompletableFuture().get().libraries().get(0);
      } while (status.completed() < 1 && System.nanoTime() < deadline);
      figure(label + ": engine start to the new asset backed up", ms(System.nanoTime() - start));
      figure("heap after full GC, restarted", mib(heapAfterGc()));
    }
  }

  // ---- helpers ----

  static UploadEngine engine(Path data) {
    return UploadEngine.builder()
        .dataDir(data)
        .setting("autoupload.layout.time-zone", "UTC")
        .initialConditions(DeviceConditions.desktop())
        .start();
  }

  static LibraryStatus awaitPlan(UploadEngine engine, long n) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
    while (true) {
      LibraryStatus status = engine.status().toCompletableFuture().get().libraries().get(0);
      if (!status.scanning() && status.discovered() >= n || System.nanoTime() > deadline) {
        return status;
      }
      TimeUnit.MILLISECONDS.sleep(50); // polling a figure, not synchronising a test
    }
  }

  static String remotePath(Asset asset) {
    String name = asset.relativePath().substring(asset.relativePath().lastIndexOf('/') + 1);
    return YEAR_MONTH.format(asset.createdAt()) + "/" + name;
  }

  /** Rows and bytes of the journal's tables, and the latest snapshots' sizes, read from H2 after the engine closed. */
  static void tables(Path data) throws Exception {
    try (Connection c =
        DriverManager.getConnection("jdbc:h2:file:" + data.resolve("journal") + ";DATABASE_TO_UPPER=false", "sa", "")) {
      try (ResultSet r = c.createStatement().executeQuery("SELECT COUNT(*), COALESCE(SUM(LENGTH(event_payload)), 0) FROM event_journal")) {
        r.next();
        figure("event_journal: rows, payload bytes", r.getLong(1) + " rows, " + mb(r.getLong(2)));
      }
      try (ResultSet r =
          c.createStatement()
              .executeQuery("SELECT COUNT(*), COALESCE(SUM(CASE WHEN idx > 0 THEN 1 ELSE 0 END), 0) FROM ledger_row")) {
        r.next();
        figure("ledger_row: rows (of whole ledgers)", r.getLong(1) + " (" + r.getLong(2) + ")");
      }
      try (ResultSet r =
          c.createStatement()
              .executeQuery("SELECT COUNT(*), COALESCE(SUM(row_count), 0), COALESCE(SUM(LENGTH(body)), 0) FROM ledger_chunk")) {
        r.next();
        figure("ledger_chunk: chunks, rows of whole ledgers in them, bytes", r.getLong(1) + ", " + r.getLong(2) + ", " + mb(r.getLong(3)));
      } catch (java.sql.SQLException noTable) {
        // A journal of a build before the chunks, measured beside this one.
        figure("ledger_chunk", "no such table");
      }
      try (ResultSet r =
          c.createStatement()
              .executeQuery("SELECT persistence_id, sequence_number, LENGTH(snapshot_payload) FROM snapshot ORDER BY sequence_number")) {
        boolean any = false;
        while (r.next()) {
          any = true;
          figure("snapshot " + r.getString(1) + " @" + r.getLong(2), mb(r.getLong(3)));
        }
        if (!any) {
          figure("snapshots", "none");
        }
      }
    }
    try (var files = Files.list(data)) {
      for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".db")).toList()) {
        figure("file " + f.getFileName(), mb(Files.size(f)));
      }
    }
  }

  static long heapAfterGc() {
    System.gc();
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  static long heapPeak() {
    long peak = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        peak += pool.getPeakUsage().getUsed();
      }
    }
    return peak;
  }

  static void resetPeaks() {
    ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
  }

  static void say(String line) {
    System.err.println("[million] " + line);
  }

  static void figure(String what, String value) {
    System.out.printf("%-72s %s%n", what, value);
    System.out.flush();
  }

  static String ms(long nanos) {
    return String.format("%,d ms", TimeUnit.NANOSECONDS.toMillis(nanos));
  }

  static String mib(long bytes) {
    return String.format("%,.0f MiB", bytes / 1048576.0);
  }

  static String mb(long bytes) {
    return String.format("%,.1f MB", bytes / 1e6);
  }

  // ---- the synthetic library ----

  /** Assets from..to-1: deterministic ids, paths, sizes (64 B to 4 KiB) and times; content made on open. */
  static final class Synthetic implements AssetSource {
    final int from;
    final int to;

    Synthetic(int from, int to) {
      this.from = from;
      this.to = to;
    }

    static Asset asset(int i) {
      // What String.format("DCIM/%03d/IMG_%07d.JPG", ...) gives, without its cost: made a million
      // times a scan, the format and a digest looked up each time cost more CPU than the engine's
      // plan of the same assets, on the same two cores.
      String path = "DCIM/" + padded(i / 10_000, 3) + "/IMG_" + padded(i, 7) + ".JPG";
      Instant taken = EPOCH.plusSeconds(i * 60L);
      return new Asset(idOf(path), "million", path, size(i), taken, CreationDateSource.EXIF, taken, Optional.empty());
    }

    static long size(int i) {
      return 64 + (i * 7919L) % 4033;
    }

    static byte[] content(int i) {
      byte[] bytes = new byte[(int) size(i)];
      long x = 0x9E3779B97F4A7C15L * (i + 1);
      for (int b = 0; b < bytes.length; b++) {
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        bytes[b] = (byte) x;
      }
      return bytes;
    }

    static String sha256(int i) {
      try {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content(i)));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    static String padded(int value, int digits) {
      String text = Integer.toString(value);
      return text.length() >= digits ? text : "0".repeat(digits - text.length()) + text;
    }

    static final ThreadLocal<MessageDigest> ID_DIGEST =
        ThreadLocal.withInitial(
            () -> {
              try {
                return MessageDigest.getInstance("SHA-256");
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });

    static String idOf(String relativePath) {
      byte[] hash = ID_DIGEST.get().digest(("path:" + relativePath).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash, 0, 16);
    }

    @Override
    public String describe() {
      return "synthetic library of " + (to - from) + " assets";
    }

    @Override
    public void scan(Consumer<List<Asset>> batches) {
      List<Asset> batch = new ArrayList<>(1000);
      for (int i = from; i < to; i++) {
        batch.add(asset(i));
        if (batch.size() == 1000) {
          batches.accept(batch);
          batch = new ArrayList<>(1000);
        }
      }
      if (!batch.isEmpty()) {
        batches.accept(batch);
      }
    }

    @Override
    public InputStream open(Asset asset) throws IOException {
      String name = asset.relativePath();
      int i = Integer.parseInt(name.substring(name.lastIndexOf('_') + 1, name.lastIndexOf('.')));
      return new ByteArrayInputStream(content(i));
    }
  }

  /** The local-folder target, noting when the first byte arrives. */
  static final class FirstByte implements UploadTarget {
    final LocalFolderTarget folder;

    FirstByte(Path root) {
      this.folder = new LocalFolderTarget(root);
    }

    @Override
    public String describe() {
      return folder.describe();
    }

    @Override
    public RemoteState probe(String remotePath) throws UploadException {
      return folder.probe(remotePath);
    }

    @Override
    public RemoteState probe(String remotePath, Optional<String> resumeToken) throws UploadException {
      return folder.probe(remotePath, resumeToken);
    }

    @Override
    public UploadSession open(String remotePath, long size) throws UploadException {
      return noting(folder.open(remotePath, size));
    }

    @Override
    public UploadSession open(String remotePath, long size, Optional<String> resumeToken) throws UploadException {
      return noting(folder.open(remotePath, size, resumeToken));
    }

    @Override
    public UploadSession openReplacing(String remotePath, long size, Optional<String> resumeToken) throws UploadException {
      return noting(folder.openReplacing(remotePath, size, resumeToken));
    }

    @Override
    public void discard(String remotePath, Optional<String> resumeToken) throws UploadException {
      folder.discard(remotePath, resumeToken);
    }

    @Override
    public NameRules nameRules() {
      return folder.nameRules();
    }

    @Override
    public boolean findsFilesByName() {
      return folder.findsFilesByName();
    }

    @Override
    public Optional<InputStream> openRead(String remotePath) throws UploadException {
      return folder.openRead(remotePath);
    }

    @Override
    public void check() throws UploadException {
      folder.check();
    }

    @Override
    public void close() {
      folder.close();
    }

    static UploadSession noting(UploadSession session) {
      return new UploadSession() {
        @Override
        public long offset() {
          return session.offset();
        }

        @Override
        public Optional<String> resumeToken() {
          return session.resumeToken();
        }

        @Override
        public long append(long offset, ByteBuffer bytes) throws UploadException {
          firstByteAt.compareAndSet(0, System.nanoTime());
          return session.append(offset, bytes);
        }

        @Override
        public RemoteFile complete(long expectedSize, String sha256) throws UploadException {
          return session.complete(expectedSize, sha256);
        }

        @Override
        public void close() {
          session.close();
        }
      };
    }
  }

  /** Writes AssetBackedUp events under the library's persistence id, as the supervisor would. */
  static final class Seeder extends EventSourcedBehavior<Seeder.Batch, BackupSupervisor.Event, Long> {
    record Batch(List<BackupSupervisor.Event> events, ActorRef<Long> replyTo) {}

    Seeder() {
      super(BackupSupervisor.persistenceId("million"));
    }

    @Override
    public Long emptyState() {
      return 0L;
    }

    @Override
    public CommandHandler<Batch, BackupSupervisor.Event, Long> commandHandler() {
      return newCommandHandlerBuilder()
          .forAnyState()
          .onCommand(Batch.class, (state, batch) -> Effect().persist(batch.events()).thenReply(batch.replyTo(), s -> s))
          .build();
    }

    @Override
    public EventHandler<Long, BackupSupervisor.Event> eventHandler() {
      return newEventHandlerBuilder().forAnyState().onAnyEvent((state, event) -> state + 1);
    }
  }
}
