/**
 * Test support for Hubcast: the kits every transport adapter runs, and the clients and transport
 * they and applications' tests use.
 *
 * <h2>Kits</h2>
 *
 * <ul>
 *   <li>{@link dev.hubcast.testkit.TransportCompatibilityKit}: the conformance kit. An adapter
 *       extends it and overrides one factory method, {@code start(hub)}, returning a {@link
 *       dev.hubcast.testkit.TestServer}. Its groups are the contracts {@link
 *       dev.hubcast.testkit.DeliveryContract}, {@link dev.hubcast.testkit.LimitsContract}, {@link
 *       dev.hubcast.testkit.FlowControlContract}, {@link dev.hubcast.testkit.HandshakeContract},
 *       {@link dev.hubcast.testkit.ConnectionRulesContract} (the SPI's numbered rules, each failing
 *       within seconds) and {@link dev.hubcast.testkit.LifecycleContract}. After every test the
 *       fixture fails if the hub counted a transport violation.
 *   <li>{@link dev.hubcast.testkit.HardeningKit}: abuse and faults, run the same way; its WebSocket
 *       section is skipped on a transport without a WebSocket socket. Its contracts: {@link
 *       dev.hubcast.testkit.RawFramesContract}, {@link
 *       dev.hubcast.testkit.MalformedHandshakeContract}, {@link
 *       dev.hubcast.testkit.RateAndTimeLimitsContract} and {@link
 *       dev.hubcast.testkit.FaultsUnderLoadContract}.
 *   <li>A transport that is not a WebSocket says what its clients cannot do through {@link
 *       dev.hubcast.testkit.TestServer}'s capability methods; the kits skip what needs it, saying
 *       why.
 *   <li>{@link dev.hubcast.testkit.KitFixture}: what both kits stand on (hubs served on the
 *       transport under test, tagged clients, everything closed after the test, Awaitility waits
 *       for hub state). A contract is an interface of default {@code @Test} methods that reaches
 *       the fixture through {@code kit()}, so a test class may also implement a single contract.
 * </ul>
 *
 * <h2>Clients and transports</h2>
 *
 * <ul>
 *   <li>{@link dev.hubcast.testkit.JdkWebSocketClient}: a real client on the JDK's {@code
 *       java.net.http.WebSocket}, which can stop reading to play a slow consumer.
 *   <li>{@link dev.hubcast.testkit.RawWebSocket}: a hand-written client on a plain socket, for what
 *       a well-behaved client never sends.
 *   <li>{@link dev.hubcast.testkit.InMemoryTransport} and its {@link
 *       dev.hubcast.testkit.InMemoryClient}: a transport without sockets, for fast tests of an
 *       application's handlers.
 *   <li>{@link dev.hubcast.testkit.RedisServer}: a real {@code redis-server} process for tests.
 * </ul>
 *
 * <h2>Threading</h2>
 *
 * <p>The kits, their contracts and {@code KitFixture} are driven by JUnit, one test at a time per
 * instance; a test may start threads of its own (the kits do, to broadcast concurrently). {@code
 * TestClient}s ({@code JdkWebSocketClient}, {@code InMemoryClient}), {@code TestServer}s and {@code
 * InMemoryTransport} are thread-safe. {@code RawWebSocket} and {@code RedisServer} are for one
 * thread. Every wait is bounded: on events with blocking waits and a deadline, on state (a hub's
 * registry, its metrics) with Awaitility; none sleeps.
 */
package dev.hubcast.testkit;
