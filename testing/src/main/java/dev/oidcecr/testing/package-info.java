/** Fakes of an OIDC issuer and of STS, ECR and IAM for tests that must not reach AWS. */
package dev.oidcecr.testing;
