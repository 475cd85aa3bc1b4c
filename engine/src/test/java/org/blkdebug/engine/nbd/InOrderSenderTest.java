package org.blkdebug.engine.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class InOrderSenderTest {
    /** Hand-overs in bursts (the sender ends between them) all run, one at a time, in order. */
    @Test
    void handedOverRepliesRunOneAtATimeInOrder() throws Exception {
        List<Integer> ran = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger running = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        InOrderSender sender = new InOrderSender(e -> {
            throw new AssertionError(e);
        });
        int n = 20_000;
        CountDownLatch done = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            int k = i;
            sender.handOver(() -> {
                if (running.incrementAndGet() != 1) {
                    overlaps.incrementAndGet();
                }
                ran.add(k);
                running.decrementAndGet();
                done.countDown();
            });
            if (i % 100 == 0) {
                Thread.sleep(0, 1000); // let the sender run dry now and then
            }
        }
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(overlaps.get()).isZero();
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            expected.add(i);
        }
        assertThat(ran).isEqualTo(expected);
    }

    /** A reply that throws is reported, and the ones behind it still run: none is stranded. */
    @Test
    void aReplyThatThrowsDoesNotStrandTheOnesBehindIt() throws Exception {
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        InOrderSender sender = new InOrderSender(failures::add);
        CountDownLatch done = new CountDownLatch(1);
        sender.handOver(() -> {
            throw new IllegalStateException("a bug");
        });
        sender.handOver(done::countDown);
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(failures).singleElement().isInstanceOf(IllegalStateException.class);
    }
}
