package dev.oidcecr.policies.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import dev.oidcecr.policies.Condition;
import dev.oidcecr.policies.ConditionOperator;
import dev.oidcecr.policies.Effect;
import dev.oidcecr.policies.PolicyDocument;
import dev.oidcecr.policies.PolicyParseException;
import dev.oidcecr.policies.Principal;
import dev.oidcecr.policies.Statement;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads and writes IAM policy JSON.
 *
 * <p>The reader first builds a small ordered tree with its own duplicate-key check (so that every
 * error carries a JSON pointer), then maps the tree onto the model with IAM's tolerance: a
 * statement object or array, scalar or array values, numbers and booleans as text, and
 * percent-encoded documents.
 */
public final class PolicyJson {
  private static final JsonFactory FACTORY = JsonFactory.builder()
      .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
      .build();

  private static final Set<String> DOCUMENT_KEYS = Set.of("Version", "Id", "Statement");
  private static final Set<String> STATEMENT_KEYS = Set.of("Sid", "Effect", "Principal",
      "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition");
  private static final List<String> PRINCIPAL_KEYS =
      List.of("AWS", "Federated", "Service", "CanonicalUser");

  private PolicyJson() {}

  // ---------------------------------------------------------------- reading

  /** A scalar JSON value kept as text, with its kind for error messages. */
  private record Scalar(String text, JsonToken token) {}

  /**
   * Parses a policy document.
   *
   * @throws PolicyParseException naming the JSON pointer and the problem
   */
  public static PolicyDocument parse(String json) {
    if (json == null) {
      throw new PolicyParseException("", "the policy text is null: pass the JSON document");
    }
    String text = json.strip();
    if (text.isEmpty()) {
      throw new PolicyParseException("", "the policy text is empty: pass the JSON document");
    }
    if (text.charAt(0) == '%') {
      text = percentDecode(text);
    }
    Object tree = readTree(text);
    return toDocument(tree);
  }

  private static Object readTree(String text) {
    try (JsonParser p = FACTORY.createParser(text)) {
      JsonToken first = p.nextToken();
      Object root = readValue(p, first, "");
      JsonToken trailing = p.nextToken();
      if (trailing != null) {
        throw new PolicyParseException("",
            "unexpected content after the end of the document: remove everything after the"
                + " closing brace");
      }
      return root;
    } catch (JsonProcessingException e) {
      String where = e.getLocation() == null ? ""
          : " at line " + e.getLocation().getLineNr() + ", column "
              + e.getLocation().getColumnNr();
      throw new PolicyParseException(pointerOf(e),
          "not valid JSON" + where + ": " + e.getOriginalMessage()
              + " (check quotes, commas and braces)");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String pointerOf(JsonProcessingException e) {
    Object processor = e.getProcessor();
    if (processor instanceof JsonParser) {
      return ((JsonParser) processor).getParsingContext().pathAsPointer().toString();
    }
    return "";
  }

  private static Object readValue(JsonParser p, JsonToken t, String pointer) throws IOException {
    if (t == null) {
      throw new PolicyParseException(pointer, "unexpected end of the document");
    }
    switch (t) {
      case START_OBJECT: {
        Map<String, Object> map = new LinkedHashMap<>();
        JsonToken next;
        while ((next = p.nextToken()) == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          String child = pointer + "/" + escape(name);
          if (map.containsKey(name)) {
            throw new PolicyParseException(child,
                "duplicate key \"" + name + "\": JSON objects in a policy may name a key only"
                    + " once; merge the two entries");
          }
          Object value = readValue(p, p.nextToken(), child);
          map.put(name, value);
        }
        if (next != JsonToken.END_OBJECT) {
          throw new PolicyParseException(pointer, "unexpected end of the document");
        }
        return map;
      }
      case START_ARRAY: {
        List<Object> list = new ArrayList<>();
        JsonToken next;
        while ((next = p.nextToken()) != JsonToken.END_ARRAY) {
          if (next == null) {
            throw new PolicyParseException(pointer, "unexpected end of the document");
          }
          list.add(readValue(p, next, pointer + "/" + list.size()));
        }
        return list;
      }
      case VALUE_STRING:
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
      case VALUE_TRUE:
      case VALUE_FALSE:
        return new Scalar(p.getText(), t);
      case VALUE_NULL:
        return new Scalar(null, t);
      default:
        throw new PolicyParseException(pointer, "unexpected JSON token " + t);
    }
  }

  private static PolicyDocument toDocument(Object tree) {
    Map<String, Object> root = object(tree, "", "the policy document");
    checkKeys(root, "", DOCUMENT_KEYS, "a policy has only Version, Id and Statement");
    PolicyDocument.Builder b = PolicyDocument.builder();
    if (root.containsKey("Version")) {
      b.version(string(root.get("Version"), "/Version", "Version"));
    } else {
      b.version(java.util.Optional.empty());
    }
    if (root.containsKey("Id")) {
      b.id(string(root.get("Id"), "/Id", "Id"));
    }
    Object statements = root.get("Statement");
    if (statements == null) {
      throw new PolicyParseException("/Statement",
          "missing Statement: a policy needs a Statement element (an object or an array)");
    }
    if (statements instanceof List) {
      List<?> list = (List<?>) statements;
      for (int i = 0; i < list.size(); i++) {
        b.addStatements(toStatement(list.get(i), "/Statement/" + i));
      }
    } else if (statements instanceof Map) {
      b.addStatements(toStatement(statements, "/Statement"));
    } else {
      throw new PolicyParseException("/Statement",
          "Statement must be an object or an array of objects, found " + describe(statements));
    }
    return b.build();
  }

  private static Statement toStatement(Object node, String pointer) {
    Map<String, Object> map = object(node, pointer, "a statement");
    checkKeys(map, pointer, STATEMENT_KEYS,
        "a statement has only Sid, Effect, Principal, NotPrincipal, Action, NotAction, Resource,"
            + " NotResource and Condition");
    pairCheck(map, pointer, "Principal", "NotPrincipal");
    pairCheck(map, pointer, "Action", "NotAction");
    pairCheck(map, pointer, "Resource", "NotResource");
    Statement.Builder b = Statement.builder();
    if (map.containsKey("Sid")) {
      b.sid(string(map.get("Sid"), pointer + "/Sid", "Sid"));
    }
    if (!map.containsKey("Effect")) {
      throw new PolicyParseException(pointer + "/Effect",
          "missing Effect: every statement needs \"Effect\": \"Allow\" or \"Deny\"");
    }
    String effect = string(map.get("Effect"), pointer + "/Effect", "Effect");
    try {
      b.effect(Effect.fromJsonName(effect));
    } catch (IllegalArgumentException e) {
      throw new PolicyParseException(pointer + "/Effect", e.getMessage());
    }
    if (map.containsKey("Principal")) {
      b.principal(toPrincipal(map.get("Principal"), pointer + "/Principal"));
    }
    if (map.containsKey("NotPrincipal")) {
      b.notPrincipal(toPrincipal(map.get("NotPrincipal"), pointer + "/NotPrincipal"));
    }
    b.actions(strings(map.get("Action"), pointer + "/Action", "Action"));
    b.notActions(strings(map.get("NotAction"), pointer + "/NotAction", "NotAction"));
    b.resources(strings(map.get("Resource"), pointer + "/Resource", "Resource"));
    b.notResources(strings(map.get("NotResource"), pointer + "/NotResource", "NotResource"));
    if (map.containsKey("Condition")) {
      b.conditions(toConditions(map.get("Condition"), pointer + "/Condition"));
    }
    try {
      return b.build();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new PolicyParseException(pointer, e.getMessage());
    }
  }

  private static void pairCheck(Map<String, Object> map, String pointer, String a, String b) {
    if (map.containsKey(a) && map.containsKey(b)) {
      throw new PolicyParseException(pointer + "/" + b,
          a + " and " + b + " cannot be in the same statement: keep one of them");
    }
  }

  private static Principal toPrincipal(Object node, String pointer) {
    if (node instanceof Scalar) {
      Scalar s = (Scalar) node;
      if ("*".equals(s.text()) && s.token() == JsonToken.VALUE_STRING) {
        return Principal.all();
      }
      throw new PolicyParseException(pointer,
          "a principal is \"*\" or an object such as {\"AWS\": \"arn:aws:iam::123456789012:root\"}"
              + ", found " + describe(node));
    }
    Map<String, Object> map = object(node, pointer, "a principal");
    if (map.isEmpty()) {
      throw new PolicyParseException(pointer,
          "empty principal: name at least one AWS, Federated, Service or CanonicalUser value");
    }
    Principal.Builder b = Principal.builder();
    for (Map.Entry<String, Object> e : map.entrySet()) {
      String child = pointer + "/" + escape(e.getKey());
      List<String> values = strings(e.getValue(), child, e.getKey());
      if (values.isEmpty()) {
        throw new PolicyParseException(child, "principal type " + e.getKey() + " has no values");
      }
      switch (e.getKey()) {
        case "AWS":
          b.addAllAws(values);
          break;
        case "Federated":
          b.addAllFederated(values);
          break;
        case "Service":
          b.addAllService(values);
          break;
        case "CanonicalUser":
          b.addAllCanonicalUser(values);
          break;
        default:
          throw new PolicyParseException(child,
              "unknown principal type \"" + e.getKey()
                  + "\": use AWS, Federated, Service or CanonicalUser (case-sensitive)");
      }
    }
    return b.build();
  }

  private static List<Condition> toConditions(Object node, String pointer) {
    Map<String, Object> operators = object(node, pointer, "the Condition element");
    List<Condition> out = new ArrayList<>();
    for (Map.Entry<String, Object> op : operators.entrySet()) {
      String opPointer = pointer + "/" + escape(op.getKey());
      ConditionOperator operator;
      try {
        operator = ConditionOperator.parse(op.getKey());
      } catch (IllegalArgumentException e) {
        throw new PolicyParseException(opPointer, e.getMessage());
      }
      Map<String, Object> keys = object(op.getValue(), opPointer,
          "the keys of condition operator " + op.getKey());
      if (keys.isEmpty()) {
        throw new PolicyParseException(opPointer,
            "condition operator " + op.getKey() + " has no keys: add a key and its values, or"
                + " remove the operator");
      }
      for (Map.Entry<String, Object> key : keys.entrySet()) {
        String keyPointer = opPointer + "/" + escape(key.getKey());
        if (key.getKey().isEmpty()) {
          throw new PolicyParseException(keyPointer, "a condition key cannot be empty");
        }
        out.add(Condition.of(operator, key.getKey(),
            strings(key.getValue(), keyPointer, "condition value")));
      }
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> object(Object node, String pointer, String what) {
    if (node instanceof Map) {
      return (Map<String, Object>) node;
    }
    throw new PolicyParseException(pointer,
        what + " must be a JSON object, found " + describe(node));
  }

  private static void checkKeys(Map<String, Object> map, String pointer, Set<String> allowed,
      String hint) {
    for (String key : map.keySet()) {
      if (!allowed.contains(key)) {
        String suggestion = "";
        for (String a : allowed) {
          if (a.equalsIgnoreCase(key)) {
            suggestion = " (did you mean \"" + a + "\"? element names are case-sensitive)";
          }
        }
        throw new PolicyParseException(pointer + "/" + escape(key),
            "unknown element \"" + key + "\"" + suggestion + ": " + hint);
      }
    }
  }

  private static String string(Object node, String pointer, String what) {
    if (node instanceof Scalar && ((Scalar) node).text() != null) {
      return ((Scalar) node).text();
    }
    throw new PolicyParseException(pointer, what + " must be a string, found " + describe(node));
  }

  private static List<String> strings(Object node, String pointer, String what) {
    if (node == null) {
      return List.of();
    }
    if (node instanceof Scalar) {
      return List.of(string(node, pointer, what));
    }
    if (node instanceof List) {
      List<?> list = (List<?>) node;
      List<String> out = new ArrayList<>(list.size());
      for (int i = 0; i < list.size(); i++) {
        out.add(string(list.get(i), pointer + "/" + i, what));
      }
      return out;
    }
    throw new PolicyParseException(pointer,
        what + " must be a string or an array of strings, found " + describe(node));
  }

  private static String describe(Object node) {
    if (node instanceof Map) {
      return "an object";
    }
    if (node instanceof List) {
      return "an array";
    }
    if (node instanceof Scalar) {
      Scalar s = (Scalar) node;
      switch (s.token()) {
        case VALUE_NULL:
          return "null";
        case VALUE_STRING:
          return "a string";
        case VALUE_TRUE:
        case VALUE_FALSE:
          return "a boolean";
        default:
          return "a number";
      }
    }
    return "nothing";
  }

  /** Escapes a key for a JSON pointer (RFC 6901). */
  static String escape(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }

  /**
   * Decodes %XX escapes only. Unlike {@link java.net.URLDecoder} it leaves {@code +} alone:
   * IAM encodes per RFC 3986, and a {@code +} in a policy (a session-name pattern, say) is a plus.
   */
  static String percentDecode(String text) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '%') {
        if (i + 2 >= text.length()) {
          throw new PolicyParseException("",
              "the document looks URL-encoded but ends inside an escape at character " + i);
        }
        int hi = Character.digit(text.charAt(i + 1), 16);
        int lo = Character.digit(text.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          throw new PolicyParseException("",
              "the document looks URL-encoded but has an invalid escape at character " + i);
        }
        out.write(hi * 16 + lo);
        i += 2;
      } else {
        byte[] bytes = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        out.write(bytes, 0, bytes.length);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  // ---------------------------------------------------------------- writing

  /** Writes the document with keys in IAM's documented order, compact or indented. */
  public static String write(PolicyDocument doc, boolean pretty) {
    StringWriter w = new StringWriter();
    try (JsonGenerator g = FACTORY.createGenerator(w)) {
      if (pretty) {
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter(
            Separators.createDefaultInstance()
                .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                .withRootSeparator(""))
            .withObjectIndenter(new DefaultIndenter("  ", "\n"))
            .withArrayIndenter(new DefaultIndenter("  ", "\n"));
        g.setPrettyPrinter(printer);
      }
      g.writeStartObject();
      if (doc.version().isPresent()) {
        g.writeStringField("Version", doc.version().get());
      }
      if (doc.id().isPresent()) {
        g.writeStringField("Id", doc.id().get());
      }
      g.writeArrayFieldStart("Statement");
      for (Statement s : doc.statements()) {
        writeStatement(g, s);
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return w.toString();
  }

  private static void writeStatement(JsonGenerator g, Statement s) throws IOException {
    g.writeStartObject();
    if (s.sid().isPresent()) {
      g.writeStringField("Sid", s.sid().get());
    }
    g.writeStringField("Effect", s.effect().jsonName());
    if (s.principal().isPresent()) {
      g.writeFieldName("Principal");
      writePrincipal(g, s.principal().get());
    }
    if (s.notPrincipal().isPresent()) {
      g.writeFieldName("NotPrincipal");
      writePrincipal(g, s.notPrincipal().get());
    }
    writeValues(g, "Action", s.actions(), false);
    writeValues(g, "NotAction", s.notActions(), false);
    writeValues(g, "Resource", s.resources(), false);
    writeValues(g, "NotResource", s.notResources(), false);
    if (!s.conditions().isEmpty()) {
      g.writeObjectFieldStart("Condition");
      for (Map.Entry<ConditionOperator, List<Condition>> e : s.conditionsByOperator().entrySet()) {
        g.writeObjectFieldStart(e.getKey().jsonName());
        for (Condition c : e.getValue()) {
          writeValues(g, c.key(), c.values(), true);
        }
        g.writeEndObject();
      }
      g.writeEndObject();
    }
    g.writeEndObject();
  }

  private static void writePrincipal(JsonGenerator g, Principal p) throws IOException {
    if (p.isWildcard()) {
      g.writeString("*");
      return;
    }
    g.writeStartObject();
    List<List<String>> lists = List.of(p.aws(), p.federated(), p.service(), p.canonicalUser());
    for (int i = 0; i < PRINCIPAL_KEYS.size(); i++) {
      writeValues(g, PRINCIPAL_KEYS.get(i), lists.get(i), false);
    }
    g.writeEndObject();
  }

  private static void writeValues(JsonGenerator g, String name, List<String> values,
      boolean writeEmpty) throws IOException {
    if (values.isEmpty() && !writeEmpty) {
      return;
    }
    if (values.size() == 1) {
      g.writeStringField(name, values.get(0));
      return;
    }
    g.writeArrayFieldStart(name);
    for (String v : values) {
      g.writeString(v);
    }
    g.writeEndArray();
  }

  /** Counts the characters IAM counts against its quotas: all but whitespace outside strings. */
  public static int quotaSize(String json) {
    int count = 0;
    boolean inString = false;
    boolean escaped = false;
    for (int i = 0; i < json.length(); i++) {
      char c = json.charAt(i);
      if (inString) {
        count++;
        if (escaped) {
          escaped = false;
        } else if (c == '\\') {
          escaped = true;
        } else if (c == '"') {
          inString = false;
        }
      } else if (c == '"') {
        inString = true;
        count++;
      } else if (!Character.isWhitespace(c)) {
        count++;
      }
    }
    return count;
  }
}
