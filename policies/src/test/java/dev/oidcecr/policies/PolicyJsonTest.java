package dev.oidcecr.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PolicyJsonTest {

  private static final String TRUST = """
      {
        "Version": "2012-10-17",
        "Statement": [
          {
            "Sid": "GitpodWorkspaces",
            "Effect": "Allow",
            "Principal": {
              "Federated": "arn:aws:iam::123456789012:oidc-provider/services.gitpod.example.com/idp"
            },
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {
              "StringEquals": {
                "services.gitpod.example.com/idp:aud": "sts.amazonaws.com"
              },
              "StringLike": {
                "services.gitpod.example.com/idp:sub": [
                  "https://github.com/acme/app",
                  "https://github.com/acme/app/*"
                ]
              }
            }
          }
        ]
      }""";

  @Test
  void toPrettyJson_writesKeysInIamOrderAndIsStable() {
    PolicyDocument doc = PolicyDocument.parse(TRUST);
    assertThat(doc.toPrettyJson()).isEqualTo(TRUST.stripIndent().strip());
    assertThat(PolicyDocument.parse(doc.toPrettyJson())).isEqualTo(doc);
  }

  @Test
  void toJson_isCompactWithSingleValuesAsScalars() {
    PolicyDocument doc = PolicyDocument.builder()
        .addStatement(s -> s.allow().addActions("ecr:GetAuthorizationToken").addResources("*"))
        .build();
    assertThat(doc.toJson()).isEqualTo(
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
            + "\"Action\":\"ecr:GetAuthorizationToken\",\"Resource\":\"*\"}]}");
  }

  @Test
  void toJson_writesElementsInDocumentedOrderWhateverTheBuilderOrder() {
    Statement s = Statement.builder()
        .addCondition(ConditionOperator.BOOL, "aws:SecureTransport", "true")
        .addNotResources("arn:aws:s3:::b")
        .addNotActions("s3:*")
        .notPrincipal(Principal.aws("arn:aws:iam::123456789012:root"))
        .effect(Effect.DENY)
        .sid("S1")
        .build();
    String json = PolicyDocument.builder().id("P").addStatements(s).build().toJson();
    assertThat(json).isEqualTo("{\"Version\":\"2012-10-17\",\"Id\":\"P\",\"Statement\":[{"
        + "\"Sid\":\"S1\",\"Effect\":\"Deny\","
        + "\"NotPrincipal\":{\"AWS\":\"arn:aws:iam::123456789012:root\"},"
        + "\"NotAction\":\"s3:*\",\"NotResource\":\"arn:aws:s3:::b\","
        + "\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"true\"}}}]}");
  }

  @Test
  void parse_acceptsStatementObjectScalarsNumbersAndBooleans() {
    PolicyDocument doc = PolicyDocument.parse("""
        {"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["s3:GetObject"],
         "Resource":"*","Condition":{"NumericLessThan":{"s3:max-keys":10},
         "Bool":{"aws:MultiFactorAuthPresent":true}}}}""");
    Statement s = doc.statements().get(0);
    assertThat(s.actions()).containsExactly("s3:GetObject");
    assertThat(s.conditions()).containsExactly(
        Condition.of(ConditionOperator.NUMERIC_LESS_THAN, "s3:max-keys", "10"),
        Condition.of(ConditionOperator.BOOL, "aws:MultiFactorAuthPresent", "true"));
  }

  @Test
  void parse_acceptsUrlEncodedDocumentAsGetRoleReturnsIt() {
    String encoded = URLEncoder.encode(TRUST, StandardCharsets.UTF_8).replace("+", "%20");
    assertThat(PolicyDocument.parse(encoded)).isEqualTo(PolicyDocument.parse(TRUST));
  }

  @Test
  void parse_urlEncodedDocumentKeepsLiteralPlus() {
    String json = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
        + "\"Action\":\"a:b\",\"Resource\":\"x+y\"}]}";
    String encoded = URLEncoder.encode(json, StandardCharsets.UTF_8).replace("%2B", "+")
        .replace("+", "+");
    // The encoder wrote spaces as '+'; there are none, so every '+' left is a literal plus.
    assertThat(PolicyDocument.parse(encoded).statements().get(0).resources())
        .containsExactly("x+y");
  }

  @Test
  void parse_withoutVersion_keepsItAbsent() {
    PolicyDocument doc = PolicyDocument.parse("{\"Statement\":[]}");
    assertThat(doc.version()).isEmpty();
    assertThat(doc.toJson()).isEqualTo("{\"Statement\":[]}");
  }

  @Test
  void parse_principalForms() {
    PolicyDocument doc = PolicyDocument.parse("""
        {"Version":"2012-10-17","Statement":[
          {"Effect":"Allow","Principal":"*","Action":"ecr:BatchGetImage"},
          {"Effect":"Allow","Principal":{"AWS":["123456789012","arn:aws:iam::210987654321:root"],
            "Service":"ecs-tasks.amazonaws.com","CanonicalUser":"abc"},"Action":"ecr:*"}]}""");
    assertThat(doc.statements().get(0).principal()).contains(Principal.all());
    Principal p = doc.statements().get(1).principal().orElseThrow();
    assertThat(p.aws()).containsExactly("123456789012", "arn:aws:iam::210987654321:root");
    assertThat(p.service()).containsExactly("ecs-tasks.amazonaws.com");
    assertThat(p.canonicalUser()).containsExactly("abc");
  }

  @Test
  void parse_qualifiedAndIfExistsOperators() {
    PolicyDocument doc = PolicyDocument.parse("""
        {"Statement":{"Effect":"Deny","Action":"*","Resource":"*","Condition":{
          "ForAllValues:StringLikeIfExists":{"aws:TagKeys":["a*","b?"]},
          "ForAnyValue:StringEquals":{"k":"v"}}}}""");
    List<Condition> cs = doc.statements().get(0).conditions();
    assertThat(cs.get(0).operator().qualifier())
        .isEqualTo(ConditionOperator.SetQualifier.FOR_ALL_VALUES);
    assertThat(cs.get(0).operator().ifExists()).isTrue();
    assertThat(cs.get(0).operator().base()).isEqualTo(ConditionOperator.Base.STRING_LIKE);
    assertThat(cs.get(1).operator().jsonName()).isEqualTo("ForAnyValue:StringEquals");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      unknown top-level element   | {"Version":"2012-10-17","Statment":[]}                               | /Statment                       | unknown element "Statment"
      case of element names       | {"version":"2012-10-17","Statement":[]}                              | /version                        | did you mean "Version"
      missing Statement           | {"Version":"2012-10-17"}                                             | /Statement                      | missing Statement
      unknown statement element   | {"Statement":[{"Effect":"Allow","Actions":"a"}]}                     | /Statement/0/Actions            | unknown element "Actions"
      duplicate key               | {"Statement":[{"Effect":"Allow","Action":"a","Action":"b"}]}         | /Statement/0/Action             | duplicate key "Action"
      duplicate condition key     | {"Statement":[{"Effect":"Allow","Condition":{"StringLike":{"k":"a","k":"b"}}}]} | /Statement/0/Condition/StringLike/k | duplicate key
      Principal and NotPrincipal  | {"Statement":[{"Effect":"Allow","Principal":"*","NotPrincipal":"*"}]} | /Statement/0/NotPrincipal       | cannot be in the same statement
      Action and NotAction        | {"Statement":[{"Effect":"Allow","Action":"a","NotAction":"b"}]}      | /Statement/0/NotAction          | cannot be in the same statement
      missing Effect              | {"Statement":[{"Action":"a"}]}                                       | /Statement/0/Effect             | missing Effect
      bad Effect                  | {"Statement":[{"Effect":"allow"}]}                                   | /Statement/0/Effect             | "Allow" or "Deny"
      Action as object            | {"Statement":[{"Effect":"Allow","Action":{"a":1}}]}                  | /Statement/0/Action             | found an object
      null value                  | {"Statement":[{"Effect":"Allow","Resource":[null]}]}                 | /Statement/0/Resource/0         | found null
      unknown operator            | {"Statement":[{"Effect":"Allow","Condition":{"StringEqual":{"k":"v"}}}]} | /Statement/0/Condition/StringEqual | Unknown condition operator
      principal string not star   | {"Statement":[{"Effect":"Allow","Principal":"arn:aws:iam::1:root"}]} | /Statement/0/Principal          | a principal is "*"
      unknown principal type      | {"Statement":[{"Effect":"Allow","Principal":{"Aws":"x"}}]}           | /Statement/0/Principal/Aws      | unknown principal type
      empty principal             | {"Statement":[{"Effect":"Allow","Principal":{}}]}                    | /Statement/0/Principal          | empty principal
      Statement as string         | {"Statement":"x"}                                                    | /Statement                      | found a string
      root not an object          | ["x"]                                                                |                                 | must be a JSON object
      key with slash is escaped   | {"Statement":[{"Effect":"Allow","Condition":{"StringLike":{"a/b~c":{}}}}]} | /Statement/0/Condition/StringLike/a~1b~0c | found an object
      syntax error                | {"Statement":[{"Effect":"Allow",}]}                                  | /Statement/0/Effect             | not valid JSON
      trailing garbage            | {"Statement":[]} x                                                   |                                 | not valid JSON
      """)
  void parse_rejectsWithPointerAndProblem(String name, String json, String pointer,
      String problem) {
    String expectedPointer = pointer == null ? "" : pointer;
    assertThatThrownBy(() -> PolicyDocument.parse(json))
        .isInstanceOf(PolicyParseException.class)
        .hasMessageContaining(problem)
        .satisfies(e -> assertThat(((PolicyParseException) e).pointer())
            .isEqualTo(expectedPointer));
  }

  @Test
  void parse_emptyOrNullText_isClearError() {
    assertThatThrownBy(() -> PolicyDocument.parse("  "))
        .isInstanceOf(PolicyParseException.class).hasMessageContaining("empty");
    assertThatThrownBy(() -> PolicyDocument.parse(null))
        .isInstanceOf(PolicyParseException.class).hasMessageContaining("null");
  }

  @Test
  void quotaSize_ignoresWhitespaceOutsideStringsOnly() {
    PolicyDocument doc = PolicyDocument.parse(TRUST);
    assertThat(doc.quotaSize()).isEqualTo(doc.toJson().length());
    PolicyDocument withSpace = PolicyDocument.builder()
        .addStatement(s -> s.allow().addActions("a:b").addResources("x y"))
        .build();
    assertThat(withSpace.quotaSize()).isEqualTo(withSpace.toJson().length());
    assertThat(PolicyDocument.parse(withSpace.toPrettyJson()).quotaSize())
        .isEqualTo(withSpace.quotaSize());
  }

  @Test
  void builder_groupsConditionsByOperatorSoRoundTripHolds() {
    Statement s = Statement.builder().allow().addActions("a:b")
        .addCondition(ConditionOperator.STRING_EQUALS, "k1", "v")
        .addCondition(ConditionOperator.STRING_LIKE, "k2", "v*")
        .addCondition(ConditionOperator.STRING_EQUALS, "k3", "w")
        .build();
    assertThat(s.conditions()).extracting(Condition::key).containsExactly("k1", "k3", "k2");
    PolicyDocument doc = PolicyDocument.builder().addStatements(s).build();
    assertThat(PolicyDocument.parse(doc.toJson())).isEqualTo(doc);
  }

  @Test
  void builder_rejectsSameKeyTwiceUnderOneOperator() {
    assertThatThrownBy(() -> Statement.builder().allow()
        .addCondition(ConditionOperator.STRING_LIKE, "k", "a")
        .addCondition(ConditionOperator.STRING_LIKE, "k", "b").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("appears twice");
  }

  @Test
  void conditionOperator_parseCoversEveryBaseWithQualifiersAndIfExists() {
    for (ConditionOperator.Base base : ConditionOperator.Base.values()) {
      for (ConditionOperator.SetQualifier q : ConditionOperator.SetQualifier.values()) {
        for (boolean ifExists : new boolean[] {false, true}) {
          ConditionOperator op = ConditionOperator.of(base, q, ifExists);
          assertThat(ConditionOperator.parse(op.jsonName())).isEqualTo(op);
        }
      }
    }
    assertThatThrownBy(() -> ConditionOperator.parse("stringequals"))
        .hasMessageContaining("case-sensitive");
  }
}
