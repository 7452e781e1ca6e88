package dev.autoupload.targets.webdav;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The properties a Depth-0 PROPFIND reports about one resource; {@code lastModified} is the
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

  private static final Pattern SHA256 = Pattern.compile("SHA256:([0-9a-fA-F]{64})");

  /** Reads the first response's properties, from its propstats with a 2xx status only. */
  static Multistatus parse(String xml) throws IOException {
    Document document = DavXml.parse(xml, "PROPFIND answer");
    NodeList responses = document.getElementsByTagNameNS(DAV, "response");
    if (responses.getLength() == 0) {
      throw new IOException("PROPFIND answer without a response element");
    }
    boolean collection = false;
    OptionalLong length = OptionalLong.empty();
    Optional<String> sha256 = Optional.empty();
    Optional<String> lastModified = Optional.empty();
    for (Element propstat : children((Element) responses.item(0), DAV, "propstat")) {
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
