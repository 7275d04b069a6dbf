package dev.oidcecr.examples;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.function.Supplier;

/** Stand-ins for the token services of CI systems and workspaces, for the launcher tests. */
final class TokenServiceStubs {
  private TokenServiceStubs() {}

  /**
   * Writes the executable {@code bin/name} (creating {@code bin}), which prints {@code token} when
   * called with exactly {@code expectedArgs} and otherwise exits 9 naming the arguments, as
   * {@code gp}, {@code ona} and {@code buildkite-agent} stand-ins; returns {@code bin}.
   */
  static Path command(Path bin, String name, String expectedArgs, String token)
      throws IOException {
    Files.createDirectories(bin);
    Path p = bin.resolve(name);
    Files.writeString(p, "#!/bin/sh\n"
        + "[ \"$*\" = '" + expectedArgs + "' ] || { echo \"" + name + ": bad args: $*\" >&2;"
        + " exit 9; }\nprintf '%s\\n' '" + token + "'\n");
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    return bin;
  }

  /**
   * Starts GitHub's token service on 127.0.0.1 (port 0): it answers {@code {"value": token}} to
   * {@code Authorization: Bearer requestToken} with exactly the query {@code expectedQuery}, and
   * 401 to anything else; it adds every query it gets to {@code queries}. The caller stops it.
   */
  static HttpServer gitHub(String requestToken, String expectedQuery, Supplier<String> token,
      List<String> queries) throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      String query = exchange.getRequestURI().getRawQuery();
      queries.add(String.valueOf(query));
      boolean ok = ("Bearer " + requestToken).equals(
          exchange.getRequestHeaders().getFirst("Authorization"))
          && expectedQuery.equals(query);
      byte[] body = (ok ? "{\"value\":\"" + token.get() + "\"}" : "{\"message\":\"no\"}")
          .getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(ok ? 200 : 401, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    return server;
  }

  /** Returns the {@code ACTIONS_ID_TOKEN_REQUEST_URL} of a {@link #gitHub} service. */
  static String gitHubRequestUrl(HttpServer server) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/idtoken?api-version=2.0";
  }
}
