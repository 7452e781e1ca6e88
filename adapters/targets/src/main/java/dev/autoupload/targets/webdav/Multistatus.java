package dev.autoupload.targets.webdav;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The properties a PROPFIND reports about one resource; {@code lastModified} is the
 * server's {@code getlastmodified} text as given, only ever compared with an earlier answer.
 */
record Multistatus(
    boolean collection, OptionalLong contentLength, Optional<String> sha256, Optional<String> lastModified) {

  static final String DAV = "DAV:";
  /** Nextcloud and ownCloud report checksums here, e.g. {@code SHA1:… MD5:… SHA256:…}. */
  static final String OWNCLOUD = "http://owncloud.org/ns";

  /** The request body: only what the probe uses, so servers need not compute the rest. */
  static final String REQUEST =
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
          + "<d:propfind xmlns:d=\"DAV:\" xmlns:oc=\"http://owncloud.org/ns\"><d:prop>"
          + "<d:getcontentlength/><d:getlastmodified/><d:resourcetype/><oc:checksums/>"
          + "</d:prop></d:propfind>";

  /** The request body of a listing: names are all it uses. */
  static final String LISTING_REQUEST =
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
          + "<d:propfind xmlns:d=\"DAV:\"><d:prop><d:resourcetype/></d:prop></d:propfind>";

  private static final Pattern SHA256 = Pattern.compile("SHA256:([0-9a-fA-F]{64})");
  /** The scheme and host an {@code href} may start with. */
  private static final Pattern ORIGIN = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*://[^/]*");

  /** Reads the first response's properties, from its propstats with a 2xx status only. */
  static Multistatus parse(String xml) throws IOException {
    Document document = DavXml.parse(xml, "PROPFIND answer");
    NodeList responses = document.getElementsByTagNameNS(DAV, "response");
    if (responses.getLength() == 0) {
      throw new IOException("PROPFIND answer without a response element");
    }
    return of((Element) responses.item(0));
  }

  /**
   * The names a Depth-1 answer may list: for the last segment of each response's href, both as
   * given and percent-decoded, in NFC; the listed folder's own name among them. Both, because
   * servers differ in what they escape: nginx leaves a '%' in a name as it is, so {@code 100%25.jpg}
   * in its answer may be that very name or {@code 100%.jpg}. A name too many only costs a probe
   * of that file; a name missed would be taken for absent.
   *
   * @throws IOException when the answer is not a multistatus, or a response has no href
   */
  static Set<String> listedNames(String xml) throws IOException {
    Document document = DavXml.parse(xml, "PROPFIND answer");
    if (!DAV.equals(document.getDocumentElement().getNamespaceURI())
        || !"multistatus".equals(document.getDocumentElement().getLocalName())) {
      throw new IOException("PROPFIND answer that is not a multistatus");
    }
    Set<String> names = new HashSet<>();
    for (Element response : children(document.getDocumentElement(), DAV, "response")) {
      List<Element> hrefs = children(response, DAV, "href");
      if (hrefs.isEmpty()) {
        // A resource without a name: taking the rest for the whole folder could miss a file.
        throw new IOException("PROPFIND answer with a response without an href");
      }
      for (Element href : hrefs) {
        String segment = lastSegment(href.getTextContent().trim());
        names.add(Normalizer.normalize(segment, Normalizer.Form.NFC));
        names.add(Normalizer.normalize(percentDecoded(segment), Normalizer.Form.NFC));
      }
    }
    return names;
  }

  /**
   * Each resource a Depth-1 answer lists, by the last segment of its href, both as given and
   * percent-decoded, in NFC (as {@link #listedNames}); the listed folder itself among them. A
   * name that two resources could have (nginx lists {@code a%41} as it is, which decodes to
   * {@code aA}) is left out: its properties could be the other's.
   *
   * @throws IOException when the answer is not a multistatus, or a response has no href
   */
  static Map<String, Multistatus> listed(String xml) throws IOException {
    Document document = DavXml.parse(xml, "PROPFIND answer");
    if (!DAV.equals(document.getDocumentElement().getNamespaceURI())
        || !"multistatus".equals(document.getDocumentElement().getLocalName())) {
      throw new IOException("PROPFIND answer that is not a multistatus");
    }
    Map<String, Multistatus> listed = new HashMap<>();
    Set<String> ambiguous = new HashSet<>();
    for (Element response : children(document.getDocumentElement(), DAV, "response")) {
      List<Element> hrefs = children(response, DAV, "href");
      if (hrefs.isEmpty()) {
        throw new IOException("PROPFIND answer with a response without an href");
      }
      Multistatus properties = of(response);
      Set<String> names = new HashSet<>();
      for (Element href : hrefs) {
        String segment = lastSegment(href.getTextContent().trim());
        names.add(Normalizer.normalize(segment, Normalizer.Form.NFC));
        names.add(Normalizer.normalize(percentDecoded(segment), Normalizer.Form.NFC));
      }
      for (String name : names) {
        if (listed.putIfAbsent(name, properties) != null) {
          ambiguous.add(name);
        }
      }
    }
    listed.keySet().removeAll(ambiguous);
    return listed;
  }

  /** The last segment of an href's path, as given: {@code http://host/a/b%20c/} gives {@code b%20c}. */
  private static String lastSegment(String href) {
    String path = ORIGIN.matcher(href).replaceFirst("");
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    return path.substring(path.lastIndexOf('/') + 1);
  }

  /** {@code %XX} sequences as the UTF-8 bytes they stand for; anything else as it is. */
  static String percentDecoded(String segment) {
    // Most names have nothing to decode; a listing or manifest of a large folder has thousands.
    // (Text parsed from XML or UTF-8 holds no lone surrogate, the one thing the loop would change.)
    if (segment.indexOf('%') < 0) {
      return segment;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (int i = 0; i < segment.length(); ) {
      char c = segment.charAt(i);
      if (c == '%' && i + 2 < segment.length()
          && Character.digit(segment.charAt(i + 1), 16) >= 0 && Character.digit(segment.charAt(i + 2), 16) >= 0) {
        bytes.write(Character.digit(segment.charAt(i + 1), 16) * 16 + Character.digit(segment.charAt(i + 2), 16));
        i += 3;
      } else {
        int codePoint = segment.codePointAt(i);
        byte[] encoded = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8);
        bytes.write(encoded, 0, encoded.length);
        i += Character.charCount(codePoint);
      }
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private static Multistatus of(Element response) throws IOException {
    boolean collection = false;
    OptionalLong length = OptionalLong.empty();
    Optional<String> sha256 = Optional.empty();
    Optional<String> lastModified = Optional.empty();
    for (Element propstat : children(response, DAV, "propstat")) {
      if (!succeeded(propstat)) {
        continue;
      }
      for (Element prop : children(propstat, DAV, "prop")) {
        for (Element type : children(prop, DAV, "resourcetype")) {
          collection |= !children(type, DAV, "collection").isEmpty();
        }
        for (Element value : children(prop, DAV, "getcontentlength")) {
          String text = value.getTextContent().trim();
          if (!text.isEmpty()) {
            try {
              length = OptionalLong.of(Long.parseLong(text));
            } catch (NumberFormatException e) {
              throw new IOException("PROPFIND reports a content length of \"" + text + "\"");
            }
          }
        }
        for (Element value : children(prop, DAV, "getlastmodified")) {
          String text = value.getTextContent().trim();
          if (!text.isEmpty()) {
            lastModified = Optional.of(text);
          }
        }
        for (Element value : children(prop, OWNCLOUD, "checksums")) {
          Matcher matcher = SHA256.matcher(value.getTextContent());
          if (matcher.find()) {
            sha256 = Optional.of(matcher.group(1).toLowerCase(Locale.ROOT));
          }
        }
      }
    }
    return new Multistatus(collection, length, sha256, lastModified);
  }

  private static boolean succeeded(Element propstat) {
    for (Element status : children(propstat, DAV, "status")) {
      String[] parts = status.getTextContent().trim().split("\\s+");
      return parts.length >= 2 && parts[1].startsWith("2");
    }
    // No status is unusual; the properties are then taken as given.
    return true;
  }

  private static List<Element> children(Element parent, String namespace, String name) {
    List<Element> found = new ArrayList<>();
    for (Node child = parent.getFirstChild(); child != null; child = child.getNextSibling()) {
      if (child instanceof Element element
          && namespace.equals(element.getNamespaceURI())
          && name.equals(element.getLocalName())) {
        found.add(element);
      }
    }
    return found;
  }
}
