package dev.oidcecr.testing.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The issuer's RSA key and the signing of tokens, kept here so that nimbus types stay out of the
 * public API. Keys are 2048-bit like Gitpod's, with Gitpod's {@code kid}: {@code id-} and the hex
 * SHA-256 of the modulus.
 */
public final class IssuerKeys {
  private static final ObjectMapper JSON = new ObjectMapper();

  // Generated in the background from construction on: key generation overlaps the HTTP
  // server's start, which matters for the fake's cold start.
  private volatile CompletableFuture<RSAKey> current =
      CompletableFuture.supplyAsync(IssuerKeys::generate);

  /** Creates a holder; its first key is being generated. */
  public IssuerKeys() {}

  /** Replaces the key; tokens signed with the old one no longer verify. */
  public void rotate() {
    current = CompletableFuture.completedFuture(generate());
  }

  private RSAKey key() {
    return current.join();
  }

  /** Returns the current key id. */
  public String kid() {
    return key().getKeyID();
  }

  /** Returns the JWKS document with the current public key. */
  public String jwksJson() {
    return new JWKSet(key().toPublicJWK()).toString();
  }

  /**
   * Signs the claims as an RS256 JWT.
   *
   * @param kid the header key id (may differ from the signing key's for the unknown-kid case)
   * @param foreignKey sign with a throwaway key instead (the bad-signature case)
   */
  public String sign(Map<String, Object> claims, String kid, boolean foreignKey) {
    RSAKey key = foreignKey ? generate() : key();
    try {
      JWSHeader header =
          new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(kid).type(JOSEObjectType.JWT).build();
      // Payload written by Jackson so that "aud" stays an array even with one audience, as
      // Gitpod sends it (nimbus' claims set would collapse it to a string).
      JWSObject jws = new JWSObject(header, new Payload(JSON.writeValueAsString(claims)));
      jws.sign(new RSASSASigner(key));
      return jws.serialize();
    } catch (JOSEException | JsonProcessingException e) {
      throw new IllegalStateException("Signing a test token failed: " + e.getMessage(), e);
    }
  }

  static String kidFor(RSAPublicKey publicKey) {
    try {
      byte[] modulus = unsigned(publicKey.getModulus());
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(modulus);
      return "id-" + HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] unsigned(BigInteger n) {
    byte[] bytes = n.toByteArray();
    if (bytes.length > 1 && bytes[0] == 0) {
      byte[] trimmed = new byte[bytes.length - 1];
      System.arraycopy(bytes, 1, trimmed, 0, trimmed.length);
      return trimmed;
    }
    return bytes;
  }

  private static RSAKey generate() {
    try {
      KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
      gen.initialize(2048);
      KeyPair pair = gen.generateKeyPair();
      RSAPublicKey pub = (RSAPublicKey) pair.getPublic();
      return new RSAKey.Builder(pub)
          .privateKey((RSAPrivateKey) pair.getPrivate())
          .keyID(kidFor(pub))
          .algorithm(JWSAlgorithm.RS256)
          .keyUse(com.nimbusds.jose.jwk.KeyUse.SIGNATURE)
          .build();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Returns the bytes of a string in UTF-8. */
  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
