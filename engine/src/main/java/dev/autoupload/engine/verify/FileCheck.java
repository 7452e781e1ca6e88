package dev.autoupload.engine.verify;

import dev.autoupload.engine.library.Asset;
import dev.autoupload.engine.library.AssetSource;
import dev.autoupload.engine.library.ContentHashCache;
import dev.autoupload.engine.upload.Md5;
import dev.autoupload.engine.upload.RemoteState;
import dev.autoupload.engine.upload.Sha256;
import dev.autoupload.engine.upload.UploadException;
import dev.autoupload.engine.upload.UploadTarget;
import dev.autoupload.engine.verify.FileVerdict.Mark;
import dev.autoupload.engine.verify.Verdicts.Local;
import dev.autoupload.engine.verify.Verdicts.Place;
import dev.autoupload.engine.verify.Verdicts.Remote;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Checks files of a library against its target, asking each for no more than it needs: the
 * file's sha256 from the source or the hash cache, else by reading it; from the target the size
 * and hash its probe tells, the bytes read back only where it tells no hash, or for every file in
 * {@link VerifyMode#DOWNLOAD}. The places are looked at in order until one holds the file's
 * content; {@link Verdicts} decides.
 *
 * <p>Blocking; safe to use from several threads at once, each on another file.
 */
public final class FileCheck {

  private static final int BUFFER_BYTES = 1 << 20;

  /** Where the backup of {@code asset}, whose content is {@code sha256}, may be; where it should be first. */
  @FunctionalInterface
  public interface Places {
    /**
     * The places for one asset.
     *
     * @param asset the asset
     * @param sha256 lowercase hex sha256 of its content
     * @return the remote paths to look at, the expected one first
     */
    List<String> of(Asset asset, String sha256);
  }

  private final AssetSource source;
  private final ContentHashCache hashes;
  private final UploadTarget target;
  private final Places places;
  private final VerifyMode mode;
  private final AtomicLong bytesRead = new AtomicLong();

  /**
   * A check of one library's files against one target.
   *
   * @param source the library's source, to read files here
   * @param hashes hashes already known, so unchanged files are not read again
   * @param target the library's target
   * @param places where each file's backup may be
   * @param mode how backups are compared
   */
  public FileCheck(AssetSource source, ContentHashCache hashes, UploadTarget target, Places places, VerifyMode mode) {
    this.source = source;
    this.hashes = hashes;
    this.target = target;
    this.places = places;
    this.mode = mode;
  }

  /** {@return the bytes read so far, here and back from the target}; grows while checks run */
  public long bytesRead() {
    return bytesRead.get();
  }

  /**
   * The verdict on {@code asset}; never throws, a failure is the verdict's reason.
   *
   * @param asset the asset as scanned now
   * @return the verdict; a failure is the verdict's reason, never an exception
   */
  public FileVerdict check(Asset asset) {
    Optional<String> known = asset.contentHash().or(() -> hashes.lookup(asset));
    Local local = known.<Local>map(sha256 -> new Local.Read(asset.size(), sha256, Optional.empty())).orElseGet(() -> read(asset));
    List<Place> looked = new ArrayList<>();
    if (local instanceof Local.Read first) {
      Local.Read read = first;
      for (String remotePath : places.of(asset, read.sha256())) {
        Place place = new Place(remotePath, look(remotePath, read));
        if (onlyMd5Compares(place.remote()) && read.md5().isEmpty()) {
          local = read(asset);
          if (!(local instanceof Local.Read withMd5)) {
            break;
          }
          read = withMd5;
        }
        looked.add(place);
        if (Verdicts.judge(read, place).mark() == Mark.SAME) {
          break;
        }
      }
    }
    return Verdicts.verdict(asset.relativePath(), local, looked);
  }

  private static boolean onlyMd5Compares(Remote remote) {
    return remote instanceof Remote.Stored stored
        && stored.md5().isPresent()
        && stored.sha256().isEmpty()
        && stored.readBack().isEmpty();
  }

  /** What the target holds under {@code remotePath}, read back where that is the only way to tell. */
  private Remote look(String remotePath, Local.Read local) {
    if (!target.findsFilesByName()) {
      return new Remote.Unknowable(
          target.describe() + " cannot look files up by name, so it cannot tell whether it holds this one");
    }
    RemoteState state;
    try {
      state = target.probe(remotePath);
    } catch (UploadException e) {
      return new Remote.Failed(e.error().message());
    } catch (RuntimeException e) {
      return new Remote.Failed(String.valueOf(e));
    }
    if (state instanceof RemoteState.Partial partial) {
      return new Remote.Unfinished(partial.offset());
    }
    if (!(state instanceof RemoteState.Complete complete)) {
      return new Remote.Absent();
    }
    Optional<String> readBack = Optional.empty();
    // A different size settles it without a download.
    if (complete.size() == local.size() && (mode == VerifyMode.DOWNLOAD || !complete.hasHash())) {
      try {
        Optional<InputStream> in = target.openRead(remotePath);
        if (in.isPresent()) {
          try (InputStream stream = in.get()) {
            readBack = Optional.of(sha256Of(stream));
          }
        }
      } catch (UploadException e) {
        return new Remote.Failed("reading it back failed: " + e.error().message());
      } catch (IOException | RuntimeException e) {
        return new Remote.Failed("reading it back failed: " + reason(e));
      }
    }
    return new Remote.Stored(complete.size(), complete.sha256(), complete.md5(), readBack);
  }

  /** Reads the file here once for its sha256 and MD5, remembering the sha256 for the next time. */
  private Local read(Asset asset) {
    MessageDigest sha256 = Sha256.newDigest();
    MessageDigest md5 = Md5.newDigest();
    long size;
    try (InputStream in = source.open(asset)) {
      size = hash(in, sha256, md5);
    } catch (IOException | RuntimeException e) {
      return new Local.Unreadable(reason(e));
    }
    String hex = Sha256.hex(sha256);
    if (size == asset.size()) {
      hashes.remember(asset, hex);
    }
    return new Local.Read(size, hex, Optional.of(HexFormat.of().formatHex(md5.digest())));
  }

  private String sha256Of(InputStream in) throws IOException {
    MessageDigest digest = Sha256.newDigest();
    hash(in, digest);
    return Sha256.hex(digest);
  }

  /** Feeds the stream to the digests and counts it as read; returns its length. */
  private long hash(InputStream in, MessageDigest... digests) throws IOException {
    byte[] buffer = new byte[BUFFER_BYTES];
    long length = 0;
    for (int n; (n = in.read(buffer)) > 0; ) {
      for (MessageDigest digest : digests) {
        digest.update(buffer, 0, n);
      }
      length += n;
      bytesRead.addAndGet(n);
    }
    return length;
  }

  private static String reason(Exception e) {
    if (e instanceof NoSuchFileException) {
      return "it is gone";
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
