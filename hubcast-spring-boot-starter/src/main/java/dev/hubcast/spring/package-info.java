/**
 * Spring Boot auto-configuration for Hubcast: {@link dev.hubcast.spring.HubcastAutoConfiguration}
 * serves a hub built from {@link dev.hubcast.spring.HubcastProperties hubcast.*} properties in the
 * embedded servlet container. Thread-safe: the configuration runs once, as the application context
 * refreshes; the hub it makes is thread-safe.
 */
package dev.hubcast.spring;
