/**
 * JMH benchmarks of the policies module: trust-policy evaluation and policy JSON reading and
 * writing. Build and run them as BENCHMARKS.md at the repository root says.
 */
package dev.oidcecr.examples.benchmarks;
