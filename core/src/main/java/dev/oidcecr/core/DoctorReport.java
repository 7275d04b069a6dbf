package dev.oidcecr.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;

/**
 * The {@link Doctor}'s findings, one per link of the chain from token to image pull, in the order
 * they were checked.
 */
public final class DoctorReport {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<DoctorFinding> findings;

  private DoctorReport(List<DoctorFinding> findings) {
    this.findings = List.copyOf(findings);
  }

  /**
   * Returns a report of these findings.
   *
   * @param findings the findings to look through
   * @return a report of these findings
   */
  public static DoctorReport of(List<DoctorFinding> findings) {
    return new DoctorReport(findings);
  }

  /**
   * Returns the findings in the order they were checked.
   *
   * @return the findings in the order they were checked
   */
  public List<DoctorFinding> findings() {
    return findings;
  }

  /**
   * Returns the finding of the check with this id, if it ran.
   *
   * @param id the check's id, as {@link DoctorFinding#id()} gives it
   * @return the finding of the check with this id, if it ran
   */
  public Optional<DoctorFinding> finding(String id) {
    return findings.stream().filter(f -> f.id().equals(id)).findFirst();
  }

  /**
   * Returns the failed findings.
   *
   * @return the failed findings
   */
  public List<DoctorFinding> failures() {
    return findings.stream().filter(f -> f.status() == DoctorFinding.Status.FAIL).toList();
  }

  /**
   * Tells whether no check failed (warnings and skipped checks are allowed).
   *
   * @return {@code true} if no check failed (warnings and skipped checks are allowed)
   */
  public boolean ok() {
    return failures().isEmpty();
  }

  private long count(DoctorFinding.Status status) {
    return findings.stream().filter(f -> f.status() == status).count();
  }

  /**
   * Renders the report as plain text for a terminal, one block per check.
   *
   * @return the text, ready to print
   */
  public String render() {
    StringBuilder out = new StringBuilder();
    out.append(ok() ? "OK" : "FAILED").append(": ")
        .append(count(DoctorFinding.Status.PASS)).append(" passed, ")
        .append(count(DoctorFinding.Status.FAIL)).append(" failed, ")
        .append(count(DoctorFinding.Status.WARN)).append(" warnings, ")
        .append(count(DoctorFinding.Status.SKIPPED)).append(" skipped\n");
    for (DoctorFinding f : findings) {
      out.append(String.format("[%-7s] %s: %s%n", f.status(), f.id(), f.title()));
      for (String line : f.reason().split("\n")) {
        out.append("          ").append(line).append('\n');
      }
      f.fix().ifPresent(fix -> {
        String[] lines = fix.split("\n");
        out.append("          fix: ").append(lines[0]).append('\n');
        for (int i = 1; i < lines.length; i++) {
          out.append("               ").append(lines[i]).append('\n');
        }
      });
    }
    return out.toString();
  }

  /**
   * Renders the report as JSON: {@code {"ok":..., "findings":[{"id","title","status","reason","fix"}]}}.
   *
   * @return the text, ready to print
   */
  public String toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("ok", ok());
    ArrayNode list = root.putArray("findings");
    for (DoctorFinding f : findings) {
      ObjectNode n = list.addObject();
      n.put("id", f.id());
      n.put("title", f.title());
      n.put("status", f.status().name());
      n.put("reason", f.reason());
      f.fix().ifPresent(fix -> n.put("fix", fix));
    }
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write the report as JSON", e);
    }
  }

  @Override
  public String toString() {
    return render();
  }
}
