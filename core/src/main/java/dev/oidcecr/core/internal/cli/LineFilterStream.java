package dev.oidcecr.core.internal.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.UnaryOperator;

/**
 * An output stream that passes each line through a filter before writing it: the command line
 * puts its standard error (and the vocabulary of its standard output) through it.
 */
final class LineFilterStream extends OutputStream {
  private final OutputStream out;
  private final UnaryOperator<String> filter;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream();

  LineFilterStream(OutputStream out, UnaryOperator<String> filter) {
    this.out = out;
    this.filter = filter;
  }

  @Override
  public synchronized void write(int b) throws IOException {
    line.write(b);
    if (b == '\n') {
      emit();
    }
  }

  @Override
  public synchronized void write(byte[] b, int off, int len) throws IOException {
    int start = off;
    for (int i = off; i < off + len; i++) {
      if (b[i] == '\n') {
        line.write(b, start, i + 1 - start);
        emit();
        start = i + 1;
      }
    }
    line.write(b, start, off + len - start);
  }

  /** Writes what is buffered, even without a newline: a prompt or the last line. */
  @Override
  public synchronized void flush() throws IOException {
    emit();
    out.flush();
  }

  @Override
  public synchronized void close() throws IOException {
    flush();
    out.close();
  }

  private void emit() throws IOException {
    if (line.size() == 0) {
      return;
    }
    String text = line.toString(StandardCharsets.UTF_8);
    line.reset();
    out.write(filter.apply(text).getBytes(StandardCharsets.UTF_8));
  }
}
