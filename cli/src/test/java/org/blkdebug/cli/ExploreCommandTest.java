package org.blkdebug.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.blkdebug.cli.report.Console;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code blkdebug explore} end to end: the sweeps, the report, the replay lines, shards and merge. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ExploreCommandTest {
    private static final Pattern LAST = Pattern.compile(
            "explore: (\\d+) runs, (\\d+) pruned, (\\d+) failing, seed -?\\d+, [0-9.]+ s");

    @TempDir
    Path dir;
    Path image;
    Path out;

    @BeforeEach
    void createImage() throws IOException {
        image = dir.resolve("t.img");
        out = dir.resolve("out");
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(1 << 20);
        }
    }

    record Result(int status, String out) {
        List<String> lines() {
            return out.lines().toList();
        }

        String last() {
            return lines().getLast();
        }

        long count(int group) {
            Matcher m = LAST.matcher(last());
            assertThat(m.matches()).as("last line: " + last()).isTrue();
            return Long.parseLong(m.group(group));
        }

        List<String> replays() {
            return lines().stream().filter(l -> l.startsWith("  replay: ")).map(l -> l.substring(10)).toList();
        }
    }

    private static Result explore(InputStream stdin, String... args) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int rc = Main.explore(args, new Console(buf, buf, StandardCharsets.UTF_8), stdin);
        return new Result(rc, buf.toString(StandardCharsets.UTF_8));
    }

    private Result explore(String... args) {
        List<String> all = new ArrayList<>(List.of("--out", out.toString()));
        all.addAll(List.of(args));
        return explore(InputStream.nullInputStream(), all.toArray(String[]::new));
    }

    /** Runs a replay line as a shell would: {@code blkdebug ARGS} or {@code blkdebug explore ARGS}. */
    private static Result replay(String line) throws IOException {
        List<String> words = words(line);
        assertThat(words.getFirst()).isEqualTo("blkdebug");
        InputStream stdin = InputStream.nullInputStream();
        if (words.size() > 2 && words.get(words.size() - 2).equals("<")) {
            stdin = new ByteArrayInputStream(Files.readAllBytes(Path.of(words.getLast())));
            words = words.subList(0, words.size() - 2);
        }
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Console c = new Console(buf, buf, StandardCharsets.UTF_8);
        String[] rest = words.subList(1, words.size()).toArray(String[]::new);
        int rc = rest[0].equals("explore") ? Main.explore(Arrays.copyOfRange(rest, 1, rest.length), c, stdin)
                : Main.run(rest, c, stdin, false);
        return new Result(rc, buf.toString(StandardCharsets.UTF_8));
    }

    /** POSIX words: plain, or single-quoted with '\'' for a quote. */
    static List<String> words(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean in = false;
        boolean any = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (in) {
                if (c == '\'') {
                    in = false;
                } else {
                    w.append(c);
                }
            } else if (c == '\'') {
                in = true;
                any = true;
            } else if (c == '\\' && i + 1 < line.length()) {
                w.append(line.charAt(++i));
                any = true;
            } else if (c == ' ') {
                if (any || !w.isEmpty()) {
                    words.add(w.toString());
                }
                w.setLength(0);
                any = false;
            } else {
                w.append(c);
            }
        }
        if (any || !w.isEmpty()) {
            words.add(w.toString());
        }
        return words;
    }

    @Test
    void failEachFailsEachRequestOnceAndReportsEveryFailingRun() {
        Result r = explore("--fail-each", "--iotype", "write", "-f", "raw", "-t", "writeback",
                "-c", "write -P 1 0 4k", "-c", "write -P 2 4k 4k", "-c", "read -P 2 4k 4k", image.toString());
        assertThat(r.count(1)).as("base run and one per write").isEqualTo(3);
        assertThat(r.count(3)).isEqualTo(2);
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.lines()).contains("FAIL fail:1 (write 0+4096): exit 1: write failed: Input/output error",
                "FAIL fail:2 (write 4096+4096): exit 1: write failed: Input/output error", "outcomes:",
                "       1  ok", "       2  exit 1: write failed: Input/output error");
    }

    @Test
    void aFailEachReplayIsAPlainRuleFileThatFailsTheSameRunWithoutTouchingTheImage() throws IOException {
        byte[] before = Files.readAllBytes(image);
        Result r = explore("--fail-each", "-f", "raw", "-c", "write -P 1 0 4k", "-c", "read -P 1 0 4k", image.toString());
        List<String> replays = r.replays();
        assertThat(replays).hasSize((int) r.count(3));
        for (String line : replays) {
            assertThat(line).doesNotContain("explore").contains(" -s ").contains("blkdebug:" + out);
            Result again = replay(line);
            assertThat(again.status()).isEqualTo(1);
        }
        assertThat(Files.readString(out.resolve("fail-1.ini"))).contains("skip = \"0\"", "once = \"on\"");
        assertThat(replay(replays.getLast()).out()).contains("read failed: Input/output error");
        assertThat(Files.readAllBytes(image)).as("explore and its replays leave the image alone").isEqualTo(before);
    }

    @Test
    void theScenariosOwnRulesGoIntoTheReplayRuleFile() throws IOException {
        Path rules = dir.resolve("own.ini");
        Files.writeString(rules, "[inject-error]\nevent = \"read_aio\"\nerrno = \"28\"\nonce = \"on\"\n");
        Result r = explore("--fail-each", "--iotype", "write", "-f", "raw", "-t", "writeback", "-c", "write 0 512",
                "-c", "read 0 512", "blkdebug:" + rules + ":" + image);
        assertThat(r.count(1)).isEqualTo(2);
        assertThat(r.count(3)).as("the scenario's own rule fails its read in every run").isEqualTo(2);
        assertThat(r.replays().getFirst()).as("the base run replays as the scenario itself")
                .isEqualTo("blkdebug -s -f raw -t writeback -c 'write 0 512' -c 'read 0 512' blkdebug:" + rules + ":" + image);
        assertThat(Files.readString(out.resolve("fail-1.ini"))).contains("errno = \"28\"", "skip = \"0\"");
        Result again = replay(r.replays().get(1));
        assertThat(again.out()).contains("write failed: Input/output error", "read failed: No space left on device");
    }

    @Test
    void ordersFindTheRaceAndItsReplayReproducesItAlone() throws IOException {
        Result r = explore("--orders", "write_aio", "-f", "raw", "-c", "aio_write -P 1 0 4k", "-c",
                "aio_write -P 2 0 4k", "-c", "aio_flush", "-c", "read -P 2 0 4k", image.toString());
        assertThat(r.count(1)).isEqualTo(2);
        assertThat(r.count(3)).isEqualTo(1);
        assertThat(r.replays()).singleElement().satisfies(l -> assertThat(l).contains("explore", "--choice order:"));
        Result again = replay(r.replays().getFirst());
        assertThat(again.status()).isEqualTo(1);
        assertThat(again.out()).contains("Pattern verification failed at offset 0, 4096 bytes")
                .contains("FAIL exit 1: Pattern verification failed");
    }

    @Test
    void requestsOnDisjointRangesAreNotPermuted() {
        Result r = explore("--orders", "write_aio", "-f", "raw", "-c", "aio_write 0 4k", "-c", "aio_write 4k 4k",
                "-c", "aio_write 8k 4k", "-c", "aio_flush", image.toString());
        assertThat(r.count(1)).isEqualTo(1);
        assertThat(r.count(2)).isEqualTo(3);
        assertThat(r.status()).isZero();
    }

    @Test
    void aScriptOnStdinIsRunEveryTimeAndReplaysFromItsCopy() throws IOException {
        String script = "aio_write -P 1 0 4k\naio_write -P 2 0 512\naio_flush\nread -P 2 0 512\n";
        Result r = explore(new ByteArrayInputStream(script.getBytes(StandardCharsets.UTF_8)), "--out", out.toString(),
                "--orders", "write_aio", "-f", "raw", image.toString());
        assertThat(r.count(1)).isEqualTo(2);
        assertThat(r.replays()).singleElement().satisfies(l -> assertThat(l).endsWith("< " + out.resolve("script")));
        assertThat(replay(r.replays().getFirst()).status()).isEqualTo(1);
    }

    @Test
    void checkJudgesTheImageTheRunLeft() throws IOException {
        // the check wants byte 0 to be 0x01: only the run that fails the first write leaves it 0
        Path checker = dir.resolve("check.sh");
        Files.writeString(checker, "[ \"$(od -An -tx1 -N1 \"$1\" | tr -d ' ')\" = 01 ] || { echo first byte lost; exit 3; }\n");
        Result r = explore("--fail-each", "--iotype", "write", "--check", "sh " + checker + " {}", "-f", "raw",
                "-t", "writeback", "-c", "write -P 1 0 512", "-c", "write -P 2 512 512", image.toString());
        assertThat(r.count(1)).isEqualTo(3);
        assertThat(r.count(3)).isEqualTo(1);
        assertThat(r.lines()).anySatisfy(l -> assertThat(l).startsWith("FAIL fail:1 (write 0+512): check exit 3: first byte lost"));
        assertThat(r.lines()).contains("       1  check ok (exit 1: write failed: Input/output error)");
    }

    @Test
    void crashEachFindsACommitMarkerWrittenBeforeItsRecordAndReplaysTheState() throws IOException {
        // the marker (0xcc at 4k) and the record (1s at 0) go to the disk together, unordered: a
        // power cut at the flush may keep the marker alone; the check says so
        Path checker = dir.resolve("marker.sh");
        Files.writeString(checker, """
                m=$(od -An -tx1 -j4096 -N1 "$1" | tr -d ' ')
                d=$(od -An -tx1 -N1 "$1" | tr -d ' ')
                if [ "$m" = cc ] && [ "$d" != 01 ]; then echo "commit marker without its record"; exit 1; fi
                """);
        String[] scenario = {"--crash-each", "flush", "--keep", "all", "--check", "sh " + checker + " {}", "-f", "raw",
            "-t", "writeback", "-c", "write -P 0xcc 4096 512", "-c", "write -P 1 0 512", "-c", "flush",
            image.toString()};
        Result kept = explore(scenario);
        assertThat(kept.count(1)).as("base, the flush, the end").isEqualTo(3);
        assertThat(kept.count(3)).isZero(); // keeping both writes is consistent
        // the state with the marker and not the record, named exactly: its replay fails alone
        List<String> replay = new ArrayList<>(List.of(scenario));
        replay.addAll(0, List.of("--choice", "crash:1/keep:1@2"));
        Result r = explore(replay.toArray(String[]::new));
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.out()).contains("explore: crash:1/keep:1@2: FAIL check exit 1: commit marker without its record");
        assertThat(Files.readAllBytes(image)).as("the image itself is never written").isEqualTo(new byte[1 << 20]);
    }

    /** A real NBD client: qemu-io on the export's URI. */
    private static boolean qemuIo() {
        try {
            return new ProcessBuilder("qemu-io", "--version").redirectErrorStream(true).start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    @Test
    void overNbdEachRunIsTheClientAgainstAFreshExport() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(qemuIo(), "qemu-io is not installed");
        String client = "qemu-io -f raw -c 'write -P 1 0 4k' -c 'read -P 1 0 4k' \"$uri\"";
        Result r = explore("--fail-each", "--run", client, "-f", "raw", image.toString());
        // the client writes under writethrough: its write, its flush, its read
        assertThat(r.count(1)).isEqualTo(4);
        assertThat(r.lines()).contains("FAIL fail:1 (write 0+4096): exit 1: write failed: Input/output error",
                "FAIL fail:2 (flush): exit 1: write failed: Input/output error",
                "FAIL fail:3 (read 0+4096): exit 1: read failed: Input/output error");
        Result again = replay(r.replays().get(2));
        assertThat(again.status()).isEqualTo(1);
        assertThat(again.out()).contains("read failed: Input/output error");
        assertThat(Files.readAllBytes(image)).isEqualTo(new byte[1 << 20]);
    }

    @Test
    void overNbdTheClientsRacingWritesAreReleasedInEveryOrder() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(qemuIo(), "qemu-io is not installed");
        String client = "qemu-io -f raw -c 'aio_write -P 1 0 4k' -c 'aio_write -P 2 0 4k' -c aio_flush"
                + " -c 'read -P 2 0 4k' \"$uri\"";
        Result r = explore("--orders", "write_aio", "--settle", "100", "--run", client, "-f", "raw", image.toString());
        assertThat(r.count(1)).isEqualTo(2);
        assertThat(r.lines()).contains("FAIL order:w0+4096.1: exit 1: Pattern verification failed at offset 0, 4096 bytes");
    }

    @Test
    void crashEachNeedsACheck() {
        assertThat(explore("--crash-each", "flush", "-c", "flush", image.toString()).out())
                .startsWith("blkdebug explore: --crash-each needs --check 'CMD {}': a crashed run cannot judge itself\n");
    }

    @Test
    void shardsSplitTheSweepAndMergeIntoTheWhole() throws IOException {
        String[] scenario = {"--fail-each", "-f", "raw", "-c", "aio_write -P 1 0 4k", "-c", "aio_write -P 2 0 4k",
            "-c", "aio_flush", "-c", "read -P 2 0 4k", image.toString()};
        Result whole = explore(scenario);
        List<String> reports = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            List<String> a = new ArrayList<>(List.of("--shard", i + "/3", "--seed", "7"));
            a.addAll(List.of(scenario));
            Result part = explore(a.toArray(String[]::new));
            Path report = dir.resolve("shard" + i + ".txt");
            Files.writeString(report, part.out());
            reports.add(report.toString());
        }
        List<String> merge = new ArrayList<>(List.of("--merge"));
        merge.addAll(reports);
        Result merged = explore(InputStream.nullInputStream(), merge.toArray(String[]::new));
        assertThat(merged.count(1)).isEqualTo(whole.count(1));
        assertThat(merged.count(3)).isEqualTo(whole.count(3));
        assertThat(merged.status()).isEqualTo(1);
        assertThat(merged.lines().stream().filter(l -> l.startsWith("FAIL ")).sorted().toList())
                .isEqualTo(whole.lines().stream().filter(l -> l.startsWith("FAIL ")).sorted().toList());
        assertThat(merged.out()).doesNotContain("warning");
    }

    @Test
    void mergeRefusesReportsOfDifferentSweeps() throws IOException {
        Path a = dir.resolve("a.txt");
        Path b = dir.resolve("b.txt");
        Files.writeString(a, explore("--fail-each", "--shard", "1/2", "-f", "raw", "-c", "write 0 512", image.toString()).out());
        Files.writeString(b, explore("--fail-each", "--shard", "2/2", "-f", "raw", "-c", "write 0 1k", image.toString()).out());
        Result r = explore(InputStream.nullInputStream(), "--merge", a.toString(), b.toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.out()).contains("the reports are from different sweeps");
    }

    @Test
    void badCommandLinesGetOneClearLine() {
        assertThat(explore("-f", "raw", "-c", "write 0 512", image.toString()).out())
                .startsWith("blkdebug explore: no axis: give --fail-each, --crash-each flush|write and/or --orders EVENT\n");
        assertThat(explore("--event", "write_aio", "--orders", "write_aio", image.toString()).out())
                .startsWith("blkdebug explore: --event, --iotype, --errno and --persistent belong to --fail-each\n");
        assertThat(explore("--fail-each", "--shard", "3/2", image.toString()).out())
                .startsWith("blkdebug explore: --shard wants I/N with 1 <= I <= N, not '3/2'\n");
        assertThat(explore("--orders", "write_aoi", image.toString()).out())
                .startsWith("blkdebug explore: invalid parameter value: write_aoi\n");
        assertThat(explore("--fail-each", "--choice", "fail:x", image.toString()).out())
                .startsWith("blkdebug explore: bad value in choice 'fail:x' of 'fail:x'\n");
        Result qemu = explore("--fail-each", "-t", "bogus", image.toString());
        assertThat(qemu.out()).isEqualTo("qemu-io: Invalid cache option: bogus\n");
        assertThat(qemu.status()).isEqualTo(1);
    }

    @Test
    void helpIsTheUsageAndExitsZero() {
        Result r = explore(InputStream.nullInputStream(), "-h");
        assertThat(r.status()).isZero();
        assertThat(r.out()).startsWith("Usage: blkdebug explore AXES...").contains("--fail-each", "--orders",
                "--crash-each", "--check", "--run", "--shard", "--merge").doesNotContain("no axis");
    }

    @Test
    void aRuleThatMatchesNothingSaysSo() {
        Result r = explore("--fail-each", "--iotype", "discard", "-f", "raw", "-c", "write 0 512", image.toString());
        assertThat(r.count(1)).isEqualTo(1);
        assertThat(r.out()).contains("explore: warning: the fail-each rule matched no request: nothing to fail");
        assertThat(r.status()).isZero();
    }
}
