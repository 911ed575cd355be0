package dev.hubcast.examples.chat;

/** The chat protocol over Netty. */
class NettyChatProtocolTest extends ChatProtocolContract {
  @Override
  protected ChatOptions.Transport transport() {
    return ChatOptions.Transport.NETTY;
  }
}
