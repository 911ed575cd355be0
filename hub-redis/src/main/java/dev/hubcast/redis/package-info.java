/**
 * A {@link dev.hubcast.core.backplane.Backplane} on Redis: {@link dev.hubcast.redis.RedisBackplane}
 * publishes each broadcast once to a Redis channel that every node subscribes to, and numbers,
 * keeps (in one Redis stream per room) and publishes room broadcasts in one script, so several
 * nodes act as one hub and any of them can resume a client from its room position.
 *
 * <p>Thread-safe: a backplane is started and closed by its hub, publishes from any thread, and
 * delivers what it receives on Lettuce's I/O thread, one envelope at a time.
 */
package dev.hubcast.redis;
