/**
 * An NBD server in front of a {@link org.blkdebug.engine.Device}, so real clients (qemu-io,
 * qemu-img, nbdcopy, the kernel's nbd driver) can be stepped through breakpoints. One public
 * class, {@link org.blkdebug.engine.nbd.NbdServer}; the rest is one job a class:
 * <pre>
 * NbdServer   accept loop, connection registry and limit, bounded shutdown, dropConnections (a crash),
 *             captive commands (nbdkit's --run)
 * Connection  one client: reader thread (at most 16 requests ahead of its replies), dispatch to the
 *             device's async API, ending rules
 * RequestReader  the reader's buffered input: several request headers per socket read
 * PayloadBuffers buffers sized to each READ/WRITE payload, pooled, with room for the reply header
 * Handshake   fixed newstyle option negotiation, metadata contexts (base:allocation)
 * Commands    request validation and the NBD → Device call mapping (qemu-nbd's)
 * Replies     reply encoding; replies queued and written in batches under one writer lock
 * InOrderSender  the replies the reader hands over (refusals, requests done before it looked),
 *             sent off the reader in request order
 * InFlight    unanswered requests; each answered exactly once; the reader's bound
 * NbdErrors   errno → NBD error (qemu-nbd's mapping)
 * Protocol, Wire, RequestHeader, Export   constants, blocking I/O helpers, value types
 * </pre>
 * Path of one request: client socket → RequestReader → Connection → Commands.submit → Device
 * session (request on its own virtual thread: raw → block layer → blkdebug → backend, reading
 * into a pooled direct buffer) → completion → Replies (queue, one gathering write per batch) →
 * client socket. Why each step looks the way it does: docs/perf-notes/nbd.md.
 */
package org.blkdebug.engine.nbd;
