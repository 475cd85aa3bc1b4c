/**
 * An NBD server in front of a {@link org.blkdebug.engine.Device}, so real clients (qemu-io,
 * qemu-img, nbdcopy, the kernel's nbd driver) can be stepped through breakpoints. One public
 * class, {@link org.blkdebug.engine.nbd.NbdServer}; the rest is one job a class:
 * <pre>
 * NbdServer   accept loop, connection registry, bounded shutdown
 * Connection  one client: reader thread, dispatch to the device's async API, ending rules
 * Handshake   fixed newstyle option negotiation
 * Commands    request validation (nbdkit's rules) and the NBD → Device call mapping
 * Replies     reply encoding, one writer lock per connection, completion order
 * InFlight    unanswered requests; each answered exactly once
 * NbdErrors   errno → NBD error
 * Protocol, Wire, RequestHeader, Export   constants, blocking I/O helpers, value types
 * </pre>
 * Path of one request: client socket → Connection reader → Commands.submit → Device session
 * (request on its own virtual thread: raw → block layer → blkdebug → backend) → completion →
 * Replies (writer lock) → client socket.
 */
package org.blkdebug.engine.nbd;
