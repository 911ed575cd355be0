package dev.hubcast.examples.chat;

/** The chat protocol over Jetty. */
class JettyChatProtocolTest extends ChatProtocolContract {
  @Override
  protected ChatOptions.Transport transport() {
    return ChatOptions.Transport.JETTY;
  }
}
