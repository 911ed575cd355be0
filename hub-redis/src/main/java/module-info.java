/**
 * Hubcast's Redis backplane: several nodes act as one hub over Redis publish/subscribe, on Lettuce.
 *
 * <p>Exports {@code dev.hubcast.redis}; the envelope codec and the client set-up in {@code
 * dev.hubcast.redis.internal} are not exported.
 */
module dev.hubcast.redis {
  requires transitive dev.hubcast.core;
  requires transitive lettuce.core;
  requires io.netty.common;
  requires org.slf4j;

  exports dev.hubcast.redis;
}
