package dev.autoupload.targets.webdav;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.xml.sax.ErrorHandler;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * Reads the XML a WebDAV server answers, for the WebDAV-based targets (WebDAV, Nextcloud):
 * namespace-aware, without DOCTYPE (so no entity can expand or reach out), and with every error a
 * thrown exception. The JDK's parser would otherwise print each one to stderr ({@code [Fatal
 * Error] :1:1: …}) before throwing: a line beside the app's own that says nothing of which answer.
 * Public for the Nextcloud package; not for host apps.
 */
public final class DavXml {

  private static final ErrorHandler THROWING =
      new ErrorHandler() {
        @Override
        public void warning(SAXParseException e) {
          // Nothing a reader of the answer can act on.
        }

        @Override
        public void error(SAXParseException e) throws SAXException {
          throw e;
        }

        @Override
        public void fatalError(SAXParseException e) throws SAXException {
          throw e;
        }
      };

  /**
   * One builder per thread, reset after each use: looking the factory up and configuring it took
   * more CPU than parsing a PROPFIND answer (a service lookup through the whole class path).
   */
  private static final ThreadLocal<DocumentBuilder> BUILDERS =
      ThreadLocal.withInitial(
          () -> {
            try {
              DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
              factory.setNamespaceAware(true);
              factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
              factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
              return factory.newDocumentBuilder();
            } catch (ParserConfigurationException e) {
              throw new IllegalStateException("the JDK's XML parser cannot be configured", e);
            }
          });

  private DavXml() {}

  /**
   * The document in {@code xml}. Each thread reuses its own parser.
   *
   * @param xml an answer's body
   * @param what what the answer is, for the message ("PROPFIND answer")
   * @return the parsed document
   * @throws IOException "unreadable {@code what}: …" when it is not well-formed XML
   */
  public static Document parse(String xml, String what) throws IOException {
    DocumentBuilder builder = BUILDERS.get();
    // reset() puts back the parser's own handler, which prints to stderr: set ours each time.
    builder.setErrorHandler(THROWING);
    try {
      return builder.parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    } catch (SAXException e) {
      throw new IOException("unreadable " + what + ": " + e.getMessage(), e);
    } finally {
      builder.reset();
    }
  }
}
