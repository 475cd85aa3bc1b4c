package org.blkdebug.junit.example;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The worked example's file-system variant: {@link WriteAheadLog} records in segment files
 * {@code seg-N}. A new segment is made the careful way — created as {@code seg-N.tmp}, fsynced,
 * renamed into place — and then, only if {@code syncDirectory}, the directory is fsynced. Without
 * that last step the rename (and the create before it) are still volatile when records are
 * acknowledged in the new segment: a crash can take the segment away with its records.
 */
final class SegmentedLog implements AutoCloseable {
    /** Called after each step of {@link #rotate}: a point where a test can look at crash states. */
    @FunctionalInterface
    interface Step {
        void after(String step) throws Exception;
    }

    private final Path dir;
    private final boolean syncDirectory;
    private final Step step;
    private FileChannel channel;
    private WriteAheadLog wal;
    private int segments;

    SegmentedLog(Path dir, boolean syncDirectory, Step step) {
        this.dir = dir;
        this.syncDirectory = syncDirectory;
        this.step = step;
    }

    /** Starts segment {@code seg-N}; later appends go there. */
    void rotate() throws Exception {
        Path tmp = dir.resolve("seg-" + (++segments) + ".tmp");
        Path seg = dir.resolve("seg-" + segments);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        step.after("created " + tmp.getFileName());
        Files.move(tmp, seg, StandardCopyOption.ATOMIC_MOVE);
        step.after("renamed to " + seg.getFileName());
        if (syncDirectory) {
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true); // the rename is durable only now
            }
            step.after("fsynced the directory");
        }
        if (channel != null) {
            channel.close();
        }
        channel = FileChannel.open(seg, StandardOpenOption.READ, StandardOpenOption.WRITE);
        wal = new WriteAheadLog(channel);
    }

    /** Appends and commits one record to the current segment. */
    void append(String record) throws IOException {
        wal.append(record);
    }

    /** Every segment's records, in segment order: what recovery finds in {@code dir}. */
    static List<String> recover(Path dir) throws IOException {
        List<String> out = new ArrayList<>();
        for (int n = 1; ; n++) {
            Path seg = dir.resolve("seg-" + n);
            if (!Files.exists(seg)) {
                if (hasLaterSegment(dir, n)) {
                    continue; // a lost segment in the middle: keep looking
                }
                return out;
            }
            try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.READ)) {
                out.addAll(WriteAheadLog.recover(ch).records());
            }
        }
    }

    private static boolean hasLaterSegment(Path dir, int n) throws IOException {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "seg-*")) {
            for (Path p : s) {
                String name = p.getFileName().toString();
                if (name.matches("seg-[0-9]+") && Integer.parseInt(name.substring(4)) > n) {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.close();
        }
    }
}
