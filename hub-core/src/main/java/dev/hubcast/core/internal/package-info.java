/**
 * Implementation of the hub. Internal: no compatibility promise; do not use from applications or
 * adapters.
 */
package dev.hubcast.core.internal;
