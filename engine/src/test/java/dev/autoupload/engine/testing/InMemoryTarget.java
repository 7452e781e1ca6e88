package dev.autoupload.engine.testing;

import dev.autoupload.engine.upload.NameRules;
import dev.autoupload.engine.upload.RemoteFile;
import dev.autoupload.engine.upload.RemoteState;
import dev.autoupload.engine.upload.Sha256;
import dev.autoupload.engine.upload.UploadError;
import dev.autoupload.engine.upload.UploadException;
import dev.autoupload.engine.upload.UploadSession;
import dev.autoupload.engine.upload.UploadTarget;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * A complete {@link UploadTarget} held in memory, for engine tests: it keeps partial uploads for
 * resumes, verifies size and sha256 before publishing, and records what it saw (bytes received,
 * sessions open at once, when sessions opened). Faults are injected per call, and appends can be
 * held at a gate so a test can act while an upload is provably in flight.
 */
public final class InMemoryTarget implements UploadTarget {

  private final Map<String, byte[]> files = new ConcurrentHashMap<>();
  private final Map<String, ByteArrayOutputStream> partials = new ConcurrentHashMap<>();
  private final AtomicLong bytesReceived = new AtomicLong();
  private final AtomicInteger openSessions = new AtomicInteger();
  private final AtomicInteger maxOpenSessions = new AtomicInteger();
  private final Map<String, List<Instant>> opens = new ConcurrentHashMap<>();
  private volatile Function<String, Optional<UploadError>> appendFault = path -> Optional.empty();
  /** Where appends are held: one object, so an append never sees one gate's size with another's semaphore. */
  private record Gate(long afterBytes, Semaphore waiting) {}

  private volatile Gate gate = new Gate(Long.MAX_VALUE, new Semaphore(0));
  /** How long a test waits at most for an append at the gate, or for a held one to return. */
  private static final Duration GATE_TIMEOUT = Duration.ofSeconds(60);

  private final Semaphore arrivedAtGate = new Semaphore(0);
  private final Semaphore leftGate = new Semaphore(0);
  private volatile boolean failHeld;
  private volatile boolean md5Only;
  private volatile boolean noHash;
  private volatile boolean readsBack = true;
  private volatile boolean tokenKeyed;
  private volatile boolean notResumable;
  private final AtomicInteger tokens = new AtomicInteger();
  private final List<Optional<String>> tokensOpenedWith = new CopyOnWriteArrayList<>();
  private volatile boolean sha256First;
  private final List<String> sha256sOpenedWith = new CopyOnWriteArrayList<>();
  private final AtomicLong bytesGivenAgain = new AtomicLong();
  private final List<String> discards = new CopyOnWriteArrayList<>();
  private volatile Optional<UploadError> discardFault = Optional.empty();

  /** Makes the probe report a finished file's MD5 only, as Koofr does. */
  public void reportOnlyMd5() {
    md5Only = true;
  }

  /** Makes the probe report no hash of a finished file, as a plain WebDAV server does. */
  public void reportNoHash() {
    noHash = true;
  }

  /** Makes the target ask for every file's sha256 before its first byte, as S3 does for multipart uploads. */
  public void wantSha256First() {
    sha256First = true;
  }

  /** The sha256 each {@link #openKnowing} was given, in order. */
  public List<String> sha256sOpenedWith() {
    return List.copyOf(sha256sOpenedWith);
  }

  /**
   * How many bytes sessions were given again after a resume ({@link UploadSession#alreadySent}),
   * each found equal to what the partial upload holds there.
   */
  public long bytesGivenAgain() {
    return bytesGivenAgain.get();
  }

  /** Makes {@link #openRead} tell that this target cannot read files back. */
  public void cannotReadBack() {
    readsBack = false;
  }

  /** Removes a finished file, as a user or another app would. */
  public void deleteFile(String path) {
    files.remove(path);
  }

  /**
   * Makes partial uploads findable only through the resume token their session gave, as a tus
   * server's uploads are: by path the probe sees no partial, and an open without a known token
   * starts a new upload.
   */
  /** Sessions say a later one cannot go on from them, as a single-request upload does. */
  public void sessionsNotResumable() {
    notResumable = true;
  }

  public void keyPartialsByResumeToken() {
    tokenKeyed = true;
  }

  /** The resume tokens sessions were opened with, in order (empty for none). */
  public List<Optional<String>> tokensOpenedWith() {
    return List.copyOf(tokensOpenedWith);
  }

  /** The remote paths {@link #discard} was called for, in order. */
  public List<String> discards() {
    return List.copyOf(discards);
  }

  /** Makes {@link #discard} fail with {@code fault} until called with empty. */
  public void failDiscards(Optional<UploadError> fault) {
    discardFault = fault;
  }

  /** Makes every append to a path fail with the error the function returns, if any. */
  public void failAppends(Function<String, Optional<UploadError>> fault) {
    this.appendFault = fault;
  }

  /**
   * Holds every append that would take a session past {@code bytes} until {@link #releaseHeld}
   * lets it through or fails it; {@link #awaitHeld} tells when one is waiting.
   */
  public void holdAppendsAfter(long bytes) {
    gate = new Gate(bytes, new Semaphore(0));
  }

  /**
   * Lets the held appends go on, and holds from now on every append past {@code bytes}: at once,
   * so no upload slips past {@code bytes} between a release and a new hold.
   */
  public void releaseHeldAndHoldAfter(long bytes) {
    failHeld = false;
    Gate held = gate;
    gate = new Gate(bytes, new Semaphore(0));
    held.waiting().release(1000);
  }

  /**
   * Lets held appends go on and stops holding new ones. With {@code fail} they throw a transient
   * error without storing their bytes, like a connection cut by a crash.
   */
  public void releaseHeld(boolean fail) {
    failHeld = fail;
    Gate held = gate;
    gate = new Gate(Long.MAX_VALUE, new Semaphore(0));
    held.waiting().release(1000);
  }

  /** Waits for an append to arrive at the gate; fails rather than hang the suite when none comes. */
  public void awaitHeld() throws InterruptedException {
    if (!arrivedAtGate.tryAcquire(GATE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("no append arrived at the gate within " + GATE_TIMEOUT.toSeconds() + " s");
    }
  }

  /** Whether an append arrives at the gate within {@code timeout}. */
  public boolean awaitHeld(Duration timeout) throws InterruptedException {
    return arrivedAtGate.tryAcquire(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Waits until a held append has returned (stored its bytes or failed). */
  public void awaitReleased() throws InterruptedException {
    if (!leftGate.tryAcquire(GATE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("no held append returned within " + GATE_TIMEOUT.toSeconds() + " s");
    }
  }

  /** Waits until no session to {@code path} is open, as after a crashed upload's thread let go. */
  public void awaitClosed(String path) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    synchronized (sessionPaths) {
      while (sessionPaths.contains(path)) {
        long left = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
        if (left <= 0) {
          throw new AssertionError("a session to " + path + " is still open");
        }
        sessionPaths.wait(left);
      }
    }
  }

  /** Puts a finished file on the target, as if an earlier run or another device uploaded it. */
  public void putFile(String path, byte[] content) {
    files.put(path, content.clone());
  }

  public Optional<byte[]> file(String path) {
    return Optional.ofNullable(files.get(path)).map(byte[]::clone);
  }

  public Map<String, byte[]> files() {
    return Map.copyOf(files);
  }

  public long partialLength(String path) {
    ByteArrayOutputStream partial = partials.get(path);
    return partial == null ? 0 : partial.size();
  }

  public long bytesReceived() {
    return bytesReceived.get();
  }

  public int maxOpenSessions() {
    return maxOpenSessions.get();
  }

  /** When sessions to {@code path} were opened, in order. */
  public List<Instant> sessionOpenings(String path) {
    return List.copyOf(opens.getOrDefault(path, List.of()));
  }

  @Override
  public String describe() {
    return "memory";
  }

  private volatile Optional<RuntimeException> nameRulesFault = Optional.empty();
  private final AtomicInteger nameRulesAsked = new AtomicInteger();

  /**
   * Makes {@link #nameRules} throw {@code fault}, as a target with a bug would, until called with
   * empty; a library's backup asks it whenever it starts.
   */
  public void failNameRules(Optional<RuntimeException> fault) {
    nameRulesFault = fault;
  }

  /** How often {@link #nameRules} was asked: once per start of a library's backup. */
  public int nameRulesAsked() {
    return nameRulesAsked.get();
  }

  private volatile Optional<RuntimeException> notesFault = Optional.empty();

  /** Makes {@link #notes} throw {@code fault}, until called with empty; a library's status asks it. */
  public void failNotes(Optional<RuntimeException> fault) {
    notesFault = fault;
  }

  @Override
  public List<String> notes() {
    notesFault.ifPresent(
        fault -> {
          throw fault;
        });
    return List.of();
  }

  @Override
  public NameRules nameRules() {
    nameRulesAsked.incrementAndGet();
    nameRulesFault.ifPresent(
        fault -> {
          throw fault;
        });
    return NameRules.POSIX;
  }

  @Override
  public void check() {}

  @Override
  public RemoteState probe(String remotePath) {
    return probe(remotePath, Optional.empty());
  }

  @Override
  public RemoteState probe(String remotePath, Optional<String> resumeToken) {
    byte[] file = files.get(remotePath);
    if (file != null) {
      if (noHash) {
        return new RemoteState.Complete(file.length, Optional.empty(), Optional.empty());
      }
      return md5Only
          ? new RemoteState.Complete(file.length, Optional.empty(), Optional.of(md5(file)))
          : new RemoteState.Complete(file.length, Optional.of(sha256(file)));
    }
    ByteArrayOutputStream partial = partials.get(partialKey(remotePath, resumeToken));
    return partial == null ? new RemoteState.Absent() : new RemoteState.Partial(partial.size());
  }

  @Override
  public Optional<InputStream> openRead(String remotePath) throws UploadException {
    if (!readsBack) {
      return Optional.empty();
    }
    byte[] file = files.get(remotePath);
    if (file == null) {
      throw new UploadException(new UploadError.Permanent(remotePath + " is not there"));
    }
    return Optional.of(new ByteArrayInputStream(file));
  }

  /** Drops the partial upload the path or token names; finished files stay. */
  @Override
  public void discard(String remotePath, Optional<String> resumeToken) throws UploadException {
    Optional<UploadError> fault = discardFault;
    if (fault.isPresent()) {
      throw new UploadException(fault.get());
    }
    discards.add(remotePath);
    if (!tokenKeyed || resumeToken.isPresent()) {
      partials.remove(partialKey(remotePath, resumeToken));
    }
  }

  private String partialKey(String remotePath, Optional<String> resumeToken) {
    return tokenKeyed ? resumeToken.orElse("") : remotePath;
  }

  @Override
  public UploadSession open(String remotePath, long size) throws UploadException {
    return open(remotePath, size, Optional.empty());
  }

  private final java.util.Set<String> sessionPaths = ConcurrentHashMap.newKeySet();

  @Override
  public UploadSession open(String remotePath, long size, Optional<String> resumeToken) throws UploadException {
    return open(remotePath, size, resumeToken, false);
  }

  @Override
  public UploadSession openReplacing(String remotePath, long size, Optional<String> resumeToken)
      throws UploadException {
    return open(remotePath, size, resumeToken, true);
  }

  @Override
  public boolean wantsSha256First(long size) {
    return sha256First;
  }

  @Override
  public UploadSession openKnowing(
      String remotePath, long size, Optional<String> resumeToken, boolean replace, String sha256)
      throws UploadException {
    sha256sOpenedWith.add(sha256);
    return open(remotePath, size, resumeToken, replace);
  }

  private UploadSession open(String remotePath, long size, Optional<String> resumeToken, boolean replace)
      throws UploadException {
    if (!sessionPaths.add(remotePath)) {
      // As every real target does: two writers on one path would mix their bytes.
      throw new UploadException(new UploadError.Transient(remotePath + " is being uploaded by another session"));
    }
    tokensOpenedWith.add(resumeToken);
    String key = partialKey(remotePath, resumeToken);
    if (tokenKeyed && !partials.containsKey(key)) {
      key = "upload-" + tokens.incrementAndGet();
    }
    ByteArrayOutputStream partial = partials.computeIfAbsent(key, p -> new ByteArrayOutputStream());
    synchronized (partial) {
      if (partial.size() > size) {
        partial.reset();
      }
    }
    opens.computeIfAbsent(remotePath, p -> new CopyOnWriteArrayList<>()).add(Instant.now());
    int open = openSessions.incrementAndGet();
    maxOpenSessions.accumulateAndGet(open, Math::max);
    return new Session(remotePath, key, partial, replace);
  }

  private final class Session implements UploadSession {
    private final String path;
    private final String partialKey;
    private final ByteArrayOutputStream partial;
    private final boolean replace;
    private boolean closed;

    Session(String path, String partialKey, ByteArrayOutputStream partial, boolean replace) {
      this.path = path;
      this.partialKey = partialKey;
      this.partial = partial;
      this.replace = replace;
    }

    @Override
    public Optional<String> resumeToken() {
      return tokenKeyed ? Optional.of(partialKey) : Optional.empty();
    }

    @Override
    public boolean resumable() {
      return !notResumable;
    }

    @Override
    public long offset() {
      synchronized (partial) {
        return partial.size();
      }
    }

    @Override
    public void alreadySent(long offset, ByteBuffer bytes) throws UploadException {
      byte[] held;
      synchronized (partial) {
        held = partial.toByteArray();
      }
      int n = bytes.remaining();
      byte[] given = new byte[n];
      bytes.get(given);
      if (offset + n > held.length
          || !java.util.Arrays.equals(given, 0, n, held, (int) offset, (int) offset + n)) {
        throw new UploadException(new UploadError.Transient(path + " holds other bytes at " + offset));
      }
      bytesGivenAgain.addAndGet(n);
    }

    @Override
    public long append(long offset, ByteBuffer bytes) throws UploadException {
      Optional<UploadError> fault = appendFault.apply(path);
      if (fault.isPresent()) {
        throw new UploadException(fault.get());
      }
      Gate current = gate;
      if (offset + bytes.remaining() > current.afterBytes()) {
        arrivedAtGate.release();
        current.waiting().acquireUninterruptibly();
        if (failHeld) {
          leftGate.release();
          throw new UploadException(new UploadError.Transient("connection reset"));
        }
        try {
          return store(offset, bytes);
        } finally {
          leftGate.release();
        }
      }
      return store(offset, bytes);
    }

    private long store(long offset, ByteBuffer bytes) throws UploadException {
      synchronized (partial) {
        if (offset != partial.size()) {
          throw new UploadException(
              new UploadError.Permanent("offset " + offset + " but target holds " + partial.size()));
        }
        byte[] chunk = new byte[bytes.remaining()];
        bytes.get(chunk);
        partial.write(chunk, 0, chunk.length);
        bytesReceived.addAndGet(chunk.length);
        return partial.size();
      }
    }

    @Override
    public RemoteFile complete(long expectedSize, String sha256) throws UploadException {
      byte[] content;
      synchronized (partial) {
        content = partial.toByteArray();
      }
      String actual = sha256(content);
      if (content.length != expectedSize || !actual.equals(sha256)) {
        partials.remove(partialKey);
        throw new UploadException(new UploadError.Transient("verification failed for " + path));
      }
      if (replace) {
        files.put(path, content);
      } else if (files.putIfAbsent(path, content) != null && !sha256(files.get(path)).equals(sha256)) {
        throw new UploadException(new UploadError.Conflict(path + " exists with different content"));
      }
      partials.remove(partialKey);
      return new RemoteFile(path, content.length, actual);
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        openSessions.decrementAndGet();
        synchronized (sessionPaths) {
          sessionPaths.remove(path);
          sessionPaths.notifyAll();
        }
      }
    }
  }

  static String md5(byte[] content) {
    try {
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5").digest(content));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String sha256(byte[] content) {
    try {
      return Sha256.of(new ByteArrayInputStream(content));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
