package org.blkdebug.cli.commands;

import java.util.List;
import java.util.Map;

import org.blkdebug.cli.report.Console;
import org.blkdebug.engine.EventName;
import org.blkdebug.engine.IoType;
import org.blkdebug.engine.RequestInfo;
import org.blkdebug.engine.Rule;

/** Our extensions that show the device's inside: requests, rules, state. */
final class InspectCommands {
    private InspectCommands() {
    }

    static final CommandInfo REQUESTS = CommandInfo.of("requests", null,
            "lists every in-flight request (blkdebug extension)", 0, 0);
    static final CommandInfo RULES = CommandInfo.of("rules", null,
            "lists the rules per event and the armed inject-error rules (blkdebug extension)", 0, 0);
    static final CommandInfo STATE = CommandInfo.of("state", null, "prints the blkdebug state (blkdebug extension)", 0, 0);

    static int requests(Context ctx, List<String> argv) {
        Console out = ctx.console();
        List<RequestInfo> all = ctx.device().requests();
        if (all.isEmpty()) {
            out.println("no requests in flight");
            return ShellCommand.OK;
        }
        out.println(String.format("%-6s %-12s %12s %10s %-10s %-10s %s", "id", "op", "offset", "length", "phase", "tag", "origin"));
        for (RequestInfo r : all) {
            out.println(String.format("%-6d %-12s %12d %10d %-10s %-10s %s", r.id(), r.op(), r.offset(), r.length(),
                    r.phase().name().toLowerCase(java.util.Locale.ROOT), r.tag() == null ? "-" : r.tag(),
                    r.origin() == null ? "-" : r.origin()));
        }
        return ShellCommand.OK;
    }

    static int rules(Context ctx, List<String> argv) {
        Console out = ctx.console();
        if (!ctx.device().hasBlkDebug()) {
            out.println("no blkdebug filter in this device");
            return ShellCommand.OK;
        }
        Map<EventName, List<Rule>> rules = ctx.device().rules();
        boolean any = false;
        for (Map.Entry<EventName, List<Rule>> e : rules.entrySet()) {
            if (e.getValue().isEmpty()) {
                continue;
            }
            any = true;
            out.println(e.getKey().eventName() + ":");
            for (Rule r : e.getValue()) {
                out.println("  " + describe(r));
            }
        }
        if (!any) {
            out.println("no rules");
        }
        List<Rule.InjectError> armed = ctx.device().armedRules();
        out.println(armed.isEmpty() ? "armed: none" : "armed:");
        for (Rule.InjectError r : armed) {
            out.println("  " + describe(r));
        }
        return ShellCommand.OK;
    }

    static int state(Context ctx, List<String> argv) {
        ctx.console().println("state " + ctx.device().state());
        return ShellCommand.OK;
    }

    static String describe(Rule r) {
        return switch (r) {
            case Rule.Suspend s -> "break tag=" + s.tag() + (s.every() ? " every request (tag#id)" : "");
            case Rule.SetState s -> "set-state state=" + s.state() + " new_state=" + s.newState();
            case Rule.InjectError i -> "inject-error event=" + i.event().eventName() + " state=" + i.state()
                    + " iotype=" + iotypes(i.iotypeMask()) + " errno=" + i.errno() + " sector=" + i.sector()
                    + " once=" + (i.once() ? "on" : "off") + " immediately=" + (i.immediately() ? "on" : "off")
                    + probability(i.probability())
                    + (i.skip() == 0 ? "" : " skip=" + Long.toUnsignedString(i.skip()));
            case Rule.InjectDelay d -> "inject-delay event=" + d.event().eventName() + " state=" + d.state()
                    + " iotype=" + (d.iotypeMask() == Rule.InjectDelay.ANY_IOTYPE ? "any" : iotypes(d.iotypeMask()))
                    + " sector=" + d.sector() + " once=" + (d.once() ? "on" : "off")
                    + " delay=" + delay(d.delayNanos()) + probability(d.probability());
        };
    }

    /** Only shown when below 1, so QEMU's rules print as before. */
    private static String probability(double p) {
        return p < 1 ? " probability=" + p : "";
    }

    /** The largest unit that divides the delay: 10ms, 1500us, 2s. */
    static String delay(long nanos) {
        if (nanos != 0 && nanos % 1_000_000_000L == 0) {
            return nanos / 1_000_000_000L + "s";
        }
        if (nanos % 1_000_000L == 0) {
            return nanos / 1_000_000L + "ms";
        }
        if (nanos % 1_000L == 0) {
            return nanos / 1_000L + "us";
        }
        return nanos + "ns";
    }

    private static String iotypes(int mask) {
        if (mask == IoType.DEFAULT_MASK) {
            return "default";
        }
        StringBuilder sb = new StringBuilder();
        for (IoType t : IoType.values()) {
            if ((mask & t.bit()) != 0) {
                sb.append(sb.isEmpty() ? "" : "|").append(t.qemuName());
            }
        }
        return sb.toString();
    }
}
