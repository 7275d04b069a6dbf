package dev.oidcecr.examples.benchmarks;

import dev.oidcecr.policies.PolicyDocument;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Measures reading and writing a 10-statement policy: {@link PolicyDocument#parse(String)},
 * {@link PolicyDocument#toJson()}, and the two together.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PolicyJsonBenchmark {

  /** Ten statements using every element and several operator families. */
  static final String POLICY = """
      {
        "Version": "2012-10-17",
        "Id": "ten-statements",
        "Statement": [
          {"Sid": "Token", "Effect": "Allow", "Action": "ecr:GetAuthorizationToken",
           "Resource": "*"},
          {"Sid": "Pull", "Effect": "Allow",
           "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
                      "ecr:BatchCheckLayerAvailability"],
           "Resource": ["arn:aws:ecr:eu-west-1:123456789012:repository/app",
                        "arn:aws:ecr:eu-west-1:123456789012:repository/lib"]},
          {"Sid": "Push", "Effect": "Allow",
           "Action": ["ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart",
                      "ecr:CompleteLayerUpload"],
           "Resource": "arn:aws:ecr:eu-west-1:123456789012:repository/app",
           "Condition": {"StringEquals": {"aws:PrincipalTag/team": "platform"}}},
          {"Sid": "DenyOutsideOrg", "Effect": "Deny", "Action": "ecr:*", "Resource": "*",
           "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}},
          {"Sid": "DenyInsecure", "Effect": "Deny", "Action": "*", "Resource": "*",
           "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
          {"Sid": "OfficeOnly", "Effect": "Deny", "NotAction": ["ecr:GetAuthorizationToken"],
           "Resource": "*",
           "Condition": {"NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"]},
                         "Null": {"aws:SourceVpc": "true"}}},
          {"Sid": "UntilEndOfYear", "Effect": "Allow", "Action": "ecr:DescribeImages",
           "Resource": "arn:aws:ecr:*:123456789012:repository/*",
           "Condition": {"DateLessThan": {"aws:CurrentTime": "2026-12-31T23:59:59Z"},
                         "NumericLessThanEquals": {"ecr:maxResults": 100}}},
          {"Sid": "Tags", "Effect": "Allow", "Action": "ecr:TagResource",
           "Resource": "arn:aws:ecr:*:123456789012:repository/*",
           "Condition": {"ForAllValues:StringLike": {"aws:TagKeys": ["team", "env-*"]}}},
          {"Sid": "CiRoles", "Effect": "Allow", "Action": "ecr:ListImages",
           "Resource": "arn:aws:ecr:*:123456789012:repository/*",
           "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/ci-*"}}},
          {"Sid": "NotSecrets", "Effect": "Allow", "Action": "ecr:DescribeRepositories",
           "NotResource": "arn:aws:ecr:*:123456789012:repository/secret-*",
           "Condition": {"StringEqualsIgnoreCaseIfExists": {"aws:RequestedRegion": "eu-west-1"}}}
        ]
      }""";

  private PolicyDocument document;
  private String compact;

  /** Parses the policy once for the write benchmark. */
  @Setup
  public void setUp() {
    document = PolicyDocument.parse(POLICY);
    compact = document.toJson();
    if (document.statements().size() != 10 || !PolicyDocument.parse(compact).equals(document)) {
      throw new IllegalStateException("Benchmark setup is wrong: the policy does not round-trip");
    }
  }

  /** Parses the pretty-printed policy. */
  @Benchmark
  public PolicyDocument parse() {
    return PolicyDocument.parse(POLICY);
  }

  /** Writes the policy as compact JSON. */
  @Benchmark
  public String toJson() {
    return document.toJson();
  }

  /** Parses the compact JSON and writes it again. */
  @Benchmark
  public String parseAndWrite() {
    return PolicyDocument.parse(compact).toJson();
  }
}
