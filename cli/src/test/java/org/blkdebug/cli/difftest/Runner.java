package org.blkdebug.cli.difftest;

import org.blkdebug.cli.conformance.ProcessOutput;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.blkdebug.cli.Main;
import org.blkdebug.cli.report.Console;

/**
 * Runs one session in a directory of its own: with the real qemu-io as a process (stdout
 * line-buffered by {@code stdbuf -oL}, stderr merged into it, as conformance/run-scenario.sh
 * runs it), or with our {@link Main#run} in this JVM (stdout and stderr one stream). Each run
 * starts from a fresh image (raw: zero-filled; qcow2: made by qemu-img create for qemu-io and by
 * our {@code create} for ours) and the rule file, and ends with the image's md5. The output is
 * masked as run-scenario.sh masks it.
 */
class Runner { // not final: DiffTesterFaultTest stands in a runner that fails
    /**
     * What a run left: masked output, exit status (128+N for signal N), image md5, whether it
     * hung, and for a qcow2 image the digest of what its guest reads and how many clusters it
     * counts ({@link Qcow2Extent#guest}; null otherwise).
     */
    record Outcome(String output, int exit, String md5, boolean hung, String qcow2Guest) {
        /** An outcome whose guest content is not known. */
        Outcome(String output, int exit, String md5, boolean hung) {
            this(output, exit, md5, hung, null);
        }

        boolean sameAs(Outcome o) {
            return output.equals(o.output) && exit == o.exit && md5.equals(o.md5) && hung == o.hung;
        }
    }

    static final String QEMU_IO = System.getProperty("difftest.qemu-io", "/usr/bin/qemu-io");
    /** coreutils' libstdbuf, which {@code stdbuf -oL} preloads; null: run stdbuf itself. */
    private static final String STDBUF_LIB = java.util.stream.Stream.of(
                    "/usr/libexec/coreutils/libstdbuf.so", "/usr/lib/coreutils/libstdbuf.so")
            .filter(f -> Files.isReadable(Path.of(f))).findFirst().orElse(null);
    private static final Pattern STATS = Pattern.compile(
            "[0-9]* ops; [0-9/:. sec]* \\([0-9/.inf]* [EPTGMKiBbytes]*/sec and [0-9/.inf]* ops/sec\\)");
    private static final Pattern MACHINE = Pattern.compile(
            "^((?:qemu-io> )*[0-9]+),([0-9]+),[0-9]*:[0-9][0-9]:[0-9][0-9]\\.[0-9][0-9],[0-9.inf]*,[0-9.inf]*$");

    private final long qemuTimeoutMillis;
    private final long oursTimeoutMillis;
    /** How long a qemu-io must stay idle, without output, to be called hung. */
    static final long QUIET_MILLIS = 300;
    /** How often a running qemu-io is looked at. */
    private static final long PROBE_MILLIS = 20;
    /** Whether an idle qemu-io counts as hung before the timeout ({@code -Ddifftest.quick-hangs=false}: never). */
    private final boolean quickHangs = !"false".equals(System.getProperty("difftest.quick-hangs"));
    /** Where the time goes: preparing images, running each program, hashing the image. */
    final Timing timing = new Timing();

    Runner(long qemuTimeoutMillis, long oursTimeoutMillis) {
        this.qemuTimeoutMillis = qemuTimeoutMillis;
        this.oursTimeoutMillis = oursTimeoutMillis;
    }

    static boolean qemuInstalled() {
        return Files.isExecutable(Path.of(QEMU_IO));
    }

    Outcome qemu(Session s, Path dir) throws IOException, InterruptedException {
        return qemu(s, dir, false);
    }

    /**
     * qemu-io with glibc handing out zero-filled memory ({@code MALLOC_PERTURB_=255}: malloc fills
     * with {@code 255 ^ 0xff}): what QEMU does where it uses a buffer a read never filled, as ours
     * does with its zeroed buffers (D22).
     */
    Outcome qemuZeroedMemory(Session s, Path dir) throws IOException, InterruptedException {
        return qemu(s, dir, true);
    }

    private Outcome qemu(Session s, Path dir, boolean zeroedMemory) throws IOException, InterruptedException {
        long t = System.nanoTime();
        prepare(s, dir, true);
        t = timing.add("qemu: prepare (" + s.format() + ")", t);
        List<String> cmd = new ArrayList<>(STDBUF_LIB == null ? List.of("stdbuf", "-oL", QEMU_IO) : List.of(QEMU_IO));
        cmd.addAll(s.argv(dir.toString()));
        return process(s, dir, cmd, true, zeroedMemory, "qemu", t);
    }

    /**
     * Ours in a JVM of its own with QEMU 7.2's padding-read bug kept (BlockIo's
     * {@code blkdebug.qemu72-padding-read}: a write goes on past its failed padding read): what
     * ours does where D2 is the only difference. A system property, so not in this JVM, whose
     * workers run sessions side by side.
     */
    Outcome oursWithQemuPaddingRead(Session s, Path dir) throws IOException, InterruptedException {
        long t = System.nanoTime();
        prepare(s, dir, false);
        t = timing.add("ours: prepare (" + s.format() + ")", t);
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dblkdebug.qemu72-padding-read=true", "-XX:TieredStopAtLevel=1",
                "-cp", ABSOLUTE_CLASS_PATH, Main.class.getName()));
        cmd.addAll(s.argv(dir.toString()));
        return process(s, dir, cmd, false, false, "ours (QEMU's padding read)", t);
    }

    /** This JVM's class path, absolute: the process runs in the session's directory. */
    private static final String ABSOLUTE_CLASS_PATH = java.util.Arrays.stream(
                    System.getProperty("java.class.path").split(java.io.File.pathSeparator))
            .map(e -> Path.of(e).toAbsolutePath().toString())
            .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));

    /** Runs {@code cmd} on the prepared session; {@code stdbuf}: line-buffer its stdio (a C program's). */
    private Outcome process(Session s, Path dir, List<String> cmd, boolean stdbuf, boolean zeroedMemory, String what,
            long t) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        if (STDBUF_LIB != null && stdbuf) {
            // what stdbuf -oL does before it execs the program, without its own exec
            String pre = pb.environment().get("LD_PRELOAD");
            pb.environment().put("LD_PRELOAD", pre == null || pre.isEmpty() ? STDBUF_LIB : pre + ":" + STDBUF_LIB);
            pb.environment().put("_STDBUF_O", "L");
        }
        pb.environment().put("LC_ALL", "C");
        pb.environment().put("LANG", "C");
        pb.environment().put("TZ", "UTC");
        pb.environment().remove("QEMU_IO_OPTIONS");
        if (zeroedMemory) {
            pb.environment().put("MALLOC_PERTURB_", "255");
        } else {
            pb.environment().remove("MALLOC_PERTURB_");
        }
        Path in = dir.resolve(".stdin");
        Files.writeString(in, s.stdin() ? s.stdinText(dir.toString()) : "");
        pb.redirectInput(in.toFile());
        Process p = pb.start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread reader = Thread.ofPlatform().daemon().start(() -> ProcessOutput.copy(p.getInputStream(), out));
        Ended ended = waitFor(p, out, IdleProbe.sleepMillis(s.commands()));
        boolean hung = ended != Ended.EXITED;
        if (hung) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        reader.join(TimeUnit.SECONDS.toMillis(10));
        String text;
        synchronized (out) {
            text = out.toString(StandardCharsets.UTF_8);
        }
        t = timing.add(what + switch (ended) {
            case EXITED -> ": run";
            case IDLE -> ": run (hung: seen idle)";
            case TIMEOUT -> ": run (hung: timeout)";
        }, t);
        Path image = dir.resolve(s.imageName());
        Outcome r = outcome(mask(text, dir), hung ? -1 : p.exitValue(), hung, image);
        timing.add("md5 + mask", t);
        return r;
    }

    /** How a qemu-io run ended: by itself, or called hung because it sat idle or ran out of time. */
    private enum Ended { EXITED, IDLE, TIMEOUT }

    /**
     * Waits for qemu-io to end, or decides that it hangs. A hang is what QEMU does where a script
     * waits for something nothing can bring (D4-D6, D11): it idle-polls for good. So a qemu-io
     * seen idle ({@link IdleProbe}) for {@link #QUIET_MILLIS} without output, after its
     * {@code sleep} commands' time, is hung; without /proc, or while it keeps working, the
     * plain timeout decides.
     */
    private Ended waitFor(Process p, ByteArrayOutputStream out, long sleepMillis) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(qemuTimeoutMillis);
        long earliest = start + TimeUnit.MILLISECONDS.toNanos(Math.min(sleepMillis, qemuTimeoutMillis) + QUIET_MILLIS);
        boolean probe = quickHangs && IdleProbe.available();
        IdleProbe.Sample idle = null;
        long idleSince = 0;
        while (true) {
            long now = System.nanoTime();
            if (now >= deadline) {
                return p.waitFor(0, TimeUnit.MILLISECONDS) ? Ended.EXITED : Ended.TIMEOUT;
            }
            if (p.waitFor(probe ? Math.min(PROBE_MILLIS, TimeUnit.NANOSECONDS.toMillis(deadline - now) + 1)
                    : TimeUnit.NANOSECONDS.toMillis(deadline - now) + 1, TimeUnit.MILLISECONDS)) {
                return Ended.EXITED;
            }
            if (!probe) {
                continue;
            }
            int bytes;
            synchronized (out) {
                bytes = out.size();
            }
            IdleProbe.Sample x = IdleProbe.sample(p.pid(), bytes);
            now = System.nanoTime();
            if (x == null || !x.allAsleep() || idle == null || !idle.sameWork(x)) {
                idle = x != null && x.allAsleep() ? x : null;
                idleSince = now;
            } else if (now - idleSince >= TimeUnit.MILLISECONDS.toNanos(QUIET_MILLIS) && now >= earliest) {
                return Ended.IDLE;
            }
        }
    }

    Outcome ours(Session s, Path dir) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        prepare(s, dir, false);
        t0 = timing.add("ours: prepare (" + s.format() + ")", t0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Console console = new Console(out, out, StandardCharsets.UTF_8);
        String[] argv = s.argv(dir.toString()).toArray(String[]::new);
        InputStream stdin = new ByteArrayInputStream(
                (s.stdin() ? s.stdinText(dir.toString()) : "").getBytes(StandardCharsets.UTF_8));
        int[] status = {-1};
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t = Thread.ofPlatform().daemon().name("difftest-ours").start(() -> {
            try {
                status[0] = Main.run(argv, console, stdin, false);
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        boolean hung = !t.join(java.time.Duration.ofMillis(oursTimeoutMillis));
        if (hung) {
            t.interrupt();
            t.join(5000);
        }
        String text;
        synchronized (out) {
            text = out.toString(StandardCharsets.UTF_8);
        }
        if (thrown.get() != null) {
            text += "[exception escaped Main.run: " + thrown.get() + "]\n";
        }
        t0 = timing.add(hung ? "ours: run (hung)" : "ours: run", t0);
        Path image = dir.resolve(s.imageName());
        Outcome r = outcome(mask(text, dir), hung ? -1 : status[0], hung, image);
        timing.add("md5 + mask", t0);
        return r;
    }

    /** qemu-img create's image per shape (options and size), made on first use. */
    private static final Map<String, byte[]> QCOW2_TEMPLATES = new ConcurrentHashMap<>();

    private static byte[] qcow2Template(List<String> args, long size) throws IOException, InterruptedException {
        String key = args + " " + size;
        byte[] b = QCOW2_TEMPLATES.get(key);
        if (b != null) {
            return b;
        }
        Path dir = Files.createTempDirectory(Path.of(DiffTester.tempRoot()), "difftest-qcow2");
        try {
            Path img = dir.resolve("t.qcow2");
            List<String> cmd = new ArrayList<>(List.of("qemu-img", "create"));
            cmd.addAll(args);
            cmd.add(img.toString());
            cmd.add(Long.toString(size));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("qemu-img create failed: " + cmd);
            }
            b = Files.readAllBytes(img);
        } finally {
            DiffTester.deleteTree(dir);
        }
        QCOW2_TEMPLATES.putIfAbsent(key, b);
        return b;
    }

    /** A fresh directory content: the image, the rule file; nothing else. */
    private static void prepare(Session s, Path dir, boolean forQemu) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.delete(f);
            }
        }
        Path img = dir.resolve(s.imageName());
        if (s.format().equals("qcow2")) {
            List<String> args = new ArrayList<>(List.of("-q", "-f", "qcow2"));
            if (!s.qcow2Opts().isEmpty()) {
                args.add("-o");
                args.add(s.qcow2Opts());
            }
            if (forQemu) {
                // qemu-img create writes the same bytes for the same size and options (no
                // timestamp, no holes): made once per shape, then written out as a new file
                Files.write(img, qcow2Template(args, s.size()));
            } else {
                args.add(img.toString());
                args.add(Long.toString(s.size()));
                ByteArrayOutputStream sink = new ByteArrayOutputStream();
                PrintStream ps = new PrintStream(sink, true, StandardCharsets.UTF_8);
                if (org.blkdebug.cli.create.Create.run(args.toArray(String[]::new), ps, ps) != 0) {
                    throw new IOException("blkdebug create failed: " + args + ": " + sink);
                }
            }
        } else {
            try (var f = new java.io.RandomAccessFile(img.toFile(), "rw")) {
                f.setLength(s.size());
            }
        }
        if (s.rules() != null) {
            Files.writeString(dir.resolve("rules.conf"), s.rules());
        }
    }

    /**
     * conformance/run-scenario.sh's mask: the statistics line, -C lines, the temp dir. A -C line
     * behind stdin mode's prompts is masked too (run-scenario.sh's sed anchors it at the line's
     * start; aio_write -z's bogus elapsed time there would make any such golden nondeterministic).
     */
    static String mask(String text, Path dir) {
        String d = dir.toString();
        String[] lines = text.split("\n", -1);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines.length; i++) {
            String l = STATS.matcher(lines[i]).replaceFirst("X ops; XX:XX:XX.X (XXX YYY/sec and XXX ops/sec)");
            l = MACHINE.matcher(l).replaceFirst("$1,X,XX:XX:XX.X,XXX,XXX");
            sb.append(l.replace(d, "TEST_DIR"));
            if (i < lines.length - 1) {
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    /** The outcome of a run, with the image's md5. */
    private static Outcome outcome(String output, int exit, boolean hung, Path image) {
        try {
            byte[] b = Files.exists(image) ? Files.readAllBytes(image) : new byte[0];
            return new Outcome(output, exit, md5(b, b.length), hung, Qcow2Extent.guest(b));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String md5(byte[] b, int n) {
        try {
            MessageDigest md = MessageDigest.getInstance("MD5");
            md.update(b, 0, n);
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String firstDifference(String a, String b) {
        String[] x = a.split("\n", -1);
        String[] y = b.split("\n", -1);
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            String l = i < x.length ? x[i] : "<end>";
            String r = i < y.length ? y[i] : "<end>";
            if (!l.equals(r)) {
                return "line " + (i + 1) + ": qemu-io '" + l + "' / ours '" + r + "'";
            }
        }
        return Arrays.equals(x, y) ? "" : "?";
    }
}
