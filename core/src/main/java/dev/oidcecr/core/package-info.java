/** From a workspace's OIDC token to a Docker login for a private Amazon ECR registry. */
package dev.oidcecr.core;
