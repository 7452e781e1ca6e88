package dev.autoupload.targets.nextcloud;

import dev.autoupload.targets.webdav.DavXml;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
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

/** What Nextcloud's WebDAV answers say: PROPFIND listings and Sabre's error bodies. */
final class DavListing {

  static final String DAV = "DAV:";
  static final String OWNCLOUD = "http://owncloud.org/ns";
  static final String SABRE = "http://sabredav.org/ns";

  /** Only what the target uses, so the server need not compute the rest. */
  static final String PROPFIND_BODY =
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
          + "<d:propfind xmlns:d=\"DAV:\" xmlns:oc=\"http://owncloud.org/ns\"><d:prop>"
          + "<d:getcontentlength/><d:resourcetype/><oc:checksums/>"
          + "</d:prop></d:propfind>";

  /** Asks the DAV root whose principal the login is, as Nextcloud's own clients do. */
  static final String PRINCIPAL_BODY =
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
          + "<d:propfind xmlns:d=\"DAV:\"><d:prop><d:current-user-principal/></d:prop></d:propfind>";

  private static final Pattern SHA256 = Pattern.compile("SHA256:([0-9a-fA-F]{64})");

  /**
   * One resource of a multistatus answer.
   *
   * @param name the last segment of its path, decoded; empty for the server's root
   * @param sha256 from {@code oc:checksums}, where a client stored {@code SHA256:<hex>}
   */
  record Entry(String name, boolean collection, OptionalLong contentLength, Optional<String> sha256) {}

  private DavListing() {}

  /** The resources of a multistatus answer in the server's order; the first is the one asked for. */
  static List<Entry> parse(String xml) throws IOException {
    Document document = DavXml.parse(xml, "PROPFIND answer");
    List<Entry> entries = new ArrayList<>();
    for (Element response : children(document.getDocumentElement(), DAV, "response")) {
      entries.add(entry(response));
    }
    if (entries.isEmpty()) {
      throw new IOException("PROPFIND answer without a response element");
    }
    return entries;
  }

  /**
   * The user id in the {@code d:current-user-principal} of a multistatus answer: the last segment
   * of its href, {@code /remote.php/dav/principals/users/<user id>/}, decoded; empty when the
   * answer names no user principal.
   */
  static Optional<String> currentUserId(String xml) throws IOException {
    Document document = DavXml.parse(xml, "PROPFIND answer");
    for (Element response : children(document.getDocumentElement(), DAV, "response")) {
      for (Element propstat : children(response, DAV, "propstat")) {
        if (!succeeded(propstat)) {
          continue;
        }
        for (Element prop : children(propstat, DAV, "prop")) {
          for (Element principal : children(prop, DAV, "current-user-principal")) {
            for (Element href : children(principal, DAV, "href")) {
              String text = href.getTextContent().trim();
              if (text.contains("/principals/users/")) {
                String id = lastSegment(text);
                return id.isEmpty() ? Optional.empty() : Optional.of(id);
              }
            }
          }
        }
      }
    }
    return Optional.empty();
  }

  /**
   * The {@code <s:message>} of a Sabre error body, the part of it written for people; the body
   * itself when it is not one.
   */
  static String errorMessage(String body) {
    if (body == null || !body.contains(SABRE)) {
      return body == null ? "" : body;
    }
    try {
      Document document = DavXml.parse(body, "error body");
      for (Element message : children(document.getDocumentElement(), SABRE, "message")) {
        String text = message.getTextContent().trim();
        if (!text.isEmpty()) {
          return text;
        }
      }
    } catch (IOException e) {
      // Not XML after all: quote it as it came.
    }
    return body;
  }

  private static Entry entry(Element response) throws IOException {
    String href =
        children(response, DAV, "href").stream().findFirst().map(Node::getTextContent).orElse("").trim();
    boolean collection = false;
    OptionalLong length = OptionalLong.empty();
    Optional<String> sha256 = Optional.empty();
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
        for (Element value : children(prop, OWNCLOUD, "checksums")) {
          Matcher matcher = SHA256.matcher(value.getTextContent());
          if (matcher.find()) {
            sha256 = Optional.of(matcher.group(1).toLowerCase(Locale.ROOT));
          }
        }
      }
    }
    return new Entry(lastSegment(href), collection, length, sha256);
  }

  private static String lastSegment(String href) throws IOException {
    String path;
    try {
      path = new URI(href).getPath();
    } catch (URISyntaxException e) {
      throw new IOException("PROPFIND answer with an unreadable href \"" + href + "\"");
    }
    if (path == null) {
      throw new IOException("PROPFIND answer with an unreadable href \"" + href + "\"");
    }
    String trimmed = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    return trimmed.substring(trimmed.lastIndexOf('/') + 1);
  }

  private static boolean succeeded(Element propstat) {
    for (Element status : children(propstat, DAV, "status")) {
      String[] parts = status.getTextContent().trim().split("\\s+");
      return parts.length >= 2 && parts[1].startsWith("2");
    }
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
