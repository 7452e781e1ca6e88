package dev.autoupload.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** Thumbnails made from real JPEG and PNG bytes, as a camera or an editor writes them. */
class ThumbnailsTest {

  private static final Thumbnails.Limits LIMITS = new Thumbnails.Limits(64L << 20, 200_000_000L);

  @Test
  void aJpegWithAnExifThumbnailGetsThatThumbnailAsItIs() throws IOException {
    byte[] embedded = encode(picture(160, 120, Color.RED), "jpeg");
    byte[] photo = withExifThumbnail(encode(picture(4000, 3000, Color.BLUE), "jpeg"), embedded);
    AtomicInteger opens = new AtomicInteger();

    Thumbnails.Thumbnail thumbnail =
        Thumbnails.of("DCIM/IMG_0001.JPG", photo.length, () -> {
          opens.incrementAndGet();
          return new ByteArrayInputStream(photo);
        }, LIMITS);

    assertThat(thumbnail.source()).isEqualTo(Thumbnails.Source.EMBEDDED);
    assertThat(thumbnail.jpeg()).isEqualTo(embedded);
    assertThat(opens).as("the picture itself is never decoded").hasValue(1);
  }

  @Test
  void aPhotoTakenSidewaysGetsItsThumbnailUpright() throws IOException {
    // Left half red, right half blue; orientation 6: the camera was turned a quarter clockwise.
    byte[] embedded = encode(halves(160, 120), "jpeg");
    byte[] photo = withExif(encode(picture(1600, 1200, Color.GREEN), "jpeg"), 6, Optional.of(embedded));

    Thumbnails.Thumbnail thumbnail = Thumbnails.of("side.jpg", photo.length, () -> new ByteArrayInputStream(photo), LIMITS);

    assertThat(thumbnail.source()).isEqualTo(Thumbnails.Source.EMBEDDED);
    BufferedImage image = decodeJpeg(thumbnail.jpeg());
    assertThat(image.getWidth()).isEqualTo(120);
    assertThat(image.getHeight()).isEqualTo(160);
    assertThat(new Color(image.getRGB(60, 20)).getRed()).as("the left side now on top").isGreaterThan(200);
    assertThat(new Color(image.getRGB(60, 140)).getBlue()).as("the right side now below").isGreaterThan(200);
  }

  @Test
  void aScaledPhotoIsTurnedUprightToo() throws IOException {
    // Orientation 8: turned a quarter counter-clockwise, so the left half shows at the bottom.
    byte[] photo = withExif(encode(halves(1600, 1200), "jpeg"), 8, Optional.empty());

    Thumbnails.Thumbnail thumbnail = Thumbnails.of("side.jpg", photo.length, () -> new ByteArrayInputStream(photo), LIMITS);

    assertThat(thumbnail.source()).isEqualTo(Thumbnails.Source.SCALED);
    BufferedImage image = decodeJpeg(thumbnail.jpeg());
    assertThat(image.getWidth()).isEqualTo(240);
    assertThat(image.getHeight()).isEqualTo(320);
    assertThat(new Color(image.getRGB(120, 300)).getRed()).isGreaterThan(200);
    assertThat(new Color(image.getRGB(120, 20)).getBlue()).isGreaterThan(200);
  }

  @Test
  void aJpegWithoutOneIsScaledToAtMost320PixelsOnItsLongSide() throws IOException {
    byte[] photo = encode(picture(2000, 1000, Color.GREEN), "jpeg");

    Thumbnails.Thumbnail thumbnail = Thumbnails.of("a.jpg", photo.length, () -> new ByteArrayInputStream(photo), LIMITS);

    assertThat(thumbnail.source()).isEqualTo(Thumbnails.Source.SCALED);
    BufferedImage image = decodeJpeg(thumbnail.jpeg());
    assertThat(image.getWidth()).isEqualTo(320);
    assertThat(image.getHeight()).isEqualTo(160);
    Color centre = new Color(image.getRGB(160, 80));
    assertThat(centre.getGreen()).as("still the photo: %s", centre).isGreaterThan(200);
    assertThat(centre.getRed()).isLessThan(60);
  }

  @Test
  void aPortraitPngBecomesAJpegOnWhite() throws IOException {
    BufferedImage transparent = new BufferedImage(300, 900, BufferedImage.TYPE_INT_ARGB);
    byte[] png = encode(transparent, "png");

    Thumbnails.Thumbnail thumbnail = Thumbnails.of("scan.png", png.length, () -> new ByteArrayInputStream(png), LIMITS);

    assertThat(thumbnail.source()).isEqualTo(Thumbnails.Source.SCALED);
    BufferedImage image = decodeJpeg(thumbnail.jpeg());
    assertThat(image.getHeight()).isEqualTo(320);
    assertThat(image.getWidth()).isEqualTo(107);
    assertThat(new Color(image.getRGB(50, 160)).getRed()).isGreaterThan(240);
  }

  @Test
  void aCorruptFileGetsThePhotoTile() throws IOException {
    byte[] photo = encode(picture(800, 600, Color.BLUE), "jpeg");
    byte[] corrupt = Arrays.copyOf(photo, 700);
    Arrays.fill(corrupt, 200, 700, (byte) 0x5A);

    Thumbnails.Thumbnail thumbnail = Thumbnails.of("broken.jpg", corrupt.length, () -> new ByteArrayInputStream(corrupt), LIMITS);

    assertThat(thumbnail.source()).isEqualTo(Thumbnails.Source.TILE);
    BufferedImage tile = decodeJpeg(thumbnail.jpeg());
    assertThat(Math.max(tile.getWidth(), tile.getHeight())).isEqualTo(320);
  }

  @Test
  void aFileThatCannotBeOpenedGetsThePhotoTile() {
    Thumbnails.Thumbnail thumbnail =
        Thumbnails.of("gone.jpg", 10, () -> {
          throw new NoSuchFileException("gone.jpg");
        }, LIMITS);

    assertThat(thumbnail.source()).isEqualTo(Thumbnails.Source.TILE);
  }

  @Test
  void aVideoGetsTheVideoTileWithoutBeingRead() throws IOException {
    Thumbnails.Thumbnail video =
        Thumbnails.of("DCIM/IMG_0001.MOV", 1L << 32, () -> {
          throw new AssertionError("a video is not read");
        }, LIMITS);
    byte[] photo = new byte[] {1, 2, 3};
    Thumbnails.Thumbnail photoTile = Thumbnails.of("odd.jpg", 3, () -> new ByteArrayInputStream(photo), LIMITS);

    assertThat(video.source()).isEqualTo(Thumbnails.Source.TILE);
    assertThat(decodeJpeg(video.jpeg()).getWidth()).isEqualTo(320);
    assertThat(video.jpeg()).as("a video and a photo look different").isNotEqualTo(photoTile.jpeg());
  }

  @Test
  void anImageOverThePixelLimitIsNotDecoded() throws IOException {
    byte[] photo = encode(picture(1000, 1000, Color.GREEN), "jpeg");

    Thumbnails.Thumbnail thumbnail =
        Thumbnails.of("big.jpg", photo.length, () -> new ByteArrayInputStream(photo), new Thumbnails.Limits(64L << 20, 999_999));

    assertThat(thumbnail.source()).isEqualTo(Thumbnails.Source.TILE);
  }

  // ---- real images ----

  static BufferedImage picture(int width, int height, Color color) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setColor(color);
    g.fillRect(0, 0, width, height);
    g.dispose();
    return image;
  }

  /** The left half red, the right half blue. */
  static BufferedImage halves(int width, int height) {
    BufferedImage image = picture(width, height, Color.RED);
    Graphics2D g = image.createGraphics();
    g.setColor(Color.BLUE);
    g.fillRect(width / 2, 0, width - width / 2, height);
    g.dispose();
    return image;
  }

  static byte[] encode(BufferedImage image, String format) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(ImageIO.write(image, format, out)).isTrue();
    return out.toByteArray();
  }

  private static BufferedImage decodeJpeg(byte[] bytes) throws IOException {
    assertThat(bytes).startsWith((byte) 0xFF, (byte) 0xD8);
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes));
    assertThat(image).isNotNull();
    return image;
  }

  /**
   * {@code jpeg} with an APP1 EXIF segment as cameras write it: IFD0 (orientation), then IFD1
   * holding {@code thumbnail} (compression 6, JPEGInterchangeFormat and its length).
   */
  static byte[] withExifThumbnail(byte[] jpeg, byte[] thumbnail) {
    return withExif(jpeg, 1, Optional.of(thumbnail));
  }

  /** {@code jpeg} with an EXIF orientation and, if given, an IFD1 thumbnail. */
  static byte[] withExif(byte[] jpeg, int orientation, Optional<byte[]> thumbnail) {
    int ifd0 = 8;
    int ifd1 = ifd0 + 2 + 12 + 4;
    int data = ifd1 + 2 + 3 * 12 + 4;
    byte[] picture = thumbnail.orElse(new byte[0]);
    ByteBuffer tiff = ByteBuffer.allocate(thumbnail.isPresent() ? data + picture.length : ifd1);
    tiff.put(new byte[] {'M', 'M', 0, 42}).putInt(ifd0);
    tiff.putShort((short) 1).putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation).putShort((short) 0);
    tiff.putInt(thumbnail.isPresent() ? ifd1 : 0);
    if (thumbnail.isPresent()) {
      tiff.putShort((short) 3);
      tiff.putShort((short) 0x0103).putShort((short) 3).putInt(1).putShort((short) 6).putShort((short) 0);
      tiff.putShort((short) 0x0201).putShort((short) 4).putInt(1).putInt(data);
      tiff.putShort((short) 0x0202).putShort((short) 4).putInt(1).putInt(picture.length);
      tiff.putInt(0);
      tiff.put(picture);
    }
    byte[] exif = new byte[6 + tiff.capacity()];
    System.arraycopy(new byte[] {'E', 'x', 'i', 'f', 0, 0}, 0, exif, 0, 6);
    System.arraycopy(tiff.array(), 0, exif, 6, tiff.capacity());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0xFF);
    out.write(0xD8);
    out.write(0xFF);
    out.write(0xE1);
    int length = exif.length + 2;
    out.write(length >> 8);
    out.write(length & 0xFF);
    out.writeBytes(exif);
    out.write(jpeg, 2, jpeg.length - 2);
    return out.toByteArray();
  }
}
