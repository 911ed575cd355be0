/**
 * Hubcast's core: the hub an application holds, and the SPIs transports and backplanes implement.
 *
 * <p>Exports the application API ({@code dev.hubcast.core}), the transport SPI ({@code
 * dev.hubcast.core.spi}) and the backplane SPI ({@code dev.hubcast.core.backplane}); the
 * implementation in {@code dev.hubcast.core.internal} is not exported.
 */
module dev.hubcast.core {
  requires org.slf4j;

  exports dev.hubcast.core;
  exports dev.hubcast.core.spi;
  exports dev.hubcast.core.backplane;
}
