package org.blkdebug.cli.shell;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.blkdebug.cli.commands.CommandInfo;
import org.blkdebug.cli.commands.Commands;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.CustomEvent;
import org.blkdebug.engine.Event;
import org.blkdebug.engine.RequestInfo;
import org.blkdebug.engine.Rule;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.LineReader;
import org.jline.reader.ParsedLine;

/**
 * Tab completion: command names first, then event names (QEMU's, then the device's custom
 * ones) after {@code break} and {@code event}, and the live tags
 * (armed breakpoints and suspended requests) after {@code resume}, {@code remove_break},
 * {@code wait_break} and {@code is_suspended} (also when typed by their design names, {@code breakpoint},
 * {@code remove-breakpoint}, {@code is-suspended}).
 */
final class ShellCompleter implements Completer {
    private static final Set<String> TAG_COMMANDS = Set.of("resume", "remove_break", "wait_break", "is_suspended");

    private final Shell shell;

    ShellCompleter(Shell shell) {
        this.shell = shell;
    }

    @Override
    public void complete(LineReader reader, ParsedLine line, List<Candidate> candidates) {
        List<String> words = line.words();
        int index = line.wordIndex();
        if (index == 0) {
            for (CommandInfo c : Commands.infos()) {
                candidates.add(new Candidate(c.name(), c.name(), null, c.oneline(), null, null, true));
                if (c.designName() != null) {
                    candidates.add(new Candidate(c.designName(), c.designName(), null, c.oneline(), null, null, true));
                }
            }
            return;
        }
        // by the command's own name, whichever of its names was typed
        String command = Commands.find(words.getFirst()).map(e -> e.info().name()).orElse(words.getFirst());
        if ((command.equals("break") || command.equals("event")) && index == 1) {
            for (Event e : Event.values()) {
                candidates.add(new Candidate(e.qemuName()));
            }
            Device device = shell.device();
            if (device != null) {
                for (CustomEvent c : device.customEvents()) {
                    candidates.add(new Candidate(c.name()));
                }
            }
        } else if (TAG_COMMANDS.contains(command) && index == 1) {
            for (String tag : liveTags(shell.device())) {
                candidates.add(new Candidate(tag));
            }
        } else if (command.equals("help") && index == 1) {
            for (CommandInfo c : Commands.infos()) {
                candidates.add(new Candidate(c.name()));
            }
        }
    }

    static Set<String> liveTags(Device device) {
        Set<String> tags = new LinkedHashSet<>();
        if (device == null || !device.hasBlkDebug()) {
            return tags;
        }
        for (RequestInfo r : device.requests()) {
            if (r.tag() != null) {
                tags.add(r.tag());
            }
        }
        for (List<Rule> rules : device.rules().values()) {
            for (Rule r : rules) {
                if (r instanceof Rule.Suspend s) {
                    tags.add(s.tag());
                }
            }
        }
        return tags;
    }
}
