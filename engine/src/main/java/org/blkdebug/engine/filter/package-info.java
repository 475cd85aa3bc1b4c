/**
 * Internal: the blkdebug filter's rule engine: rules per event, the state machine, the armed
 * inject-error rules and the tag gates of suspended requests. Not API.
 */
package org.blkdebug.engine.filter;
