/**
 * Internal: in-flight requests, their phases, the parking handshake every wait uses, and the
 * tracker behind {@link org.blkdebug.engine.Device#awaitQuiescence}. Not API.
 */
package org.blkdebug.engine.request;
