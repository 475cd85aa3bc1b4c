package org.blkdebug.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.blkdebug.engine.BlkDebugListener;
import org.blkdebug.engine.CustomEvent;
import org.blkdebug.engine.Event;
import org.blkdebug.engine.IoType;
import org.blkdebug.engine.Operation;
import org.blkdebug.engine.Rule;
import org.blkdebug.engine.filter.BlkDebugRules;
import org.blkdebug.engine.request.Request;
import org.blkdebug.engine.request.RequestTracker;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The rule engine's two per-request entry points, called directly on the benchmark thread:
 * {@link BlkDebugRules#event} for an event without rules (a lock-free count read), and
 * {@link BlkDebugRules#check} against the armed rules (the offset index: a binary search).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RuleEngineBench {

    /** Rules on another event only: read_aio itself has none, so its event takes the fast path. */
    @State(Scope.Benchmark)
    public static class NoRules {
        BlkDebugRules rules;
        Request request;

        /** A custom event declared at open, with no rule on it. */
        CustomEvent walCommit = new CustomEvent("wal_commit");

        @Setup(Level.Trial)
        public void setUp() {
            rules = new BlkDebugRules(List.of(Rule.InjectError.of(Event.FLUSH_TO_DISK)),
                    List.of(new Rule.SetState(Event.WRITE_AIO, 1, 2)),
                    List.of(walCommit, new CustomEvent("wal_sync")), BlkDebugListener.SILENT);
            request = new RequestTracker().begin(Operation.READ, 0, 4096, null);
        }
    }

    @Benchmark
    public void eventWithoutRules(NoRules s) {
        s.rules.event(Event.READ_AIO, s.request);
    }

    /** The same for a custom event: one lookup that it was declared, then the count. */
    @Benchmark
    public void customEventWithoutRules(NoRules s) {
        s.rules.event(s.walCommit, s.request);
    }

    /**
     * {@code armed} sector rules that never match the request (sectors past the read window),
     * plus, when {@code matching}, four rules in [16 MiB, 32 MiB) that one request in 256 hits (EIO, not once, so the
     * check reports them every time without consuming them).
     */
    @State(Scope.Benchmark)
    public static class Armed {
        /** Sector rules armed by the {@code none} event and never matching. */
        @Param({"0", "100000"})
        public int armed;
        @Param({"false", "true"})
        public boolean matching;

        BlkDebugRules rules;
        Request request;
        /** Where the request reads: 4 KiB inside [0, 16 MiB), rotating so the search varies. */
        long[] offsets;
        int next;

        @Setup(Level.Trial)
        public void setUp() {
            List<Rule.InjectError> injects = new ArrayList<>();
            for (int i = 0; i < armed; i++) {
                // from 32 MiB up, every other sector: sorted offsets, none in the read window
                injects.add(Rule.InjectError.of(Event.NONE).withSector(65536 + 2L * i));
            }
            if (matching) {
                for (int i = 0; i < 4; i++) {
                    injects.add(Rule.InjectError.of(Event.NONE).withSector(40000 + 4000L * i));
                }
            }
            rules = new BlkDebugRules(injects, List.of(), BlkDebugListener.SILENT);
            RequestTracker tracker = new RequestTracker();
            Request open = tracker.begin(Operation.EVENT, 0, 0, null);
            rules.event(Event.NONE, open); // arms every rule, as the open does
            tracker.end(open);
            if (rules.armedRules().size() != injects.size()) {
                throw new IllegalStateException("armed " + rules.armedRules().size());
            }
            request = tracker.begin(Operation.READ, 0, 4096, null);
            offsets = new long[1024];
            for (int i = 0; i < offsets.length; i++) {
                // when matching, 1 in 256 offsets hits one of the 4 rules; the rest miss
                offsets[i] = matching && i % 256 == 0 ? (40000 + 4000L * (i / 256)) * 512 : (i * 4099L % 4096) * 4096;
            }
            rules.check(request, 0, 4096, IoType.READ); // builds the index outside the measurement
        }
    }

    @Benchmark
    public int armedRuleCheck(Armed s) {
        long off = s.offsets[s.next++ & 1023];
        return s.rules.check(s.request, off, 4096, IoType.READ);
    }
}
