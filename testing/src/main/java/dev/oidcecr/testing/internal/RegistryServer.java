package dev.oidcecr.testing.internal;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The registry's own listener, as ECR's registry has its own host. WireMock cannot carry image
 * layers: it silently gunzips every request body that starts with the gzip magic bytes, so a
 * pushed {@code tar+gzip} layer would arrive altered and fail its digest. This JDK server hands
 * the engine the bytes exactly as sent.
 */
public final class RegistryServer implements AutoCloseable {
  private final Supplier<Engine> engine;
  private final String account;
  /** The JDK server behind the front socket, made on the first connection. */
  private HttpServer server;
  private ExecutorService executor;
  private final java.net.ServerSocket front;
  private final ExecutorService relays;

  /** Starts the listener of {@code account}'s registry on 127.0.0.1. */
  public RegistryServer(int port, Supplier<Engine> engine, String account) {
    this.engine = engine;
    this.account = account;
    try {
      front = new java.net.ServerSocket(port, 50, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new IllegalStateException("Could not start the fake registry on 127.0.0.1:" + port
          + " (" + e.getMessage() + "): choose another registry port or 0 for any free port.",
          e);
    }
    relays = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "fake-ecr-registry-relay");
      t.setDaemon(true);
      return t;
    });
    relays.execute(this::accept);
  }

  // Only the front socket is bound at start: the port is known at once, and the JDK server and
  // its threads cost nothing until a registry client connects.
  private synchronized int backendPort() throws IOException {
    if (server == null) {
      if (front.isClosed()) {
        throw new IOException("closed");
      }
      HttpServer s = HttpServer.create(
          new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      s.createContext("/", ex -> handle(ex, engine.get(), account));
      executor = Executors.newFixedThreadPool(8, r -> {
        Thread t = new Thread(r, "fake-ecr-registry-" + account);
        t.setDaemon(true);
        return t;
      });
      s.setExecutor(executor);
      s.start();
      server = s;
    }
    return server.getAddress().getPort();
  }

  /** Returns the bound port. */
  public int port() {
    return front.getLocalPort();
  }

  // Clients such as Jib try HTTPS first and fall back to HTTP only when the TLS handshake fails
  // at once; the JDK server would wait for a request line until the client times out. The front
  // socket closes a connection that opens with a TLS record (0x16) and relays the others.
  private void accept() {
    while (!front.isClosed()) {
      java.net.Socket client;
      try {
        client = front.accept();
      } catch (IOException e) {
        return;
      }
      relays.execute(() -> relay(client));
    }
  }

  private void relay(java.net.Socket client) {
    try (client) {
      java.io.PushbackInputStream in = new java.io.PushbackInputStream(client.getInputStream());
      int first = in.read();
      if (first < 0 || first == 0x16) {
        return;
      }
      in.unread(first);
      try (java.net.Socket back = new java.net.Socket(InetAddress.getLoopbackAddress(),
          backendPort())) {
        back.setTcpNoDelay(true);
        client.setTcpNoDelay(true);
        java.util.concurrent.Future<?> up = relays.submit(() -> pump(in, back));
        pump(back.getInputStream(), client);
        up.cancel(true);
      }
    } catch (IOException e) {
      // The client or the server closed the connection.
    }
  }

  private static void pump(InputStream from, java.net.Socket to) {
    byte[] buf = new byte[64 * 1024];
    try {
      OutputStream out = to.getOutputStream();
      int n;
      while ((n = from.read(buf)) >= 0) {
        out.write(buf, 0, n);
        out.flush();
      }
      to.shutdownOutput();
    } catch (IOException e) {
      // closed
    }
  }

  private static void handle(HttpExchange ex, Engine engine, String account)
      throws IOException {
    try (ex) {
      Map<String, List<String>> headers = new LinkedHashMap<>();
      ex.getRequestHeaders().forEach((k, v) -> headers
          .computeIfAbsent(k.toLowerCase(Locale.ROOT), x -> new ArrayList<>()).addAll(v));
      byte[] body;
      try (InputStream in = ex.getRequestBody()) {
        body = in.readAllBytes();
      }
      String path = ex.getRequestURI().getRawPath();
      String query = ex.getRequestURI().getRawQuery();
      HttpAnswer a = path.startsWith("/v2")
          ? engine.handle(new HttpCall(ex.getRequestMethod(), path, headers, body,
              query == null ? "" : query), account)
          : Registry.error(404, "NOT_FOUND", "This is the fake ECR's registry: it serves /v2/ "
              + "only; AWS API calls go to the fake's endpoint.");
      boolean head = "HEAD".equals(ex.getRequestMethod());
      String wireFault = a.headers().get(Engine.WIRE_FAULT);
      if ("reset".equals(wireFault)) {
        // No answer at all: the connection is dropped, which the client reads as a reset.
        throw new IOException("injected connection reset");
      }
      String length = null;
      for (Map.Entry<String, String> h : a.headers().entrySet()) {
        if (h.getKey().equalsIgnoreCase(Engine.WIRE_FAULT)) {
          continue;
        }
        if (h.getKey().equalsIgnoreCase("Content-Length")) {
          length = h.getValue();
        } else {
          ex.getResponseHeaders().set(h.getKey(), h.getValue());
        }
      }
      if (head || a.body().length == 0) {
        // The JDK server writes no Content-Length for a HEAD answer; registry clients read the
        // size of a blob or manifest from it, so it is set by hand.
        ex.getResponseHeaders().set("Content-Length", length != null ? length : "0");
        ex.sendResponseHeaders(a.status(), -1);
        return;
      }
      ex.sendResponseHeaders(a.status(), a.body().length);
      OutputStream out = ex.getResponseBody();
      if ("truncate".equals(wireFault)) {
        // The full Content-Length, half the bytes, then the connection closes.
        out.write(a.body(), 0, a.body().length / 2);
        out.flush();
        throw new IOException("injected truncated body");
      }
      try (out) {
        out.write(a.body());
      }
    }
  }

  @Override
  public void close() {
    try {
      front.close();
    } catch (IOException e) {
      // closing anyway
    }
    synchronized (this) {
      if (server != null) {
        server.stop(0);
        executor.shutdownNow();
      }
    }
    relays.shutdownNow();
  }
}
