/** Runnable examples of oidc-ecr. */
package dev.oidcecr.examples;
