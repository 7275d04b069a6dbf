package dev.oidcecr.testing.internal;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * Serves an issuer's discovery document and JWKS on 127.0.0.1. The JDK server starts in a few
 * milliseconds, which keeps the fake's cold start low.
 */
public final class IssuerServer implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService executor;
  private final java.util.Set<String> served = new java.util.HashSet<>();

  /**
   * Starts serving {@code <path>/.well-known/openid-configuration} and {@code <path>/keys}.
   *
   * @param path the issuer URL's path, such as {@code /idp} (may be empty)
   */
  public IssuerServer(int port, String path, Supplier<String> discovery, Supplier<String> jwks) {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    } catch (IOException e) {
      throw new IllegalStateException(
          "Could not bind the fake OIDC issuer to 127.0.0.1:" + port
              + " (" + e.getMessage() + "): choose another port or 0 for any free port.", e);
    }
    serve(path, discovery, "/keys", jwks);
    executor = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "fake-oidc-issuer");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.start();
  }

  /**
   * Serves one more issuer's documents, also while running: {@code <path>/.well-known/
   * openid-configuration} and {@code <path><jwksPath>}. A path already served is left as is.
   */
  public synchronized void serve(String path, Supplier<String> discovery, String jwksPath,
      Supplier<String> jwks) {
    String base = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    String discoveryPath = base + "/.well-known/openid-configuration";
    if (!served.add(discoveryPath)) {
      return;
    }
    server.createContext(discoveryPath, ex -> answer(ex, discovery));
    if (served.add(base + jwksPath)) {
      server.createContext(base + jwksPath, ex -> answer(ex, jwks));
    }
  }

  /** Returns the bound port. */
  public int port() {
    return server.getAddress().getPort();
  }

  private static void answer(HttpExchange ex, Supplier<String> body) throws IOException {
    try (ex) {
      if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
        ex.sendResponseHeaders(405, -1);
        return;
      }
      byte[] bytes = body.get().getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.getResponseHeaders().set("Cache-Control", "public, max-age=60");
      if ("HEAD".equals(ex.getRequestMethod())) {
        ex.sendResponseHeaders(200, -1);
        return;
      }
      ex.sendResponseHeaders(200, bytes.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
