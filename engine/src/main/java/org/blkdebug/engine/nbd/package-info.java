/**
 * An NBD server in front of a {@link org.blkdebug.engine.Device}, so real clients (qemu-io,
 * qemu-img, nbdcopy, the kernel's nbd driver) can be stepped through breakpoints. One public
 * class, {@link org.blkdebug.engine.nbd.NbdServer}; the rest is one job a class:
 * <pre>
 * NbdServer   accept loop, connection registry, bounded shutdown
 * Connection  one client: reader thread, dispatch to the device's async API, ending rules
 * RequestReader  the reader's buffered input: several request headers per socket read
 * PayloadBuffers pooled direct buffers for READ/WRITE payloads, with room for the reply header
 * Handshake   fixed newstyle option negotiation
 * Commands    request validation (nbdkit's rules) and the NBD → Device call mapping
 * Replies     reply encoding; replies queued and written in batches under one writer lock
 * InFlight    unanswered requests; each answered exactly once
 * NbdErrors   errno → NBD error
 * Protocol, Wire, RequestHeader, Export   constants, blocking I/O helpers, value types
 * </pre>
 * Path of one request: client socket → RequestReader → Connection → Commands.submit → Device
 * session (request on its own virtual thread: raw → block layer → blkdebug → backend, reading
 * into a pooled direct buffer) → completion → Replies (queue, one gathering write per batch) →
 * client socket. Why each step looks the way it does: docs/perf-notes/nbd.md.
 */
package org.blkdebug.engine.nbd;
