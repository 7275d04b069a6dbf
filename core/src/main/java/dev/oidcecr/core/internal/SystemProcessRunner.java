package dev.oidcecr.core.internal;

import dev.oidcecr.core.ProcessRunner;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Starts real processes with {@link ProcessBuilder}. */
public final class SystemProcessRunner implements ProcessRunner {
  /** Output beyond this is drained and dropped, so a runaway command cannot exhaust memory. */
  private static final int MAX_CAPTURE = 1 << 20;

  private final Map<String, String> environment;

  /** Creates a runner; {@code environment} null means "inherit this JVM's". */
  public SystemProcessRunner(Map<String, String> environment) {
    this.environment = environment;
  }

  @Override
  public Result run(List<String> command, Duration timeout) {
    ProcessBuilder pb = new ProcessBuilder(command);
    if (environment != null) {
      pb.environment().clear();
      pb.environment().putAll(environment);
    }
    Process process;
    try {
      process = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start " + command.get(0) + ": " + e.getMessage(), e);
    }
    try {
      process.getOutputStream().close();
    } catch (IOException ignored) {
      // The command does not read its input; nothing to do.
    }
    Capture out = new Capture(process.getInputStream(), "stdout");
    Capture err = new Capture(process.getErrorStream(), "stderr");
    out.start();
    err.start();
    long deadline = System.nanoTime() + timeout.toNanos();
    boolean exited;
    try {
      exited = process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      kill(process);
      throw new UncheckedIOException(
          new IOException("Interrupted while waiting for " + command.get(0), e));
    }
    if (!exited) {
      kill(process);
      joinQuietly(out, 1000);
      joinQuietly(err, 1000);
      return Result.timedOut(out.text(), err.text());
    }
    // A grandchild may keep the pipes open after the command exits: wait a bounded time only.
    long left = Math.max(1000, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    joinQuietly(out, left);
    joinQuietly(err, 1000);
    return Result.of(process.exitValue(), out.text(), err.text());
  }

  private static void kill(Process process) {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    try {
      process.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void joinQuietly(Thread t, long millis) {
    try {
      t.join(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static final class Capture extends Thread {
    private final InputStream in;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

    Capture(InputStream in, String name) {
      super("oidc-ecr-process-" + name);
      this.in = in;
      setDaemon(true);
    }

    @Override
    public void run() {
      byte[] chunk = new byte[8192];
      try (InputStream stream = in) {
        int n;
        while ((n = stream.read(chunk)) >= 0) {
          synchronized (buffer) {
            int room = MAX_CAPTURE - buffer.size();
            if (room > 0) {
              buffer.write(chunk, 0, Math.min(room, n));
            }
          }
        }
      } catch (IOException ignored) {
        // The stream closed under us (process killed): keep what was read.
      }
    }

    String text() {
      synchronized (buffer) {
        return buffer.toString(StandardCharsets.UTF_8);
      }
    }
  }
}
