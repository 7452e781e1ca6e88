package dev.autoupload.http;

import com.drew.imaging.jpeg.JpegProcessingException;
import com.drew.imaging.jpeg.JpegSegmentData;
import com.drew.imaging.jpeg.JpegSegmentReader;
import com.drew.imaging.jpeg.JpegSegmentType;
import com.drew.lang.ByteArrayReader;
import com.drew.lang.StreamReader;
import com.drew.metadata.Metadata;
import com.drew.metadata.exif.ExifIFD0Directory;
import com.drew.metadata.exif.ExifReader;
import com.drew.metadata.exif.ExifThumbnailDirectory;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Polygon;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Makes the Activity page's thumbnails: a JPEG of at most {@value #MAX_SIDE} px on its long side.
 * The thumbnail the camera embedded in a JPEG's EXIF where there is one, else the JPEG or PNG
 * scaled down, either turned upright as the EXIF orientation says; else a neutral tile that says
 * "video" or "photo" by its drawing (HEIC included: its pictures are HEVC, which Java cannot
 * decode). A file that cannot
 * be read, or is too large or broken to decode, gets the tile: never an error.
 */
final class Thumbnails {

  static final int MAX_SIDE = 320;

  /** EXIF sits at the head of a JPEG (its APP1 segment is at most 64 KiB); more is never read for it. */
  private static final int HEAD_BYTES = 256 * 1024;

  private static final byte[] EXIF_PREAMBLE = {'E', 'x', 'i', 'f', 0, 0};

  private static final Set<String> VIDEO_EXTENSIONS =
      Set.of("mov", "mp4", "m4v", "3gp", "3g2", "avi", "mkv", "webm", "mts", "m2ts", "wmv", "mpg", "mpeg");

  private static final Set<String> SCALED_FORMATS = Set.of("jpeg", "png");

  /** Where a thumbnail came from. */
  enum Source {
    EMBEDDED,
    SCALED,
    TILE
  }

  record Thumbnail(byte[] jpeg, Source source) {}

  /** Opens the original from its first byte; the caller closes it. */
  @FunctionalInterface
  interface Original {
    InputStream open() throws IOException;
  }

  /**
   * @param maxOriginalBytes originals larger than this get the tile: decoding keeps what it reads
   *     in memory
   * @param maxPixels originals with more pixels than this get the tile
   */
  record Limits(long maxOriginalBytes, long maxPixels) {}

  private static final byte[] VIDEO_TILE = tile(true);
  private static final byte[] PHOTO_TILE = tile(false);

  private Thumbnails() {}

  /** The thumbnail of the file at {@code path} ({@code size} bytes); blocking I/O. */
  static Thumbnail of(String path, long size, Original original, Limits limits) {
    if (isVideo(path)) {
      return new Thumbnail(VIDEO_TILE, Source.TILE);
    }
    try {
      Exif exif = exif(original);
      Optional<Thumbnail> embedded = embedded(exif);
      if (embedded.isPresent()) {
        return embedded.get();
      }
      if (size <= limits.maxOriginalBytes()) {
        Optional<BufferedImage> scaled = scaled(original, limits.maxPixels());
        if (scaled.isPresent()) {
          return new Thumbnail(jpeg(upright(scaled.get(), exif.orientation())), Source.SCALED);
        }
      }
    } catch (IOException | RuntimeException e) {
      // A broken or hostile file: decoders throw all kinds of things, and the page shows the tile.
    }
    return new Thumbnail(PHOTO_TILE, Source.TILE);
  }

  static boolean isVideo(String path) {
    int dot = path.lastIndexOf('.');
    return dot >= 0 && VIDEO_EXTENSIONS.contains(path.substring(dot + 1).toLowerCase(Locale.ROOT));
  }

  /**
   * What a JPEG's EXIF says: how the picture is turned (1, upright, to 8), and the thumbnail in
   * its IFD1 if there is one.
   */
  private record Exif(int orientation, Optional<byte[]> thumbnail) {}

  /** The EXIF of a JPEG, read from the file's head only; nothing for other files. */
  private static Exif exif(Original original) throws IOException {
    byte[] head;
    try (InputStream in = original.open()) {
      head = in.readNBytes(HEAD_BYTES);
    }
    JpegSegmentData segments;
    try {
      segments =
          JpegSegmentReader.readSegments(
              new StreamReader(new ByteArrayInputStream(head)), List.of(JpegSegmentType.APP1));
    } catch (JpegProcessingException | IOException e) {
      return new Exif(1, Optional.empty());
    }
    int orientation = 1;
    Optional<byte[]> thumbnail = Optional.empty();
    for (byte[] segment : segments.getSegments(JpegSegmentType.APP1)) {
      if (segment.length <= EXIF_PREAMBLE.length
          || !Arrays.equals(segment, 0, EXIF_PREAMBLE.length, EXIF_PREAMBLE, 0, EXIF_PREAMBLE.length)) {
        continue;
      }
      Metadata metadata = new Metadata();
      new ExifReader().extract(new ByteArrayReader(segment), metadata, EXIF_PREAMBLE.length);
      for (ExifIFD0Directory directory : metadata.getDirectoriesOfType(ExifIFD0Directory.class)) {
        Integer turned = directory.getInteger(ExifIFD0Directory.TAG_ORIENTATION);
        if (turned != null && turned >= 1 && turned <= 8) {
          orientation = turned;
        }
      }
      for (ExifThumbnailDirectory directory : metadata.getDirectoriesOfType(ExifThumbnailDirectory.class)) {
        // Relative to the segment read, as the reader was given it.
        Integer offset = directory.getAdjustedThumbnailOffset();
        Integer length = directory.getInteger(ExifThumbnailDirectory.TAG_THUMBNAIL_LENGTH);
        if (thumbnail.isEmpty() && offset != null && length != null && offset >= 0 && length >= 4
            && (long) offset + length <= segment.length) {
          thumbnail = Optional.of(Arrays.copyOfRange(segment, offset, offset + length));
        }
      }
    }
    return new Exif(orientation, thumbnail);
  }

  /** The EXIF thumbnail, upright: as it is where it is a JPEG already upright and small enough. */
  private static Optional<Thumbnail> embedded(Exif exif) throws IOException {
    if (exif.thumbnail().isEmpty()) {
      return Optional.empty();
    }
    byte[] bytes = exif.thumbnail().get();
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes));
    if (image == null) {
      return Optional.empty();
    }
    boolean jpeg = bytes[0] == (byte) 0xFF && bytes[1] == (byte) 0xD8;
    if (jpeg && exif.orientation() == 1 && Math.max(image.getWidth(), image.getHeight()) <= MAX_SIDE) {
      return Optional.of(new Thumbnail(bytes, Source.EMBEDDED));
    }
    return Optional.of(new Thumbnail(jpeg(upright(fit(image), exif.orientation())), Source.EMBEDDED));
  }

  /** {@code image} turned as EXIF orientation {@code orientation} (1 to 8) says the camera held it. */
  static BufferedImage upright(BufferedImage image, int orientation) {
    if (orientation <= 1 || orientation > 8) {
      return image;
    }
    int w = image.getWidth();
    int h = image.getHeight();
    // Each maps a source point (x, y) to where it shows: (m00, m10, m01, m11, m02, m12).
    AffineTransform turn =
        switch (orientation) {
          case 2 -> new AffineTransform(-1, 0, 0, 1, w, 0);
          case 3 -> new AffineTransform(-1, 0, 0, -1, w, h);
          case 4 -> new AffineTransform(1, 0, 0, -1, 0, h);
          case 5 -> new AffineTransform(0, 1, 1, 0, 0, 0);
          case 6 -> new AffineTransform(0, 1, -1, 0, h, 0);
          case 7 -> new AffineTransform(0, -1, -1, 0, h, w);
          default -> new AffineTransform(0, -1, 1, 0, 0, w);
        };
    boolean sideways = orientation >= 5;
    BufferedImage turned = new BufferedImage(sideways ? h : w, sideways ? w : h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = turned.createGraphics();
    try {
      g.drawImage(image, turn, null);
    } finally {
      g.dispose();
    }
    return turned;
  }

  /** The JPEG or PNG read at a fraction of its pixels, then fitted; empty for anything else. */
  private static Optional<BufferedImage> scaled(Original original, long maxPixels) throws IOException {
    try (InputStream in = original.open();
        ImageInputStream images = new MemoryCacheImageInputStream(in)) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(images);
      if (!readers.hasNext()) {
        return Optional.empty();
      }
      ImageReader reader = readers.next();
      try {
        if (!SCALED_FORMATS.contains(reader.getFormatName().toLowerCase(Locale.ROOT))) {
          return Optional.empty();
        }
        reader.setInput(images, true, true);
        int width = reader.getWidth(0);
        int height = reader.getHeight(0);
        if (width <= 0 || height <= 0 || (long) width * height > maxPixels) {
          return Optional.empty();
        }
        ImageReadParam param = reader.getDefaultReadParam();
        // Every n-th pixel only, so a 50-megapixel photo never sits decoded in memory.
        int step = Math.max(1, Math.max(width, height) / (2 * MAX_SIDE));
        param.setSourceSubsampling(step, step, 0, 0);
        return Optional.of(fit(reader.read(0, param)));
      } finally {
        reader.dispose();
      }
    }
  }

  /** {@code image} within {@value #MAX_SIDE} px, on white (a PNG's transparency), as RGB. */
  private static BufferedImage fit(BufferedImage image) {
    double scale = Math.min(1.0, (double) MAX_SIDE / Math.max(image.getWidth(), image.getHeight()));
    int width = Math.max(1, (int) Math.round(image.getWidth() * scale));
    int height = Math.max(1, (int) Math.round(image.getHeight() * scale));
    BufferedImage fitted = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = fitted.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
      g.drawImage(image, 0, 0, width, height, Color.WHITE, null);
    } finally {
      g.dispose();
    }
    return fitted;
  }

  static byte[] jpeg(BufferedImage image) {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
      writer.setOutput(out);
      ImageWriteParam param = writer.getDefaultWriteParam();
      param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      param.setCompressionQuality(0.85f);
      writer.write(null, new IIOImage(image, null, null), param);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write a JPEG in memory", e);
    } finally {
      writer.dispose();
    }
    return bytes.toByteArray();
  }

  /**
   * A grey tile with a play sign (video) or a mountain under a sun (photo): drawn, not written,
   * so it needs no fonts on a headless server, and reads the same in every language.
   */
  private static byte[] tile(boolean video) {
    BufferedImage tile = new BufferedImage(MAX_SIDE, MAX_SIDE * 3 / 4, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = tile.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setColor(new Color(0xE4, 0xE7, 0xEB));
      g.fillRect(0, 0, tile.getWidth(), tile.getHeight());
      g.setColor(new Color(0x8A, 0x93, 0x9E));
      int cx = tile.getWidth() / 2;
      int cy = tile.getHeight() / 2;
      if (video) {
        g.setStroke(new BasicStroke(6));
        g.drawOval(cx - 50, cy - 50, 100, 100);
        g.fillPolygon(new Polygon(new int[] {cx - 16, cx - 16, cx + 28}, new int[] {cy - 26, cy + 26, cy}, 3));
      } else {
        g.fillPolygon(
            new Polygon(
                new int[] {cx - 90, cx - 30, cx, cx + 30, cx + 90},
                new int[] {cy + 50, cy - 20, cy + 15, cy - 40, cy + 50},
                5));
        g.fillOval(cx + 40, cy - 70, 30, 30);
      }
    } finally {
      g.dispose();
    }
    return jpeg(tile);
  }
}
