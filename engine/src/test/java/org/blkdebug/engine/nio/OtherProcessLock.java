package org.blkdebug.engine.nio;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

/**
 * Another process's view of a file's locks, for {@link FileSystemLocksTest}: a second JVM that
 * either probes the whole-file lock ({@code probe}: prints {@code free} or {@code held}) or holds
 * it until its standard input closes ({@code hold}: prints {@code locked} once it has it).
 */
final class OtherProcessLock implements AutoCloseable {
    private final Process process;
    private final BufferedReader out;

    private OtherProcessLock(String mode, Path file) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        process = new ProcessBuilder(java, "-Xshare:auto", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), OtherProcessLock.class.getName(), mode, file.toString())
                .redirectErrorStream(true).start();
        out = new BufferedReader(new InputStreamReader(process.getInputStream()));
    }

    /** "free" or "held": whether another process could take an exclusive lock on {@code file} now. */
    static String probe(Path file) throws Exception {
        try (OtherProcessLock p = new OtherProcessLock("probe", file)) {
            return p.out.readLine();
        }
    }

    /** Another process that holds an exclusive lock on {@code file} until closed. */
    static OtherProcessLock hold(Path file) throws IOException {
        OtherProcessLock p = new OtherProcessLock("hold", file);
        String line = p.out.readLine();
        if (!"locked".equals(line)) {
            p.close();
            throw new IOException("the other process did not lock " + file + ": " + line);
        }
        return p;
    }

    @Override
    public void close() throws IOException {
        process.getOutputStream().close();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    public static void main(String[] args) throws IOException {
        try (FileChannel ch = FileChannel.open(Path.of(args[1]), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FileLock l = ch.tryLock();
            if (args[0].equals("probe")) {
                System.out.println(l == null ? "held" : "free");
                return;
            }
            System.out.println(l == null ? "not locked" : "locked");
            System.out.flush();
            System.in.readAllBytes(); // until the test closes our stdin
        }
    }
}
