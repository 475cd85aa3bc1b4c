package org.blkdebug.cli.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replays every conformance scenario ({@code conformance/scenarios/NNN-name.sh}) through our
 * {@code org.blkdebug.cli.Main} and compares the masked output with the golden that the real
 * qemu-io 7.2 produced ({@code NNN-name.out}, written only by {@code conformance/regen-goldens.sh}).
 * See conformance/README.md.
 *
 * <p>A scenario whose header says {@code # difference: Dn} hits a QEMU behaviour we deliberately
 * fix (docs/differences-from-qemu.md): ours must equal the hand-written {@code NNN-name.blkdebug.out},
 * and that file must really differ from QEMU's golden.
 *
 * <p>A scenario that leaves qcow2 images has a second golden, {@code NNN-name.check}: the real
 * {@code qemu-img check} of each image after qemu-io's run (regen-goldens.sh). Its second test,
 * {@code NNN-name: qemu-img check}, runs the same check on the images ours left and compares:
 * clean where QEMU's are clean, the same leaks and corruptions where an injected error left them.
 * It needs qemu-img and is skipped, saying so, without it. For a {@code # difference} scenario whose
 * images differ from QEMU's, the expectation is the hand-written {@code NNN-name.blkdebug.check},
 * which must differ from QEMU's.
 *
 * <p>Needs bash and coreutils, not QEMU. Every scenario runs under a wall-clock limit
 * ({@code -Dconformance.timeout.seconds}, default 180); one scenario can be picked with
 * {@code -Dconformance.only=NNN}; each program call inside a scenario is limited to
 * {@code -Dconformance.call.timeout.seconds} (default 20) and then shows up as {@code [exit 124]}.
 */
class ConformanceTest {

    private static final Pattern DIFFERENCE = Pattern.compile("^# difference: ([DQ]\\d+)\\s*$", Pattern.MULTILINE);
    private static final long TIMEOUT_SECONDS = Long.getLong("conformance.timeout.seconds", 180);
    /** Per program invocation inside a scenario (run-scenario.sh's timeout; a hang prints "[exit 124]"). */
    private static final long CALL_TIMEOUT_SECONDS = Long.getLong("conformance.call.timeout.seconds", 20);

    private static final Pattern QCOW2_IMAGES = Pattern.compile("^# image-format: qcow2|\\$MKQCOW2", Pattern.MULTILINE);

    @TempDir
    static Path launcherDir;

    /** What {@code qemu-img check} said of the images each scenario left with ours, by scenario. */
    private final Map<String, String> checks = new ConcurrentHashMap<>();

    @TestFactory
    Stream<DynamicTest> scenariosMatchGoldens() throws IOException {
        Path root = repoRoot();
        Path launcher = writeLauncher(launcherDir);
        String only = System.getProperty("conformance.only", "");
        boolean qemuImg = onPath("qemu-img");
        return scenarios(root).stream()
                .filter(sc -> only.isEmpty() || baseName(sc).startsWith(only))
                .flatMap(sc -> {
                    String name = baseName(sc);
                    Path checkGolden = sc.resolveSibling(name + ".check");
                    boolean check = Files.isRegularFile(checkGolden);
                    DynamicTest output = DynamicTest.dynamicTest(name, sc.toUri(),
                            () -> checkScenario(root, launcher, sc, check && qemuImg ? checks : null));
                    if (!check) {
                        return Stream.of(output);
                    }
                    // Runs after the scenario's own test (dynamic tests of one factory run in order).
                    return Stream.of(output, DynamicTest.dynamicTest(name + ": qemu-img check", checkGolden.toUri(),
                            () -> imagesCheckAsQemusDo(name, checkGolden, qemuImg)));
                });
    }

    /**
     * D2 is the whole of each D2 scenario's difference: ours with QEMU 7.2's padding-read bug kept
     * ({@code -Dblkdebug.qemu72-padding-read=true}: a write goes on past its failed padding read)
     * prints qemu-io's golden. The image may differ only by the padding buffer's bytes, which are
     * uninitialised memory in QEMU: then it must be what qemu-io leaves with zero-filled memory
     * ({@code MALLOC_PERTURB_=255}), as ours' buffers are. The differential tester relies on this.
     */
    @TestFactory
    Stream<DynamicTest> d2ScenariosAreQemusWithItsPaddingReadBugKept() throws IOException {
        Path root = repoRoot();
        Path launcher = writeLauncher(launcherDir, "blkdebug-qemu72-padding-read", "-Dblkdebug.qemu72-padding-read=true");
        List<Path> d2 = new ArrayList<>();
        for (Path sc : scenarios(root)) {
            if (difference(Files.readString(sc)).filter("D2"::equals).isPresent()) {
                d2.add(sc);
            }
        }
        assertTrue(d2.size() >= 20, "expected the D2 scenarios, found " + d2.size());
        return d2.stream().map(sc -> DynamicTest.dynamicTest(baseName(sc), sc.toUri(), () -> {
            String name = baseName(sc);
            String golden = Files.readString(sc.resolveSibling(name + ".out"));
            String actual = run(root, launcher, sc, null);
            if (golden.equals(actual)) {
                return;
            }
            assertEquals(withoutMd5(golden), withoutMd5(actual), name + ": with QEMU's padding-read bug kept, ours"
                    + " still differs from qemu-io's golden\n" + unifiedDiff(golden, actual, name + ".out", "ours"));
            Assumptions.assumeTrue(onPath("qemu-io"), "qemu-io not installed: " + name
                    + "'s image is checked against qemu-io's with zero-filled memory only where it is");
            String zeroed = run(root, Path.of("/usr/bin/qemu-io"), sc, null, Map.of("MALLOC_PERTURB_", "255"));
            assertEquals(zeroed, actual, name + ": ours' image is not qemu-io's with zero-filled memory");
        }));
    }

    private static String withoutMd5(String out) {
        return out.replaceAll("(?m)^[0-9a-f]{32}  -$", "<md5>");
    }

    private void imagesCheckAsQemusDo(String name, Path golden, boolean qemuImg) throws IOException {
        Assumptions.assumeTrue(qemuImg, "qemu-img not installed (apt-get install qemu-utils): "
                + "the qemu-img check of the images " + name + " leaves is skipped");
        String ours = checks.get(name);
        assertNotNull(ours, name + ": the scenario did not run to its end, so its images were not checked");
        String expected = Files.readString(golden);
        Path expectedFile = golden;
        Path documented = golden.resolveSibling(name + ".blkdebug.check");
        if (Files.isRegularFile(documented)) {
            expectedFile = documented;
            String qemus = expected;
            expected = Files.readString(documented);
            assertNotEquals(qemus, expected, name + ": " + documented.getFileName()
                    + " equals what qemu-img check says of qemu-io's images: drop it");
        }
        if (!expected.equals(ours)) {
            fail(name + ": qemu-img check of the images ours left differs from " + expectedFile.getFileName()
                    + " (--- expected, +++ ours)\n"
                    + unifiedDiff(expected, ours, expectedFile.getFileName().toString(), "ours"));
        }
    }

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        return path != null && Stream.of(path.split(java.io.File.pathSeparator))
                .anyMatch(d -> !d.isEmpty() && Files.isExecutable(Path.of(d, program)));
    }

    /** Every scenario has a golden, and every golden (and hand-written expectation) a scenario. */
    @Test
    void everyScenarioHasAGoldenAndEveryGoldenAScenarioAndIsNamedInTheReadme() throws IOException {
        Path dir = repoRoot().resolve("conformance/scenarios");
        TreeSet<String> scenarios = new TreeSet<>();
        TreeSet<String> goldens = new TreeSet<>();
        TreeSet<String> ours = new TreeSet<>();
        TreeSet<String> checkGoldens = new TreeSet<>();
        TreeSet<String> oursChecks = new TreeSet<>();
        List<String> strays = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String f = p.getFileName().toString();
                if (f.endsWith(".blkdebug.out")) {
                    ours.add(f.substring(0, f.length() - ".blkdebug.out".length()));
                } else if (f.endsWith(".blkdebug.check")) {
                    oursChecks.add(f.substring(0, f.length() - ".blkdebug.check".length()));
                } else if (f.endsWith(".out")) {
                    goldens.add(f.substring(0, f.length() - ".out".length()));
                } else if (f.endsWith(".check")) {
                    checkGoldens.add(f.substring(0, f.length() - ".check".length()));
                } else if (f.endsWith(".sh")) {
                    scenarios.add(f.substring(0, f.length() - ".sh".length()));
                } else {
                    strays.add(f);
                }
            }
        }
        assertTrue(scenarios.size() >= 45, "expected at least 45 scenarios, found " + scenarios.size());
        assertEquals(List.of(), strays, "files that are neither scenario nor golden in " + dir);
        assertEquals(List.of(), minus(scenarios, goldens), "scenarios without a golden (run conformance/regen-goldens.sh)");
        assertEquals(List.of(), minus(goldens, scenarios), "goldens without a scenario");
        assertEquals(List.of(), minus(ours, scenarios), ".blkdebug.out files without a scenario");
        assertEquals(List.of(), minus(checkGoldens, scenarios), ".check files without a scenario");
        assertEquals(List.of(), minus(oursChecks, ours), ".blkdebug.check files without a .blkdebug.out (a difference)");
        assertEquals(List.of(), minus(oursChecks, checkGoldens), ".blkdebug.check files without QEMU's .check");
        for (String name : scenarios) {
            String script = Files.readString(dir.resolve(name + ".sh"));
            if (QCOW2_IMAGES.matcher(script).find()) {
                assertTrue(checkGoldens.contains(name), name + " makes qcow2 images but has no " + name
                        + ".check (qemu-img check after qemu-io's run): run conformance/regen-goldens.sh on it");
            }
            boolean marked = difference(script).isPresent();
            assertEquals(marked, ours.contains(name),
                    name + ": a '# difference: Dn' header and a .blkdebug.out file go together");
            assertTrue(name.matches("\\d{3}-[a-z0-9-]+"), name + ": scenario names are NNN-short-name");
        }
        String readme = Files.readString(repoRoot().resolve("conformance/README.md"));
        List<String> unnamed = scenarios.stream().map(n -> n.substring(0, 3))
                .filter(n -> !Pattern.compile("\\b" + n + "\\b").matcher(readme).find()).distinct().toList();
        assertEquals(List.of(), unnamed, "scenarios conformance/README.md does not name by number");
    }

    private static void checkScenario(Path root, Path launcher, Path scenario, Map<String, String> checks)
            throws Exception {
        String name = baseName(scenario);
        Path dir = scenario.getParent();
        String golden = Files.readString(dir.resolve(name + ".out"));
        Optional<String> diff = difference(Files.readString(scenario));
        String expected = golden;
        String expectedName = name + ".out";
        if (diff.isPresent()) {
            expectedName = name + ".blkdebug.out";
            expected = Files.readString(dir.resolve(expectedName));
            assertNotEquals(golden, expected, name + " is marked '# difference: " + diff.get()
                    + "' but QEMU's golden equals our expected output: drop the marker");
        }
        Path checkOut = checks == null ? null : Files.createTempFile(launcherDir, name, ".check");
        String actual = run(root, launcher, scenario, checkOut);
        if (checkOut != null) {
            checks.put(name, Files.readString(checkOut));
        }
        if (!expected.equals(actual)) {
            fail(name + (diff.map(d -> " (difference " + d + ")").orElse("")) + ": output differs from "
                    + expectedName + " (--- expected, +++ ours)\n"
                    + unifiedDiff(expected, actual, expectedName, "ours"));
        }
    }

    /** Runs run-scenario.sh with our launcher, bounded; kills the whole process tree on timeout. */
    private static String run(Path root, Path launcher, Path scenario, Path checkOut) throws Exception {
        return run(root, launcher, scenario, checkOut, Map.of());
    }

    private static String run(Path root, Path launcher, Path scenario, Path checkOut, Map<String, String> env)
            throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", root.resolve("conformance/run-scenario.sh").toString(),
                launcher.toString(), scenario.toString())
                .directory(root.toFile())
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("QEMU_IO_TIMEOUT", Long.toString(CALL_TIMEOUT_SECONDS));
        // Scenarios flush a lot (qcow2 metadata writes are each followed by one, as QEMU's are):
        // on a shared disk those fsyncs, not the program, decide whether a call meets its limit.
        // The output masks the directory, so where it lives changes nothing else.
        Path shm = Path.of(System.getProperty("conformance.tmpdir", "/dev/shm"));
        if (Files.isDirectory(shm) && Files.isWritable(shm)) {
            pb.environment().put("TMPDIR", shm.toString());
        }
        if (checkOut != null) {
            pb.environment().put("CONF_CHECK_OUT", checkOut.toString());
        }
        pb.environment().putAll(env);
        Process p = pb.start();
        // Collected incrementally so that a timeout can still show what the scenario printed.
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread reader = Thread.ofPlatform().daemon().start(() -> ProcessOutput.copy(p.getInputStream(), out));
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            reader.join(TimeUnit.SECONDS.toMillis(5));
            fail(baseName(scenario) + ": timed out after " + TIMEOUT_SECONDS + " s (process tree killed); output so far:\n"
                    + snapshot(out));
        }
        reader.join(TimeUnit.SECONDS.toMillis(30));
        if (reader.isAlive()) {
            fail(baseName(scenario) + ": run-scenario.sh exited but its output stays open (a leftover child?); output so far:\n"
                    + snapshot(out));
        }
        return snapshot(out);
    }

    private static String snapshot(ByteArrayOutputStream out) {
        synchronized (out) {
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    /** A shell launcher of our Main on this JVM and test class path, handed to run-scenario.sh as PROGRAM. */
    private static Path writeLauncher(Path dir) throws IOException {
        return writeLauncher(dir, "blkdebug-main", "");
    }

    private static Path writeLauncher(Path dir, String name, String extraOpts) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        String cp = System.getProperty("java.class.path");
        // native access as ./blkdebug gives it: the engine probes O_DIRECT's alignment through libc
        String opts = System.getProperty("conformance.java.opts",
                "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto --enable-native-access=ALL-UNNAMED");
        Path launcher = dir.resolve(name);
        Files.writeString(launcher, "#!/bin/sh\nexec " + shellQuote(java.toString()) + " " + opts + " " + extraOpts
                + " -cp " + shellQuote(cp) + " org.blkdebug.cli.Main \"$@\"\n");
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        return launcher;
    }

    private static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** The repo root: the nearest ancestor of the working dir (the cli module) with conformance/run-scenario.sh. */
    static Path repoRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("conformance/run-scenario.sh"))) {
                return p;
            }
        }
        throw new IllegalStateException("no conformance/run-scenario.sh above " + Path.of("").toAbsolutePath());
    }

    private static List<Path> scenarios(Path root) throws IOException {
        try (Stream<Path> files = Files.list(root.resolve("conformance/scenarios"))) {
            return files.filter(p -> p.getFileName().toString().endsWith(".sh")).sorted().toList();
        }
    }

    private static Optional<String> difference(String script) {
        Matcher m = DIFFERENCE.matcher(script);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    private static String baseName(Path p) {
        String f = p.getFileName().toString();
        return f.substring(0, f.lastIndexOf('.'));
    }

    private static List<String> minus(TreeSet<String> a, TreeSet<String> b) {
        return a.stream().filter(x -> !b.contains(x)).toList();
    }

    // ---- a small unified diff (LCS on lines; the outputs are a few hundred lines at most) ----

    static String unifiedDiff(String expected, String actual, String expectedName, String actualName) {
        List<String> a = lines(expected);
        List<String> b = lines(actual);
        int n = a.size();
        int m = b.size();
        int[][] lcs = new int[n + 1][m + 1];
        for (int i = n - 1; i >= 0; i--) {
            for (int j = m - 1; j >= 0; j--) {
                lcs[i][j] = a.get(i).equals(b.get(j)) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        // Edit script: ' ' keep, '-' expected only, '+' ours only; with line numbers for hunks.
        record Op(char kind, String text, int ai, int bi) { }
        List<Op> ops = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < n || j < m) {
            if (i < n && j < m && a.get(i).equals(b.get(j))) {
                ops.add(new Op(' ', a.get(i), i++, j++));
            } else if (i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1])) {
                ops.add(new Op('-', a.get(i), i++, j));
            } else {
                ops.add(new Op('+', b.get(j), i, j++));
            }
        }
        final int context = 3;
        StringBuilder sb = new StringBuilder("--- " + expectedName + "\n+++ " + actualName + "\n");
        int k = 0;
        while (k < ops.size()) {
            if (ops.get(k).kind() == ' ') {
                k++;
                continue;
            }
            int start = Math.max(0, k - context);
            int end = k;
            // extend the hunk while changes are closer than 2*context
            int last = k;
            while (end < ops.size()) {
                if (ops.get(end).kind() != ' ') {
                    last = end;
                } else if (end - last > 2 * context) {
                    break;
                }
                end++;
            }
            end = Math.min(ops.size(), last + context + 1);
            int aStart = ops.get(start).ai();
            int bStart = ops.get(start).bi();
            int aLen = 0;
            int bLen = 0;
            StringBuilder body = new StringBuilder();
            for (int x = start; x < end; x++) {
                Op op = ops.get(x);
                if (op.kind() != '+') {
                    aLen++;
                }
                if (op.kind() != '-') {
                    bLen++;
                }
                body.append(op.kind()).append(visible(op.text())).append('\n');
            }
            sb.append("@@ -").append(aStart + 1).append(',').append(aLen)
              .append(" +").append(bStart + 1).append(',').append(bLen).append(" @@\n").append(body);
            k = end;
        }
        if (!expected.endsWith("\n") || !actual.endsWith("\n")) {
            sb.append("(expected ends with newline: ").append(expected.endsWith("\n"))
              .append(", ours: ").append(actual.endsWith("\n")).append(")\n");
        }
        return sb.toString();
    }

    private static List<String> lines(String s) {
        if (s.isEmpty()) {
            return List.of();
        }
        List<String> out = new ArrayList<>(List.of(s.split("\n", -1)));
        if (s.endsWith("\n")) {
            out.remove(out.size() - 1);
        }
        return out;
    }

    /** Shows trailing spaces, tabs and CRs, which are otherwise invisible in a diff. */
    private static String visible(String line) {
        String s = line.replace("\r", "\\r").replace("\t", "\\t");
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == ' ') {
            end--;
        }
        return end == s.length() ? s : s.substring(0, end) + "·".repeat(s.length() - end);
    }
}
