package org.blkdebug.cli.serve;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether {@code blkdebug serve} runs as a background job of the terminal on its stdin
 * ({@code blkdebug serve ... &} at a shell prompt). There the terminal is not ours to read: the
 * interactive shell's first touch of it (JLine setting its mode) stops the whole process with
 * SIGTTOU, server included, while qemu-nbd, which never reads stdin, serves on. So such a job
 * reads no commands, as a script's background job whose stdin is /dev/null.
 */
final class TerminalJob {
    private TerminalJob() {
    }

    /** True when stdin is our controlling terminal and our process group is not its foreground one. */
    static boolean inBackground() {
        try {
            Object rdev = Files.getAttribute(Path.of("/proc/self/fd/0"), "unix:rdev");
            return rdev instanceof Long r && inBackground(Files.readString(Path.of("/proc/self/stat")), r);
        } catch (IOException | RuntimeException e) {
            return false; // not Linux, or no /proc: as before, a terminal on stdin is read
        }
    }

    /**
     * The same from a {@code /proc/PID/stat} line and the device number of stdin: its terminal
     * ({@code tty_nr}) is stdin's, and its foreground process group ({@code tpgid}) is another.
     */
    static boolean inBackground(String stat, long stdinRdev) {
        // pid (comm) state ppid pgrp session tty_nr tpgid ...; comm may hold spaces and ')'
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        long pgrp = Long.parseLong(f[2]);
        long ttyNr = Long.parseLong(f[4]);
        long tpgid = Long.parseLong(f[5]);
        return ttyNr != 0 && ttyNr == stdinRdev && tpgid > 0 && tpgid != pgrp;
    }
}
