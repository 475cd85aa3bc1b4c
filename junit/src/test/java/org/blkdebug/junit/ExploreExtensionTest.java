package org.blkdebug.junit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.Device;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInfo;

/** @FailEach and @ExploreOrders as a test sees them: one invocation per choice, named by it. */
class ExploreExtensionTest {
    private static final List<String> FAIL_EACH = new ArrayList<>();
    private static final List<String> ORDERS = new ArrayList<>();

    @FailEach(iotype = "write")
    void eachWriteFailsInItsOwnInvocation(Device dev, TestInfo info) throws Exception {
        int failed = 0;
        for (int i = 0; i < 3; i++) {
            try {
                dev.write(i * 512L, ByteBuffer.allocate(512));
            } catch (BlockException e) {
                failed++;
            }
        }
        FAIL_EACH.add(info.getDisplayName() + " failed " + failed);
    }

    @ExploreOrders(value = "write_aio", settleMillis = 20)
    void twoWritesToOneBlockRunInBothOrders(Device dev, TestInfo info) throws Exception {
        CompletableFuture<Void> a = dev.writeAsync(0, new ByteBuffer[] {ByteBuffer.wrap(new byte[] {1})}, null);
        CompletableFuture<Void> b = dev.writeAsync(0, new ByteBuffer[] {ByteBuffer.wrap(new byte[] {2})}, null);
        a.get();
        b.get();
        ByteBuffer got = ByteBuffer.allocate(1);
        dev.read(0, got);
        ORDERS.add(info.getDisplayName() + " left " + got.get(0));
    }

    private static final List<String> CRASHES = new ArrayList<>();
    private String invocation;

    @CrashEach(value = "flush", check = "whatSurvived")
    void writeFlushWrite(Device dev, TestInfo info) throws Exception {
        invocation = info.getDisplayName();
        dev.write(0, ByteBuffer.wrap(new byte[] {1}));
        dev.flush();
        dev.write(512, ByteBuffer.wrap(new byte[] {2}));
    }

    void whatSurvived(Device after) throws Exception {
        ByteBuffer a = ByteBuffer.allocate(1);
        ByteBuffer b = ByteBuffer.allocate(1);
        after.read(0, a);
        after.read(512, b);
        CRASHES.add(invocation + " left " + a.get(0) + "," + b.get(0));
    }

    @AfterAll
    static void everyChoiceRanOnceUnderItsName() {
        // the last invocation finds no 4th write: the sweep learns so by running it, and stops
        assertThat(FAIL_EACH).containsExactly("[1] base failed 0", "[2] fail:1 failed 1", "[3] fail:2 failed 1",
                "[4] fail:3 failed 1", "[5] fail:4 failed 0");
        assertThat(ORDERS).hasSize(2);
        assertThat(ORDERS.get(0)).isEqualTo("[1] base left 2");
        assertThat(ORDERS.get(1)).isEqualTo("[2] order:w0+1.1 left 1");
        // no crash: closing flushes all; at the flush: the first write was volatile; at the end:
        // the second was; then a run that finds no third point ends the sweep
        assertThat(CRASHES).containsExactly("[1] base left 1,2", "[2] crash:1 left 0,0", "[3] crash:2 left 1,0",
                "[4] crash:3 left 1,2");
    }
}
