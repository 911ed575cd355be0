package dev.hubcast.jakarta.internal;

import dev.hubcast.core.spi.Acceptor;

/**
 * A hub installed on the servlet HTTP upgrade ({@link UpgradeServlet}): no thread of its own but
 * the shared timer; the container's threads read and write, and the hub's write too. Thread-safe.
 */
final class UpgradeEndpoint extends InstalledEndpoint<UpgradeConnection> {

  UpgradeEndpoint(String path, Acceptor acceptor) {
    super(path, acceptor);
  }

  @Override
  String kind() {
    return "servlet upgrade";
  }
}
