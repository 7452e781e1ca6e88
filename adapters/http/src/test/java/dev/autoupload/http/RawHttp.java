package dev.autoupload.http;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Sends bytes as they are over a fresh connection and reads back every HTTP/1.1 response, for
 * requests no HTTP client would send. The sending side is shut after the request, so a body
 * shorter than it claims ends at once instead of at the server's idle timeout.
 */
final class RawHttp {

  /** One response: its status line, header lines and body (empty for HEAD and event streams). */
  record Response(String statusLine, List<String> headers, byte[] body, byte[] raw) {

    int status() {
      String[] parts = statusLine.split(" ", 3);
      return parts.length >= 2 && parts[1].matches("\\d{3}") ? Integer.parseInt(parts[1]) : -1;
    }

    Optional<String> header(String name) {
      String prefix = name.toLowerCase(Locale.ROOT) + ":";
      return headers.stream()
          .filter(line -> line.toLowerCase(Locale.ROOT).startsWith(prefix))
          .map(line -> line.substring(prefix.length()).strip())
          .findFirst();
    }

    String contentType() {
      return header("Content-Type").orElse("").toLowerCase(Locale.ROOT);
    }

    String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }

    /** The status line and headers, for failure messages. */
    String head() {
      return statusLine + "\n" + String.join("\n", headers);
    }
  }

  /** What came back on one connection. */
  record Exchange(List<Response> responses, Optional<String> sendProblem, boolean endedWithoutAnswer) {}

  /** The server did not answer within the time given. */
  static final class NoAnswer extends Exception {
    NoAnswer(String message) {
      super(message);
    }
  }

  private RawHttp() {}

  /**
   * Writes {@code request} to 127.0.0.1:{@code port} and reads responses until the server closes
   * the connection, an event stream starts, or {@code timeout} has passed.
   *
   * @param head whether the request's method is HEAD, whose responses have no body
   * @throws NoAnswer when the server neither answers nor closes within {@code timeout}
   */
  static Exchange exchange(int port, byte[] request, boolean head, Duration timeout) throws NoAnswer, IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout((int) timeout.toMillis());
      Optional<String> sendProblem = Optional.empty();
      try {
        socket.getOutputStream().write(request);
        socket.getOutputStream().flush();
        socket.shutdownOutput();
      } catch (IOException e) {
        // The server may answer and close before reading all of a body it refuses.
        sendProblem = Optional.of(e.toString());
      }
      Reader in = new Reader(new BufferedInputStream(socket.getInputStream()), deadline, socket);
      List<Response> responses = new ArrayList<>();
      try {
        while (true) {
          Optional<Response> response = in.response(head);
          if (response.isEmpty()) {
            return new Exchange(responses, sendProblem, false);
          }
          if (response.get().status() >= 100 && response.get().status() < 200) {
            continue;
          }
          responses.add(response.get());
          if (response.get().contentType().startsWith("text/event-stream")
              || response.get().header("Connection").map(v -> v.equalsIgnoreCase("close")).orElse(false)) {
            return new Exchange(responses, sendProblem, false);
          }
        }
      } catch (SocketTimeoutException e) {
        throw new NoAnswer("no complete answer within " + timeout + " after " + responses.size() + " response(s)");
      } catch (IOException e) {
        // Reset by the server: what was answered before counts.
        return new Exchange(responses, sendProblem.or(() -> Optional.of(e.toString())), responses.isEmpty());
      }
    }
  }

  /** Reads responses off a stream, byte by byte where framing needs it. */
  private static final class Reader {
    private final InputStream in;
    private final long deadline;
    private final Socket socket;
    private ByteArrayOutputStream raw;

    Reader(InputStream in, long deadline, Socket socket) {
      this.in = in;
      this.deadline = deadline;
      this.socket = socket;
    }

    /** The next response, or empty when the connection ended before one began. */
    Optional<Response> response(boolean head) throws IOException {
      raw = new ByteArrayOutputStream();
      Optional<String> statusLine = line();
      if (statusLine.isEmpty()) {
        return Optional.empty();
      }
      List<String> headers = new ArrayList<>();
      for (String line = requiredLine(); !line.isEmpty(); line = requiredLine()) {
        headers.add(line);
      }
      Response withoutBody = new Response(statusLine.get(), headers, new byte[0], new byte[0]);
      int status = withoutBody.status();
      byte[] body;
      if (head || status == 204 || status == 304 || (status >= 100 && status < 200)
          || withoutBody.contentType().startsWith("text/event-stream")) {
        body = new byte[0];
      } else if (withoutBody.header("Transfer-Encoding").map(v -> v.equalsIgnoreCase("chunked")).orElse(false)) {
        body = chunked();
      } else if (withoutBody.header("Content-Length").isPresent()) {
        body = exactly(Integer.parseInt(withoutBody.header("Content-Length").get()));
      } else {
        body = untilEnd();
      }
      return Optional.of(new Response(statusLine.get(), headers, body, raw.toByteArray()));
    }

    private byte[] chunked() throws IOException {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      while (true) {
        String size = requiredLine();
        int semicolon = size.indexOf(';');
        int length = Integer.parseInt((semicolon < 0 ? size : size.substring(0, semicolon)).strip(), 16);
        if (length == 0) {
          while (!requiredLine().isEmpty()) {
            // trailer fields
          }
          return body.toByteArray();
        }
        body.writeBytes(exactly(length));
        requiredLine();
      }
    }

    private byte[] exactly(int length) throws IOException {
      byte[] bytes = new byte[length];
      for (int read = 0; read < length; ) {
        int n = in.read(bytes, read, length - read);
        if (n < 0) {
          throw new IOException("the connection ended inside a body");
        }
        read += n;
        checkDeadline();
      }
      raw.writeBytes(bytes);
      return bytes;
    }

    private byte[] untilEnd() throws IOException {
      byte[] bytes = in.readAllBytes();
      raw.writeBytes(bytes);
      return bytes;
    }

    private String requiredLine() throws IOException {
      return line().orElseThrow(() -> new IOException("the connection ended inside a response head"));
    }

    /** A line without its CRLF; empty at the end of the stream before any byte of it. */
    private Optional<String> line() throws IOException {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      while (true) {
        int b = in.read();
        if (b < 0) {
          if (line.size() == 0) {
            return Optional.empty();
          }
          throw new IOException("the connection ended inside a line");
        }
        raw.write(b);
        if (b == '\n') {
          byte[] bytes = line.toByteArray();
          int end = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
          checkDeadline();
          return Optional.of(new String(bytes, 0, end, StandardCharsets.ISO_8859_1));
        }
        line.write(b);
        if (line.size() > 64 * 1024) {
          throw new IOException("a response line longer than 64 KiB");
        }
      }
    }

    private void checkDeadline() throws IOException {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new SocketTimeoutException("deadline passed");
      }
      socket.setSoTimeout((int) Math.max(1, Duration.ofNanos(left).toMillis()));
    }
  }
}
