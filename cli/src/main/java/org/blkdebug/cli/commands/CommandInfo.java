package org.blkdebug.cli.commands;

/**
 * A command's entry in qemu-io's table ({@code cmdinfo_t}): names, argument limits, the texts
 * {@code help} prints, and when it may run.
 *
 * @param altname    the short alias ({@code r} for {@code read}), or null
 * @param designName the project's spelling of the command ({@code breakpoint} for {@code break}), or
 *                   null: accepted everywhere, shown only by the interactive shell's help and completion
 * @param args       the syntax text ({@code "[-Cq] off len"}), or null when qemu-io has none
 * @param argmax     -1 for "no limit"
 * @param helpText   the extended help text {@code help CMD} prints after the one-liner, or null;
 *                   read when asked ({@link #help}), so a script's start-up reads no help files
 * @param needsFile  false for qemu-io's {@code CMD_NOFILE_OK} commands
 * @param global     qemu-io's {@code CMD_FLAG_GLOBAL}: runs with or without a file, no checks
 * @param writes     the command asks for write permission ({@code .perm = BLK_PERM_WRITE})
 */
public record CommandInfo(String name, String altname, String designName, String args, String oneline, int argmin,
                          int argmax, java.util.function.Supplier<String> helpText, boolean needsFile, boolean global,
                          boolean writes) {

    public static CommandInfo of(String name, String args, String oneline, int argmin, int argmax) {
        return new CommandInfo(name, null, null, args, oneline, argmin, argmax, null, true, false, false);
    }

    public CommandInfo withAlias(String alt) {
        return new CommandInfo(name, alt, designName, args, oneline, argmin, argmax, helpText, needsFile, global, writes);
    }

    public CommandInfo withHelp(String text) {
        return new CommandInfo(name, altname, designName, args, oneline, argmin, argmax, () -> text, needsFile, global,
                writes);
    }

    /** The extended help qemu-io 7.2 prints for {@code command} ({@link HelpText}), read when asked. */
    CommandInfo withHelpOf(String command) {
        return new CommandInfo(name, altname, designName, args, oneline, argmin, argmax, () -> HelpText.of(command),
                needsFile, global, writes);
    }

    /** The extended help text, or null. */
    public String help() {
        return helpText == null ? null : helpText.get();
    }

    public CommandInfo asNoFile() {
        return new CommandInfo(name, altname, designName, args, oneline, argmin, argmax, helpText, false, global, writes);
    }

    public CommandInfo asGlobal() {
        return new CommandInfo(name, altname, designName, args, oneline, argmin, argmax, helpText, needsFile, true, writes);
    }

    public CommandInfo asWriting() {
        return new CommandInfo(name, altname, designName, args, oneline, argmin, argmax, helpText, needsFile, global, true);
    }

    /** The same command, also answering to the project's own spelling of it. */
    public CommandInfo withDesignName(String design) {
        return new CommandInfo(name, altname, design, args, oneline, argmin, argmax, helpText, needsFile, global, writes);
    }

    /**
     * Whether {@code argc} arguments are accepted. qemu-io's limits, except that our
     * {@code wait_break} also takes a timeout (its error texts stay qemu-io's).
     */
    public boolean acceptsArgumentCount(int argc) {
        int max = name.equals("wait_break") ? 2 : argmax;
        return argc >= argmin && (max == -1 || argc <= max);
    }

    public boolean matches(String typed) {
        return name.equals(typed) || typed.equals(altname) || typed.equals(designName);
    }

    /** {@code qemuio_command_usage}: {@code name args -- oneline}. */
    public String usage() {
        return name + " " + (args == null ? "(null)" : args) + " -- " + oneline;
    }

    /** {@code help_oneline} for the name as typed: {@code name [args ]-- oneline}. */
    public String oneLineHelp(String typed) {
        return typed + " " + (args == null ? "" : args + " ") + "-- " + oneline;
    }
}
