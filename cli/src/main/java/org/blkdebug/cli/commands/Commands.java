package org.blkdebug.cli.commands;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The command table: qemu-io 7.2's commands plus our extensions, sorted by name as qemu-io
 * sorts its {@code cmdtab}.
 */
public final class Commands {
    /** qemu's cache mode names for {@code -t}. */
    public static final List<String> CACHE_MODES = List.of("none", "off", "writeback", "writethrough", "unsafe",
            "directsync");

    private static final Set<String> EXTENSIONS = Set.of("event", "is_suspended", "requests", "rules", "state", "record", "serve",
            "crash", "crash-states", "mark", "clock");

    /** A table entry: what it is and how to get a fresh runnable instance. */
    public record Entry(CommandInfo info, Supplier<ShellCommand> factory) {
    }

    private static final List<Entry> TABLE = List.of(
            entry(ReadCommand.INFO, ReadCommand::new),
            entry(ReadvCommand.INFO, ReadvCommand::new),
            entry(WriteCommand.INFO, WriteCommand::new),
            entry(WritevCommand.INFO, WritevCommand::new),
            entry(AioReadCommand.INFO, AioReadCommand::new),
            entry(AioWriteCommand.INFO, AioWriteCommand::new),
            entry(DiscardCommand.INFO, DiscardCommand::new),
            plain(DeviceCommands.AIO_FLUSH, DeviceCommands::aioFlush),
            plain(DeviceCommands.FLUSH, DeviceCommands::flush),
            entry(DeviceCommands.TRUNCATE, DeviceCommands.Truncate::new),
            plain(DeviceCommands.LENGTH, DeviceCommands::length),
            plain(DeviceCommands.INFO, DeviceCommands::info),
            plain(DeviceCommands.MAP, DeviceCommands::map),
            plain(DeviceCommands.ALLOC, DeviceCommands::alloc),
            plain(BreakpointCommands.BREAK, BreakpointCommands::breakpoint),
            plain(BreakpointCommands.REMOVE_BREAK, BreakpointCommands::removeBreak),
            plain(BreakpointCommands.RESUME, BreakpointCommands::resume),
            plain(BreakpointCommands.WAIT_BREAK, BreakpointCommands::waitBreak),
            plain(BreakpointCommands.IS_SUSPENDED, BreakpointCommands::isSuspended),
            plain(BreakpointCommands.EVENT, BreakpointCommands::event),
            plain(SessionCommands.HELP, SessionCommands::help),
            plain(SessionCommands.QUIT, SessionCommands::quit),
            plain(SessionCommands.CLOSE, SessionCommands::close),
            entry(SessionCommands.OPEN, SessionCommands.Open::new),
            plain(SessionCommands.SLEEP, SessionCommands::sleep),
            plain(SessionCommands.ABORT, SessionCommands::abort),
            plain(SessionCommands.SIGRAISE, SessionCommands::sigraise),
            plain(SessionCommands.REOPEN, SessionCommands::reopen),
            plain(SessionCommands.RECORD, SessionCommands::record),
            plain(InspectCommands.REQUESTS, InspectCommands::requests),
            plain(InspectCommands.RULES, InspectCommands::rules),
            plain(InspectCommands.STATE, InspectCommands::state),
            plain(ServeCommand.INFO, ServeCommand::serve),
            plain(FaultCommands.CRASH, FaultCommands::crash),
            plain(FaultCommands.CRASH_STATES, FaultCommands::crashStates),
            plain(FaultCommands.MARK, FaultCommands::mark),
            plain(FaultCommands.CLOCK, FaultCommands::clock))
            // by name; not Comparator.comparing, whose serializable lambda the AOT cache does not keep
            .stream().sorted((a, b) -> a.info().name().compareTo(b.info().name())).toList();

    private Commands() {
    }

    /** A command without options: qemu-io passes its words straight through, no getopt. */
    interface Body {
        int run(Context ctx, List<String> argv) throws InterruptedException;
    }

    private static Entry entry(CommandInfo info, Supplier<ShellCommand> factory) {
        return new Entry(info, factory);
    }

    private static Entry plain(CommandInfo info, Body body) {
        ShellCommand c = body::run;
        return new Entry(info, () -> c);
    }

    public static List<Entry> all() {
        return TABLE;
    }

    public static List<CommandInfo> infos() {
        return TABLE.stream().map(Entry::info).toList();
    }

    /** qemu-io's {@code find_command}: by name or alias. */
    public static Optional<Entry> find(String typed) {
        return TABLE.stream().filter(e -> e.info().matches(typed)).findFirst();
    }

    public static boolean isExtension(String name) {
        return EXTENSIONS.contains(name);
    }
}
