package org.blkdebug.cli.difftest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Tells a qemu-io that hangs from one that is slow, by what Linux says of it (/proc): a hung
 * qemu-io is idle-polling — its main thread asleep in ppoll, every other thread asleep on a
 * futex, no CPU time and no read/write syscalls added. One that still works has a thread
 * runnable (R) or in an uninterruptible I/O wait (D: a pool worker in fdatasync/pread) or
 * moves its counters. A {@code sleep N} command is idle too; the caller waits that long first.
 */
final class IdleProbe {
    /** What the process looked like at one sample; equal samples with all threads asleep mean no progress. */
    record Sample(boolean allAsleep, long cpuTicks, long syscalls, int outputBytes) {
        boolean sameWork(Sample o) {
            return cpuTicks == o.cpuTicks && syscalls == o.syscalls && outputBytes == o.outputBytes;
        }
    }

    private IdleProbe() {
    }

    /** True when /proc answers for our own process, so samples can be taken at all. */
    static boolean available() {
        return Files.isReadable(Path.of("/proc/self/io")) && Files.isDirectory(Path.of("/proc/self/task"));
    }

    /** The process's state now, or null when it is gone (or /proc cannot tell). */
    static Sample sample(long pid, int outputBytes) {
        Path proc = Path.of("/proc", Long.toString(pid));
        boolean asleep = true;
        long ticks = 0;
        try (Stream<Path> tasks = Files.list(proc.resolve("task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                String stat = Files.readString(t.resolve("stat"));
                // after "(comm) ": state, then fields 4..; utime and stime are fields 14 and 15
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                asleep &= f[0].equals("S");
                ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
            }
            long syscalls = 0;
            for (String line : Files.readAllLines(proc.resolve("io"))) {
                if (line.startsWith("syscr:") || line.startsWith("syscw:")) {
                    syscalls += Long.parseLong(line.substring(6).trim());
                }
            }
            return new Sample(asleep, ticks, syscalls, outputBytes);
        } catch (IOException | RuntimeException e) {
            return null; // exited between the listing and the reads, or a format we do not know
        }
    }

    /** The milliseconds of {@code sleep N} commands in a session: idle time that is not a hang. */
    static long sleepMillis(List<String> commands) {
        long ms = 0;
        for (String c : commands) {
            String[] w = c.trim().split("\\s+");
            if (w[0].equals("sleep")) {
                if (w.length != 2 || !w[1].matches("[0-9]{1,7}")) {
                    return Long.MAX_VALUE / 4; // a suffix or an odd form: do not guess how long it idles
                }
                ms += Long.parseLong(w[1]);
            }
        }
        return ms;
    }
}
