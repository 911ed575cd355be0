/**
 * The benchmark tool: bench servers, a load generator, the sweep that measures them side by side,
 * and the report it writes into {@code docs/benchmarks.md}.
 *
 * <p>A command-line program: each command runs on its own threads and says which in its class
 * Javadoc.
 */
package dev.hubcast.bench;
