package dev.oidcecr.testing.internal;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.common.Notifier;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.extension.requestfilter.RequestFilterAction;
import com.github.tomakehurst.wiremock.extension.requestfilter.StubRequestFilterV2;
import com.github.tomakehurst.wiremock.http.HttpHeader;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WireMock server the fake runs on. A stub request filter answers every call in code, so
 * there are no stub mappings to lose when a test calls WireMock's {@code resetAll()}, and the
 * request journal is off because the engine keeps its own, capped one.
 */
public final class WireServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WireServer.class);

  private final WireMockServer server;

  /** Starts a server on 127.0.0.1 that hands every request to the engine. */
  public WireServer(int port, Supplier<Engine> engine) {
    WireMockConfiguration options = WireMockConfiguration.options()
        .bindAddress("127.0.0.1")
        .port(port)
        .disableRequestJournal()
        .templatingEnabled(false)
        .globalTemplating(false)
        .gzipDisabled(true)
        .stubRequestLoggingDisabled(true)
        .containerThreads(24)
        .notifier(new QuietNotifier())
        // The fake never proxies: skipping WireMock's Apache client saves cold-start time.
        .httpClientFactory((opts, trustAll, trusted, systemProps) -> request -> {
          throw new java.io.IOException("The fake AWS server does not proxy requests.");
        })
        .extensions(new Filter(engine));
    server = new WireMockServer(options);
    try {
      server.start();
    } catch (RuntimeException e) {
      throw new IllegalStateException("Could not start the fake AWS server on 127.0.0.1:" + port
          + " (" + e.getMessage() + "): choose another port or 0 for any free port.", e);
    }
  }

  /** Returns the bound port. */
  public int port() {
    return server.port();
  }

  @Override
  public void close() {
    server.stop();
  }

  private static final class Filter implements StubRequestFilterV2 {
    private final Supplier<Engine> engine;

    Filter(Supplier<Engine> engine) {
      this.engine = engine;
    }

    @Override
    public RequestFilterAction filter(Request request, ServeEvent serveEvent) {
      Map<String, List<String>> headers = new LinkedHashMap<>();
      for (HttpHeader h : request.getHeaders().all()) {
        headers.computeIfAbsent(h.key().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
            .addAll(h.values());
      }
      String url = request.getUrl();
      int q = url.indexOf('?');
      String path = q < 0 ? url : url.substring(0, q);
      HttpAnswer a = engine.get().handle(new HttpCall(request.getMethod().getName(), path, headers,
          request.getBody() == null ? new byte[0] : request.getBody(),
          q < 0 ? "" : url.substring(q + 1)));
      ResponseDefinitionBuilder b = ResponseDefinitionBuilder.responseDefinition()
          .withStatus(a.status()).withBody(a.body());
      a.headers().forEach(b::withHeader);
      String wireFault = a.headers().get(Engine.WIRE_FAULT);
      if (wireFault != null) {
        return RequestFilterAction.stopWith(wireFault(wireFault, a));
      }
      return RequestFilterAction.stopWith(b.build());
    }

    /** Answers at the connection level for {@code Fault.ConnectionReset} and TruncatedBody. */
    private static ResponseDefinition wireFault(String kind, HttpAnswer a) {
      if (!"truncate".equals(kind)) {
        return ResponseDefinitionBuilder.responseDefinition()
            .withFault(com.github.tomakehurst.wiremock.http.Fault.CONNECTION_RESET_BY_PEER)
            .build();
      }
      // The full Content-Length, half the bytes: the server then closes the connection, and
      // the client reads an early end of stream.
      ResponseDefinitionBuilder b = ResponseDefinitionBuilder.responseDefinition()
          .withStatus(a.status())
          .withBody(java.util.Arrays.copyOf(a.body(), a.body().length / 2));
      a.headers().forEach((k, v) -> {
        if (!k.equalsIgnoreCase(Engine.WIRE_FAULT) && !k.equalsIgnoreCase("Content-Length")) {
          b.withHeader(k, v);
        }
      });
      return b.withHeader("Content-Length", String.valueOf(a.body().length)).build();
    }

    @Override
    public String getName() {
      return "oidc-ecr-fake-aws";
    }
  }

  /** WireMock's own chatter goes to debug; it never sees request bodies here. */
  private static final class QuietNotifier implements Notifier {
    @Override
    public void info(String message) {
      LOG.trace("wiremock: {}", message);
    }

    @Override
    public void error(String message) {
      LOG.debug("wiremock error: {}", message);
    }

    @Override
    public void error(String message, Throwable t) {
      LOG.debug("wiremock error: {} ({})", message, t.toString());
    }
  }
}
