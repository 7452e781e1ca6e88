package dev.autoupload.sources.media;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.apache.commons.imaging.formats.jpeg.exif.ExifRewriter;
import org.apache.commons.imaging.formats.tiff.constants.ExifTagConstants;
import org.apache.commons.imaging.formats.tiff.constants.TiffDirectoryType;
import org.apache.commons.imaging.formats.tiff.taginfos.TagInfoAscii;
import org.apache.commons.imaging.formats.tiff.write.TiffOutputDirectory;
import org.apache.commons.imaging.formats.tiff.write.TiffOutputSet;

/** Real media files for tests: a JPEG with genuine EXIF, QuickTime and MP4 movie headers. */
public final class TestMedia {

  /** EXIF 2.31's OffsetTimeOriginal, which Commons Imaging has no constant for. */
  private static final TagInfoAscii OFFSET_TIME_ORIGINAL =
      new TagInfoAscii("OffsetTimeOriginal", 0x9011, 7, TiffDirectoryType.EXIF_DIRECTORY_EXIF_IFD);

  /** Seconds from QuickTime's epoch, 1904-01-01, to Unix's. */
  private static final long QUICKTIME_EPOCH_OFFSET = 2_082_844_800L;

  private TestMedia() {}

  /** A small JPEG whose EXIF says it was taken at {@code dateTimeOriginal} ("2023:06:01 14:30:00"). */
  public static Path jpegTakenAt(Path file, String dateTimeOriginal, Optional<String> offsetTimeOriginal)
      throws IOException {
    try {
      TiffOutputSet exif = new TiffOutputSet();
      TiffOutputDirectory directory = exif.getOrCreateExifDirectory();
      directory.add(ExifTagConstants.EXIF_TAG_DATE_TIME_ORIGINAL, dateTimeOriginal);
      if (offsetTimeOriginal.isPresent()) {
        directory.add(OFFSET_TIME_ORIGINAL, offsetTimeOriginal.get());
      }
      Files.createDirectories(file.toAbsolutePath().getParent());
      try (OutputStream out = Files.newOutputStream(file)) {
        new ExifRewriter().updateExifMetadataLossless(plainJpeg(), out, exif);
      }
      return file;
    } catch (org.apache.commons.imaging.ImagingException e) {
      throw new IOException(e);
    }
  }

  /** A JPEG without any EXIF. */
  public static byte[] plainJpeg() throws IOException {
    BufferedImage image = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
    image.setRGB(3, 4, Color.ORANGE.getRGB());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "jpg", out);
    return out.toByteArray();
  }

  /** A QuickTime movie ({@code brand} "qt  ") or MP4 ("isom") whose header says it was created at {@code created}. */
  public static Path movieCreatedAt(Path file, String brand, Instant created) throws IOException {
    ByteBuffer ftyp = ByteBuffer.allocate(20);
    ftyp.putInt(20).put(ascii("ftyp")).put(ascii(brand)).putInt(0).put(ascii(brand));
    ByteBuffer mvhd = ByteBuffer.allocate(108);
    long seconds = created.getEpochSecond() + QUICKTIME_EPOCH_OFFSET;
    mvhd.putInt(108).put(ascii("mvhd")).putInt(0); // version 0, no flags
    mvhd.putInt((int) seconds).putInt((int) seconds); // creation, modification (unsigned 32 bit)
    mvhd.putInt(600).putInt(0); // time scale, duration
    mvhd.putInt(0x00010000).putShort((short) 0x0100).put(new byte[10]); // rate, volume, reserved
    int[] identity = {0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000};
    for (int value : identity) {
      mvhd.putInt(value);
    }
    mvhd.put(new byte[24]).putInt(2); // preview, poster, selection, current time; next track id
    ByteBuffer moov = ByteBuffer.allocate(8 + 108);
    moov.putInt(8 + 108).put(ascii("moov")).put(mvhd.array());
    Files.createDirectories(file.toAbsolutePath().getParent());
    try (OutputStream out = Files.newOutputStream(file)) {
      out.write(ftyp.array());
      out.write(moov.array());
    }
    return file;
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }
}
