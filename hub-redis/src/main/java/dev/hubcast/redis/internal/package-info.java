/**
 * The Redis backplane's parts: the envelope codec and the one Lettuce client set-up. Not exported
 * by the module; not for applications.
 */
package dev.hubcast.redis.internal;
