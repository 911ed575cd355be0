package dev.hubcast.examples.spring;

import dev.hubcast.core.HubHandler;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * A small room chat on Spring Boot: {@code hubcast-spring-boot-starter} serves the hub at {@code
 * hubcast.path} ({@code /chat}, see {@code application.properties}) on the embedded Tomcat, with
 * {@link RoomChat} as its handler; Spring MVC serves the page, {@code static/index.html}, at {@code
 * /}. Port 8081 by default ({@code server.port}).
 *
 * <p>Run it from the repository's root after building it: {@code java -jar
 * examples-spring-boot/target/examples-spring-boot.jar}, then open http://localhost:8081.
 */
@SpringBootApplication
public class RoomChatApplication {

  /** The hub's handler: the starter takes the application's {@code HubHandler<String>} bean. */
  @Bean
  HubHandler<String> roomChat() {
    return new RoomChat();
  }

  public static void main(String[] args) {
    SpringApplication.run(RoomChatApplication.class, args);
  }
}
