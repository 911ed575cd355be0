package dev.hubcast.core.internal;

import java.util.concurrent.atomic.LongAdder;

/** The hub's monotonic counters. Thread-safe (striped adders). */
final class Counters {
  final LongAdder connectionsOpened = new LongAdder();
  final LongAdder framesIn = new LongAdder();
  final LongAdder bytesIn = new LongAdder();
  final LongAdder framesOut = new LongAdder();
  final LongAdder bytesOut = new LongAdder();
  final LongAdder framesDropped = new LongAdder();
  final LongAdder sendFailures = new LongAdder();
  final LongAdder slowConsumerCloses = new LongAdder();
  final LongAdder refusedHandshakes = new LongAdder();
  final LongAdder decodeErrors = new LongAdder();
  final LongAdder handlerErrors = new LongAdder();
  final LongAdder rateLimited = new LongAdder();
  final LongAdder backplanePublished = new LongAdder();
  final LongAdder backplanePublishFailures = new LongAdder();
  final LongAdder backplaneReceived = new LongAdder();
  final LongAdder backplaneGaps = new LongAdder();
  final LongAdder roomGaps = new LongAdder();
  final LongAdder roomHealed = new LongAdder();
  final LongAdder framesReplayed = new LongAdder();
  final LongAdder[] resumes = new LongAdder[dev.hubcast.core.Replay.Outcome.values().length];

  Counters() {
    for (int i = 0; i < resumes.length; i++) {
      resumes[i] = new LongAdder();
    }
  }
}
