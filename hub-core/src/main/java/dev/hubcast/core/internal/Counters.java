package dev.hubcast.core.internal;

import dev.hubcast.core.HubMetrics;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
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
  final LongAdder deliveriesQueued = new LongAdder();
  final LongAdder deliveriesDropped = new LongAdder();
  final LongAdder deliveriesRefused = new LongAdder();
  final LongAdder fanOutsTimed = new LongAdder();
  final LongAdder fanOutNanos = new LongAdder();
  final LongAdder backplaneLagMillis = new LongAdder();
  // By close code: codes are 1000-4999, so the map stays small.
  final ConcurrentMap<Integer, LongAdder> closes = new ConcurrentHashMap<>();
  final LongAdder[] refusals = new LongAdder[HubMetrics.Refusal.values().length];
  final LongAdder[] resumes = new LongAdder[dev.hubcast.core.Replay.Outcome.values().length];
  final LongAdder[] violations = new LongAdder[HubMetrics.TransportViolation.values().length];

  Counters() {
    for (int i = 0; i < resumes.length; i++) {
      resumes[i] = new LongAdder();
    }
    for (int i = 0; i < refusals.length; i++) {
      refusals[i] = new LongAdder();
    }
    for (int i = 0; i < violations.length; i++) {
      violations[i] = new LongAdder();
    }
  }

  void refused(HubMetrics.Refusal why) {
    refusedHandshakes.increment();
    refusals[why.ordinal()].increment();
  }

  void closed(int code) {
    closes.computeIfAbsent(code, c -> new LongAdder()).increment();
  }
}
