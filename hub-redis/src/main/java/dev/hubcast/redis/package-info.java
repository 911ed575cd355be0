/**
 * A {@link dev.hubcast.core.backplane.Backplane} on Redis: {@link dev.hubcast.redis.RedisBackplane}
 * publishes each broadcast once to a Redis channel that every node subscribes to, and numbers room
 * broadcasts with one shared counter per room, so several nodes act as one hub.
 *
 * <p>Thread-safe: a backplane is started and closed by its hub, publishes from any thread, and
 * delivers what it receives on Lettuce's I/O thread, one envelope at a time.
 */
package dev.hubcast.redis;
