package dev.oidcecr.core.internal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The build accepts a failed training run (the archive is only an optimisation), so this test is
 * what notices when the training stops exercising the login and {@code get} paths.
 */
class CdsTrainingTest {

  @Test
  @Timeout(60)
  void train_againstCannedAnswers_loginAndGetSucceed() throws Exception {
    PrintStream original = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status;
    try {
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      status = CdsTraining.train();
    } finally {
      System.setErr(original);
    }
    assertThat(status).as(err.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(err.toString(StandardCharsets.UTF_8)).doesNotContain("CDS training");
  }
}
