package org.blkdebug.engine.filter;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.blkdebug.engine.Event;
import org.blkdebug.engine.IoType;
import org.blkdebug.engine.Rule;
import org.junit.jupiter.api.Test;

/** The offset index answers exactly what QEMU's linear first-match scan answers. */
class ArmedRulesTest {

    static Rule.InjectError linearFirst(List<Rule.InjectError> list, long off, long bytes, IoType t) {
        for (Rule.InjectError r : list) {
            if (ArmedRules.matches(r, off, bytes, t)) {
                return r;
            }
        }
        return null;
    }

    @Test
    void indexedFirstMatchEqualsLinearScan() {
        long seed = Long.getLong("tests.seed", System.nanoTime());
        Random rnd = new Random(seed);
        for (int round = 0; round < 50; round++) {
            List<Rule.InjectError> walk = new ArrayList<>();
            int n = 16 + rnd.nextInt(300);
            for (int i = 0; i < n; i++) {
                long sector = rnd.nextInt(10) == 0 ? -1 : rnd.nextInt(64);
                IoType t = IoType.values()[rnd.nextInt(IoType.values().length)];
                walk.add(Rule.InjectError.of(Event.NONE).withSector(sector).withIoType(t).withErrno(i + 1));
            }
            ArmedRules armed = new ArmedRules();
            armed.replaceInWalkOrder(walk);
            List<Rule.InjectError> order = new ArrayList<>(walk.reversed());
            for (int q = 0; q < 200; q++) {
                long off = rnd.nextInt(64 * 512);
                long bytes = rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(8192);
                IoType t = IoType.values()[rnd.nextInt(IoType.values().length)];
                assertThat(armed.firstMatch(off, bytes, t)).as("seed %d", seed)
                        .isSameAs(linearFirst(order, off, bytes, t));
            }
            Rule.InjectError gone = order.get(rnd.nextInt(order.size()));
            armed.remove(gone);
            order.remove(gone);
            assertThat(armed.firstMatch(0, 64 * 512, IoType.READ)).as("seed %d", seed)
                    .isSameAs(linearFirst(order, 0, 64 * 512, IoType.READ));
        }
    }
}
