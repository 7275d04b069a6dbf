package dev.oidcecr.core;

/** TEMPORARY stand-in until the core branch lands: take the core branch's version on merge. */
public interface TokenSource {
  /** Returns a fresh token. */
  WebIdentityToken fetch();

  /** Describes the source. */
  String describe();
}
