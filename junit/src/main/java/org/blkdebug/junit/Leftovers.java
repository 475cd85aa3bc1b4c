package org.blkdebug.junit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.Phase;
import org.blkdebug.engine.RequestInfo;
import org.blkdebug.engine.Rule;

/**
 * What a finished test left behind on its device: requests still suspended and breakpoints never
 * hit. Either means the scenario the test set up did not run as written.
 */
final class Leftovers {
    private Leftovers() {
    }

    /**
     * Waits up to {@code settle} for quiescence first, so a request on its way to a breakpoint is
     * counted as suspended rather than racing the check.
     */
    static List<String> find(Device dev, Duration settle) throws InterruptedException {
        List<String> out = new ArrayList<>();
        if (!dev.awaitQuiescence(settle)) {
            out.add("requests still running after " + settle.toSeconds() + " s: " + dev.requests());
        }
        for (RequestInfo r : dev.requests()) {
            if (r.phase() == Phase.SUSPENDED) {
                out.add("a " + r.op() + " request (offset " + r.offset() + ", " + r.length()
                        + " bytes) suspended at breakpoint '" + r.tag() + "'");
            }
        }
        dev.rules().values().forEach(rules -> rules.forEach(rule -> {
            if (rule instanceof Rule.Suspend s && !s.every()) { // a hold of every request is never "hit" for good
                out.add("breakpoint '" + s.tag() + "' on " + s.event() + " never hit");
            }
        }));
        return out;
    }
}
