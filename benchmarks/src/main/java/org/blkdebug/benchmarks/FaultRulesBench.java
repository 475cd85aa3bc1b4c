package org.blkdebug.benchmarks;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.blkdebug.engine.BlkDebugListener;
import org.blkdebug.engine.Event;
import org.blkdebug.engine.IoType;
import org.blkdebug.engine.Operation;
import org.blkdebug.engine.Rule;
import org.blkdebug.engine.filter.BlkDebugRules;
import org.blkdebug.engine.request.Request;
import org.blkdebug.engine.request.RequestTracker;
import org.blkdebug.engine.time.RequestClock;
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
 * What delay and probability rules cost the requests they do not match (docs/faults.md):
 * <ul>
 *   <li>{@code eventWithoutRules}: read_aio fires while delay and probabilistic rules sit on
 *       other events: the fast path, a count read, no lock (target: under 10 ns);</li>
 *   <li>{@code eventWithADelayForOthers}: read_aio has a delay rule for another sector: the event
 *       takes the rule walk (as a set-state rule would) and sleeps nothing;</li>
 *   <li>{@code armedCheck}: the request-time check against an armed rule that does not match
 *       its offset, QEMU's rule or one with a probability (which then never draws).</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FaultRulesBench {

    @State(Scope.Benchmark)
    public static class Rules {
        /** "none": QEMU's rules only; "delay+probability": ours too, on other events and sectors. */
        @Param({"none", "delay+probability"})
        public String extra;

        BlkDebugRules rules;
        Request request;

        @Setup(Level.Trial)
        public void setUp() {
            boolean ours = extra.equals("delay+probability");
            List<Rule.InjectError> injects = List.of(Rule.InjectError.of(Event.NONE).withSector(1 << 20)
                    .withProbability(ours ? 0.5 : 1));
            List<Rule.InjectDelay> delays = ours
                    ? List.of(Rule.InjectDelay.of(Event.WRITE_AIO, Duration.ofMillis(10)),
                            Rule.InjectDelay.of(Event.READ_AIO, Duration.ofMillis(10)).withSector(1 << 20)
                                    .withProbability(0.5))
                    : List.of();
            RequestTracker tracker = new RequestTracker();
            rules = new BlkDebugRules(injects, List.of(new Rule.SetState(Event.FLUSH_TO_DISK, 1, 2)), List.of(),
                    delays, 42, RequestClock.wall(tracker), BlkDebugListener.SILENT);
            Request open = tracker.begin(Operation.EVENT, 0, 0, null);
            rules.event(Event.NONE, open); // arms the inject rule, as the open does
            tracker.end(open);
            request = tracker.begin(Operation.READ, 0, 4096, null);
        }
    }

    @Benchmark
    public void eventWithoutRules(Rules s) {
        s.rules.event(Event.FLUSH_TO_OS, s.request);
    }

    @Benchmark
    public void eventWithADelayForOthers(Rules s) {
        s.rules.event(Event.READ_AIO, s.request);
    }

    @Benchmark
    public int armedCheck(Rules s) {
        return s.rules.check(s.request, 0, 4096, IoType.READ);
    }
}
