/**
 * The Autobahn TestSuite's application ({@link dev.hubcast.testkit.autobahn.AutobahnEcho}) and the
 * summary of its report ({@link dev.hubcast.testkit.autobahn.AutobahnSummary}), used by the
 * adapters' {@code autobahn} Maven profiles. The echo hub is thread-safe; the summary runs on the
 * calling thread.
 */
package dev.hubcast.testkit.autobahn;
