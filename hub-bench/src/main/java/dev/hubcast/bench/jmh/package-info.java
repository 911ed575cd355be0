/**
 * JMH microbenchmarks of the core's fan-out and room membership, run with {@code hub-bench.jar
 * jmh}.
 *
 * <p>JMH runs each benchmark method on its own benchmark threads; the state each uses is described
 * in its class Javadoc.
 */
package dev.hubcast.bench.jmh;
