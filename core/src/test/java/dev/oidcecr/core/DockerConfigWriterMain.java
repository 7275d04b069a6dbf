package dev.oidcecr.core;

import java.nio.file.Path;

/**
 * Run in a separate JVM by {@link DockerConfigTest}: stores {@code count} registries named after
 * {@code prefix} into one config.json.
 */
public final class DockerConfigWriterMain {
  private DockerConfigWriterMain() {}

  public static void main(String[] args) {
    Path file = Path.of(args[0]);
    int prefix = Integer.parseInt(args[1]);
    int count = Integer.parseInt(args[2]);
    DockerConfig config = DockerConfig.at(file).withLockTimeout(java.time.Duration.ofSeconds(60));
    for (int i = 0; i < count; i++) {
      config.store(DockerConfigTest.auth(prefix, i));
    }
  }
}
