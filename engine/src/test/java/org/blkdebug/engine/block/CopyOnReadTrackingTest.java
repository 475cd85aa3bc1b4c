package org.blkdebug.engine.block;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.blkdebug.engine.Operation;
import org.blkdebug.engine.request.Request;
import org.blkdebug.engine.request.RequestTracker;
import org.junit.jupiter.api.Test;

/**
 * Copy-on-read makes a read serialising (bdrv_aligned_preadv over whole clusters), so a node of
 * request alignment 1 that copies on read must track its requests: the shared untracked marker
 * was made serialising and linked instead, and never ended (the node's count stayed up).
 */
class CopyOnReadTrackingTest {
    @Test
    void aCopyOnReadReadOnANodeOfAlignmentOneIsTrackedAndEnded() throws Exception {
        RawNode raw = new RawNode(new FileNode(new MemoryBackend(64 << 10), false), false);
        raw.enableCopyOnRead();
        RequestTracker tracker = new RequestTracker();
        for (int i = 0; i < 2; i++) {
            Request r = tracker.begin(Operation.READ, 0, 4096, null);
            BlockIo.preadv(raw, r, 0, 4096, IoVec.of(ByteBuffer.allocate(4096)));
            tracker.end(r);
            assertThat(raw.serialisingInFlight).hasValue(0);
        }
        assertThat(Node.UNTRACKED.serialising).isFalse();
        assertThat(Node.UNTRACKED.linked).isFalse();
    }
}
