package org.blkdebug.engine.nbd;

import java.io.IOException;

/** The client broke the protocol in a way no reply can answer: the connection is dropped. */
final class NbdProtocolException extends IOException {
    NbdProtocolException(String message) {
        super(message);
    }
}
