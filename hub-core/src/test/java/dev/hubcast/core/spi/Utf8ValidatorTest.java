package dev.hubcast.core.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Utf8ValidatorTest {

  private static boolean jdkValid(byte[] bytes) {
    try {
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  private static boolean valid(byte[] bytes, int splitAt) {
    Utf8Validator v = new Utf8Validator();
    return v.feed(ByteBuffer.wrap(bytes, 0, splitAt))
        && v.feed(ByteBuffer.wrap(bytes, splitAt, bytes.length - splitAt))
        && v.isComplete();
  }

  @Test
  void agreesWithTheJdkDecoder_onRandomBytes_splitAnywhere() {
    Random random = new Random(42);
    byte[] pool = {
      0x41,
      (byte) 0x80,
      (byte) 0xBF,
      (byte) 0xC2,
      (byte) 0xC0,
      (byte) 0xDF,
      (byte) 0xE0,
      (byte) 0xA0,
      (byte) 0xED,
      (byte) 0x9F,
      (byte) 0xA0,
      (byte) 0xEF,
      (byte) 0xF0,
      (byte) 0x90,
      (byte) 0xF4,
      (byte) 0x8F,
      (byte) 0xF5,
      (byte) 0xFF
    };
    for (int i = 0; i < 200_000; i++) {
      byte[] bytes = new byte[random.nextInt(7)];
      for (int j = 0; j < bytes.length; j++) {
        bytes[j] =
            random.nextBoolean() ? pool[random.nextInt(pool.length)] : (byte) random.nextInt();
      }
      int split = bytes.length == 0 ? 0 : random.nextInt(bytes.length + 1);
      assertThat(valid(bytes, split))
          .as("bytes %s", java.util.Arrays.toString(bytes))
          .isEqualTo(jdkValid(bytes));
    }
  }

  @Test
  void acceptsEveryCodePoint_andRefusesSurrogatesAndOverlongs() {
    for (int cp = 0; cp <= 0x10FFFF; cp += (cp < 0x20000 ? 1 : 97)) {
      if (cp >= 0xD800 && cp <= 0xDFFF) {
        continue;
      }
      byte[] bytes = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
      assertThat(valid(bytes, bytes.length / 2)).as("U+%X", cp).isTrue();
    }
    assertThat(valid(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, 1)).isFalse();
    assertThat(valid(new byte[] {(byte) 0xC0, (byte) 0xAF}, 1)).isFalse();
    assertThat(valid(new byte[] {(byte) 0xE0, (byte) 0x80, (byte) 0xAF}, 1)).isFalse();
    assertThat(valid(new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, 2)).isFalse();
  }

  @Test
  void failsFast_onTheFirstImpossibleByte() {
    Utf8Validator v = new Utf8Validator();
    assertThat(v.feed(ByteBuffer.wrap(new byte[] {(byte) 0xCE, (byte) 0xBA}))).isTrue();
    assertThat(v.feed(ByteBuffer.wrap(new byte[] {(byte) 0xE1}))).isTrue();
    assertThat(v.isComplete()).isFalse();
    assertThat(v.feed(ByteBuffer.wrap(new byte[] {0x41}))).isFalse();
  }
}
