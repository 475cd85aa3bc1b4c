package org.blkdebug.cli.difftest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Writes random qemu-io sessions from a seed: the whole command set, rule files and rule options,
 * the blkdebug node's limits, every cache mode, {@code -c} and stdin, odd image lengths, raw and
 * qcow2 images.
 *
 * <p>Breakpoints come in self-contained blocks ({@code break}, a request that reaches the event,
 * {@code wait_break}, a few commands that cannot wait for the suspended request, {@code resume}),
 * so that no request is left suspended at {@code aio_flush}, {@code close} or exit and no
 * {@code wait_break} waits for a tag nothing can reach: QEMU hangs on those (differences D3–D5,
 * D11). Where the model cannot be sure an event fires (a flush's events, qcow2's metadata events)
 * the runner notices QEMU's hang and checks ours against the documented difference instead.
 *
 * <p>One generator makes one session; {@link #tagEvents} says which event each tag was set on
 * (for the coverage of events reached).
 */
final class Generator {
    static final List<String> CACHE_MODES = List.of("writethrough", "writeback", "none", "directsync", "unsafe");
    static final List<String> RAW_EVENTS = List.of("read_aio", "write_aio", "pwritev", "pwritev_done", "pwritev_zero",
            "pwritev_rmw_head", "pwritev_rmw_after_head", "pwritev_rmw_tail", "pwritev_rmw_after_tail",
            "flush_to_os", "flush_to_disk");
    static final List<String> QCOW2_EVENTS = List.of("l1_update", "l2_load", "l2_update", "l2_alloc_cow_read",
            "l2_alloc_write", "cluster_alloc", "cluster_alloc_space", "cluster_free", "refblock_load",
            "refblock_update", "refblock_update_part", "refblock_alloc", "cow_read", "cow_write", "read_backing_aio",
            "l1_grow_alloc_table", "l1_grow_write_table", "l1_grow_activate_table", "reftable_grow", "vmstate_save",
            "vmstate_load", "empty_image_prepare", "cor_write");
    static final List<Integer> ERRNOS = List.of(5, 5, 28, 1, 22, 13, 95, 0, 122, -5);
    static final List<String> IOTYPES = List.of("read", "write", "write-zeroes", "discard", "flush", "block-status");

    private final Random rnd;
    private final Coverage cov;
    final Map<String, String> tagEvents = new LinkedHashMap<>();

    // the model of the session so far
    private String format;
    private long size;
    private long align;          // blkdebug's align option, 0 = not given
    private String cache;        // null = qemu-io's default (writethrough)
    private boolean blkdebug;    // a blkdebug node is in the graph
    private boolean readOnly;
    private boolean open;
    private int clusterSize;
    private boolean anyWrite;
    /** After a truncate or an option that moves requests elsewhere (-s, -C): no breakpoint blocks. */
    private boolean noBreaks;
    private boolean imageOpts;    // a write was issued since the last open (qcow2's first-allocation events)
    private final List<Long> untouched = new ArrayList<>(); // qcow2: 64k chunks nothing has touched yet
    private int tags;
    private final List<String> cmds = new ArrayList<>();

    Generator(long seed, Coverage cov) {
        this.rnd = new Random(seed);
        this.cov = cov;
    }

    Session session() {
        format = rnd.nextInt(5) == 0 ? "qcow2" : "raw";
        String qcow2Opts = "";
        clusterSize = 65536;
        if (format.equals("qcow2")) {
            size = pick(1L << 20, 4L << 20, 2L << 20);
            if (rnd.nextInt(3) == 0) {
                qcow2Opts = "cluster_size=4096";
                clusterSize = 4096;
            }
            cov.hit("image", "qcow2 " + (qcow2Opts.isEmpty() ? "64k clusters" : "4k clusters"));
        } else {
            size = rnd.nextInt(3) > 0 ? 1L << 20
                    : pick(1000000L, (1L << 20) + 512, 3 * 65536L + 100, 512L * 1001, 2L << 20, 1048575L, 4096L);
            cov.hit("image", size % 512 != 0 ? "raw, length not a multiple of 512" : "raw, whole sectors");
        }
        for (long c = 0; c < Math.min(size, 1L << 20); c += 65536) {
            untouched.add(c);
        }
        String rules = rnd.nextInt(2) == 0 ? ruleFile() : null;
        boolean stdin = rnd.nextInt(10) < 2;
        cov.hit("mode", stdin ? "stdin" : "-c");

        List<String> args = new ArrayList<>();
        String file = null;
        // How the image is opened
        int how = rnd.nextInt(100);
        String driver = format;
        Map<String, String> node = nodeOptions();
        List<String> optRules = rnd.nextInt(3) == 0 ? ruleOptions() : List.of();
        cache = rnd.nextInt(3) == 0 ? null : CACHE_MODES.get(rnd.nextInt(CACHE_MODES.size()));
        readOnly = rnd.nextInt(25) == 0;
        blkdebug = true;
        String conf = rules != null ? Session.DIR + "/rules.conf" : "";
        String img = Session.DIR + "/" + (format.equals("qcow2") ? "t.qcow2" : "t.raw");
        if (how < 6) {
            // no blkdebug at all (or, for raw, probing): breakpoints answer ENOTSUP
            blkdebug = false;
            node = Map.of();
            optRules = List.of();
            if (rnd.nextBoolean() || format.equals("qcow2")) {
                args.add("-f");
                args.add(driver);
                cov.hit("open form", "-f FMT IMAGE (no blkdebug)");
            } else {
                cov.hit("open form", "probed format (no -f)");
            }
            file = img;
        } else if (how < 14 && node.isEmpty() && optRules.isEmpty() && format.equals("raw")) {
            // probing through blkdebug: the WARNING lines
            file = "blkdebug:" + conf + ":" + img;
            cov.hit("open form", "blkdebug:CONF:IMAGE, probed");
        } else if (how < 55 && node.isEmpty() && optRules.isEmpty()) {
            args.add("-f");
            args.add(driver);
            file = "blkdebug:" + conf + ":" + img;
            cov.hit("open form", "-f FMT blkdebug:CONF:IMAGE");
        } else if (how < 72) {
            args.add("--image-opts");
            imageOpts = true;
            file = imageOpts(driver, conf, img, node, optRules);
            cov.hit("open form", "--image-opts");
        } else if (how < 86) {
            file = json(driver, conf, img, node, optRules);
            cov.hit("open form", "json:");
        } else {
            // no file: the session starts with open
            cov.hit("open form", "open -o inside the session");
            StringBuilder o = new StringBuilder("open");
            if (cache != null) {
                o.append(" -t ").append(cache);
            }
            if (readOnly) {
                o.append(" -r");
            }
            List<String> opts = new ArrayList<>();
            opts.add("driver=" + driver);
            node.forEach((k, v) -> opts.add("file." + k + "=" + v));
            for (String r : optRules) {
                opts.add("file." + r);
            }
            o.append(" -o ").append(String.join(",", opts));
            o.append(" blkdebug:").append(conf).append(':').append(img);
            cmds.add(o.toString());
            cov.hit("command", "open");
        }
        if (file != null) {
            if (cache != null) {
                if (cache.equals("none") && rnd.nextBoolean()) {
                    args.addFirst("-n");
                    cov.hit("option", "-n");
                } else {
                    args.addFirst(cache);
                    args.addFirst("-t");
                }
            }
            if (readOnly) {
                args.addFirst("-r");
                cov.hit("option", "-r");
            }
            if (rnd.nextInt(40) == 0) {
                // options checked as QEMU checks them (issue 11, item 4)
                String extra = pick("-U", "-k", "--aio=threads", "-d unmap", "-d ignore", "-C", "-s");
                args.addAll(0, List.of(extra.split(" ")));
                noBreaks = true;
                cov.hit("option", extra);
            }
        }
        cov.hit("cache mode", cache == null ? "writethrough (default)" : cache);
        node.forEach((k, v) -> cov.hit("node option", k));
        for (String r : optRules) {
            cov.hit("rule form", "options");
            cov.hit("rule key (options)", r.replaceAll("^[a-z-]+\\.\\d+\\.([a-z_]+)=.*", "$1"));
        }
        align = node.containsKey("align") ? parseSize(node.get("align")) : 0;
        open = true;

        int n = 2 + rnd.nextInt(9);
        while (n-- > 0) {
            int r = rnd.nextInt(100);
            if (!open) {
                reopen(conf, img, driver);
            } else if (r < 22 && blkdebug) {
                breakBlock(0);
            } else if (r < 25) {
                cmds.add("close");
                cov.hit("command", "close");
                open = false;
                anyWrite = false;
            } else {
                command(false);
            }
        }
        if (rnd.nextInt(10) == 0) {
            cmds.add("quit");
            cov.hit("command", "quit");
        }
        return new Session(format, size, qcow2Opts, rules, args, file, cmds, stdin, null);
    }

    // ---- opening -----------------------------------------------------------------------------

    private Map<String, String> nodeOptions() {
        Map<String, String> o = new LinkedHashMap<>();
        if (rnd.nextInt(4) == 0) {
            o.put("align", pick("512", "4096", "4k", "65536", "1"));
        }
        if (rnd.nextInt(8) == 0) {
            o.put("max-transfer", pick("4096", "65536", "8192"));
        }
        if (rnd.nextInt(10) == 0) {
            o.put("opt-write-zero", pick("4096", "65536"));
        }
        if (rnd.nextInt(10) == 0) {
            o.put("max-write-zero", pick("4096", "65536", "8192"));
        }
        if (rnd.nextInt(10) == 0) {
            o.put("opt-discard", pick("4096", "65536"));
        }
        if (rnd.nextInt(10) == 0) {
            o.put("max-discard", pick("4096", "65536", "8192"));
        }
        return o;
    }

    private String imageOpts(String driver, String conf, String img, Map<String, String> node, List<String> rules) {
        List<String> o = new ArrayList<>();
        o.add("driver=" + driver);
        o.add("file.driver=blkdebug");
        if (!conf.isEmpty()) {
            o.add("file.config=" + conf);
        }
        node.forEach((k, v) -> o.add("file." + k + "=" + v));
        o.add("file.image.driver=file");
        o.add("file.image.filename=" + img);
        for (String r : rules) {
            o.add("file." + r);
        }
        return String.join(",", o);
    }

    private String json(String driver, String conf, String img, Map<String, String> node, List<String> rules) {
        StringBuilder f = new StringBuilder("{\"driver\":\"blkdebug\"");
        if (!conf.isEmpty()) {
            f.append(",\"config\":\"").append(conf).append('"');
        }
        node.forEach((k, v) -> f.append(",\"").append(k).append("\":\"").append(v).append('"'));
        f.append(",\"image\":{\"driver\":\"file\",\"filename\":\"").append(img).append("\"}");
        // rules as JSON arrays, grouped by kind and index
        Map<String, Map<Integer, Map<String, String>>> kinds = new LinkedHashMap<>();
        for (String r : rules) {
            String[] kv = r.split("=", 2);
            String[] path = kv[0].split("\\.");
            kinds.computeIfAbsent(path[0], k -> new LinkedHashMap<>())
                    .computeIfAbsent(Integer.parseInt(path[1]), k -> new LinkedHashMap<>()).put(path[2], kv[1]);
        }
        kinds.forEach((kind, list) -> {
            f.append(",\"").append(kind).append("\":[");
            List<String> objs = new ArrayList<>();
            list.values().forEach(m -> {
                List<String> fields = new ArrayList<>();
                m.forEach((k, v) -> fields.add("\"" + k + "\":\"" + v + "\""));
                objs.add("{" + String.join(",", fields) + "}");
            });
            f.append(String.join(",", objs)).append(']');
        });
        f.append('}');
        return "json:{\"driver\":\"" + driver + "\",\"file\":" + f + "}";
    }

    private void reopen(String conf, String img, String driver) {
        StringBuilder o = new StringBuilder("open");
        cache = rnd.nextInt(3) == 0 ? null : CACHE_MODES.get(rnd.nextInt(CACHE_MODES.size()));
        if (cache != null) {
            o.append(" -t ").append(cache);
            cov.hit("cache mode", cache);
        }
        readOnly = rnd.nextInt(10) == 0;
        if (readOnly) {
            o.append(" -r");
        }
        o.append(" -o driver=").append(driver);
        if (align != 0 || rnd.nextInt(4) == 0) {
            align = pick(0L, 512L, 4096L);
            if (align != 0) {
                o.append(",file.align=").append(align);
                cov.hit("node option", "align");
            }
        }
        o.append(" blkdebug:").append(blkdebug ? conf : "").append(':').append(img);
        blkdebug = true;
        cmds.add(o.toString());
        cov.hit("command", "open");
        open = true;
        anyWrite = false;
    }

    // ---- rules -------------------------------------------------------------------------------

    private String ruleFile() {
        StringBuilder sb = new StringBuilder();
        int sections = 1 + rnd.nextInt(3);
        for (int i = 0; i < sections; i++) {
            boolean inject = rnd.nextInt(3) > 0;
            sb.append(inject ? "[inject-error]\n" : "[set-state]\n");
            cov.hit("rule form", "config file");
            for (Map.Entry<String, String> kv : (inject ? injectRule() : setStateRule()).entrySet()) {
                sb.append(kv.getKey()).append(" = \"").append(kv.getValue()).append("\"\n");
                cov.hit("rule key (file)", (inject ? "inject-error." : "set-state.") + kv.getKey());
            }
        }
        return sb.toString();
    }

    private List<String> ruleOptions() {
        List<String> out = new ArrayList<>();
        int injects = 0;
        int sets = 0;
        int n = 1 + rnd.nextInt(2);
        for (int i = 0; i < n; i++) {
            boolean inject = rnd.nextInt(3) > 0;
            String prefix = inject ? "inject-error." + injects++ : "set-state." + sets++;
            (inject ? injectRule() : setStateRule()).forEach((k, v) -> out.add(prefix + "." + k + "=" + v));
        }
        return out;
    }

    private Map<String, String> injectRule() {
        Map<String, String> r = new LinkedHashMap<>();
        r.put("event", event());
        if (rnd.nextInt(4) > 0) {
            r.put("errno", Integer.toString(ERRNOS.get(rnd.nextInt(ERRNOS.size()))));
        }
        if (rnd.nextInt(4) == 0) {
            r.put("sector", Long.toString(pick(0L, 1L, 8L, 9L, 16L, 128L, 135L, -1L)));
        }
        if (rnd.nextInt(3) == 0) {
            r.put("once", pick("on", "off"));
        }
        if (rnd.nextInt(4) == 0) {
            r.put("immediately", pick("on", "off"));
        }
        if (rnd.nextInt(4) == 0) {
            r.put("state", Integer.toString(rnd.nextInt(4)));
        }
        if (rnd.nextInt(3) == 0) {
            r.put("iotype", IOTYPES.get(rnd.nextInt(IOTYPES.size())));
        }
        return r;
    }

    private Map<String, String> setStateRule() {
        Map<String, String> r = new LinkedHashMap<>();
        r.put("event", event());
        if (rnd.nextInt(2) == 0) {
            r.put("state", Integer.toString(rnd.nextInt(4)));
        }
        r.put("new_state", Integer.toString(1 + rnd.nextInt(3)));
        return r;
    }

    private String event() {
        int r = rnd.nextInt(100);
        if (r < 3) {
            return "none";
        }
        if (format.equals("qcow2") && r < 40) {
            return QCOW2_EVENTS.get(rnd.nextInt(QCOW2_EVENTS.size()));
        }
        if (r < 8) {
            return QCOW2_EVENTS.get(rnd.nextInt(QCOW2_EVENTS.size()));
        }
        return RAW_EVENTS.get(rnd.nextInt(RAW_EVENTS.size()));
    }

    // ---- commands ----------------------------------------------------------------------------

    /** One command that cannot hang (nothing is suspended; no breakpoint is armed). */
    private void command(boolean whileSuspended) {
        int r = rnd.nextInt(100);
        String c;
        if (r < 14) {
            c = read("read");
        } else if (r < 30) {
            c = write("write", true);
        } else if (r < 34) {
            c = vector("readv");
        } else if (r < 38) {
            c = vector("writev");
        } else if (r < 46) {
            c = aioRead();
        } else if (r < 56) {
            c = write("aio_write", true);
        } else if (r < 60) {
            c = "discard" + flags("-q", "-C") + " " + range();
        } else if (r < 65) {
            c = "flush";
        } else if (r < 71) {
            c = "aio_flush";
        } else if (r < 73) {
            long to = pick(size, size + 512, size - 512, 1000000L, (1L << 20) + 100, 2L << 20, 65536L + 1);
            c = (rnd.nextInt(6) == 0 ? "truncate -m off " : "truncate ") + to;
            // the model keeps its size (ranges past a shrunk end are part of what is tested), but
            // breakpoint blocks stop: their request might now fail before its event
            noBreaks = true;
        } else if (r < 77) {
            c = "length";
        } else if (r < 80) {
            c = "info";
        } else if (r < 84) {
            c = rnd.nextBoolean() ? "map" : "alloc " + offset() + (rnd.nextBoolean() ? " " + length() : "");
        } else if (r < 86) {
            c = "sleep " + (1 + rnd.nextInt(10));
        } else if (r < 88) {
            c = pick("break bogus_event X", "resume nosuchtag", "remove_break nosuchtag", "break read_aio",
                    "read 0", "frobnicate", "write -P 0x1ff 0 512", "read -z 0 512", "write -z -P 1 0 512",
                    imageOpts ? "open -r" : "open " + Session.DIR + "/t.raw");
        } else if (r < 92) {
            // a breakpoint armed and removed before any request reaches it
            String tag = tag();
            String ev = RAW_EVENTS.get(rnd.nextInt(RAW_EVENTS.size()));
            cmds.add("break " + ev + " " + tag);
            cov.hit("command", "break");
            c = "remove_break " + tag;
        } else {
            c = write("aio_write", true);
        }
        cmds.add(c);
        cov.hit("command", c.split(" ")[0]);
        if (c.startsWith("aio_") && !c.startsWith("aio_flush") && rnd.nextInt(10) < 6) {
            // QEMU's thread pool completes concurrent requests in either order: most aio requests
            // are drained before the next one, so that QEMU itself is deterministic (the runner
            // skips a session whose two qemu-io runs differ, and counts it)
            cmds.add("aio_flush");
            cov.hit("command", "aio_flush");
        }
    }

    private String read(String name) {
        StringBuilder c = new StringBuilder(name);
        long len = length();
        c.append(flags("-q", "-C"));
        if (len <= 256 && rnd.nextInt(4) == 0) {
            c.append(" -v");
        }
        if (rnd.nextInt(3) == 0) {
            c.append(" -P ").append(pattern());
        }
        return c.append(' ').append(offset()).append(' ').append(len).toString();
    }

    private String aioRead() {
        StringBuilder c = new StringBuilder("aio_read");
        c.append(flags("-q", "-C"));
        if (rnd.nextInt(3) == 0) {
            c.append(" -P ").append(pattern());
        }
        c.append(' ').append(offset());
        int n = rnd.nextInt(4) == 0 ? 2 : 1;
        for (int i = 0; i < n; i++) {
            c.append(' ').append(length());
        }
        return c.toString();
    }

    private String write(String name, boolean mayZero) {
        anyWrite = true;
        StringBuilder c = new StringBuilder(name);
        c.append(flags("-q", "-C", "-f"));
        boolean zero = mayZero && rnd.nextInt(5) == 0;
        if (zero) {
            c.append(" -z");
            if (rnd.nextInt(3) == 0) {
                c.append(" -u");
            }
            cov.hit("command", name + " -z");
        } else if (rnd.nextInt(5) > 0) {
            c.append(" -P ").append(pattern());
        }
        long off = offset();
        touch(off);
        return c.append(' ').append(off).append(' ').append(length()).toString();
    }

    private String vector(String name) {
        StringBuilder c = new StringBuilder(name);
        c.append(flags("-q", "-C"));
        if (rnd.nextInt(2) == 0) {
            c.append(" -P ").append(pattern());
        }
        long off = offset();
        if (name.equals("writev")) {
            anyWrite = true;
            touch(off);
        }
        c.append(' ').append(off);
        int n = 1 + rnd.nextInt(3);
        for (int i = 0; i < n; i++) {
            c.append(' ').append(pick(512L, 1024L, 4096L, 100L, 3584L));
        }
        return c.toString();
    }

    private String flags(String... f) {
        StringBuilder sb = new StringBuilder();
        for (String x : f) {
            if (rnd.nextInt(6) == 0) {
                sb.append(' ').append(x);
                cov.hit("command flag", x);
            }
        }
        return sb.toString();
    }

    private String range() {
        return offset() + " " + length();
    }

    private long offset() {
        int r = rnd.nextInt(100);
        if (r < 30) {
            return pick(0L, 512L, 4096L, 4608L, 65536L, 65024L, 131072L, 1024L);
        }
        if (r < 40) {
            return Math.max(0, size - pick(512L, 4096L, 1L, 100L, 0L));
        }
        if (r < 43) {
            return size + pick(0L, 512L, 1L);
        }
        if (r < 50) {
            return rnd.nextInt((int) Math.min(size, 1 << 20));
        }
        return 512L * rnd.nextInt((int) Math.max(1, Math.min(size, 1 << 20) / 512));
    }

    private long length() {
        int r = rnd.nextInt(100);
        if (r < 60) {
            return pick(512L, 1024L, 4096L, 65536L, 8192L, 3584L);
        }
        if (r < 70) {
            return pick(1L, 100L, 511L, 513L, 0L);
        }
        return 512L * (1 + rnd.nextInt(256));
    }

    private String pattern() {
        int p = rnd.nextInt(256);
        return rnd.nextBoolean() ? "0x" + Integer.toHexString(p) : Integer.toString(p);
    }

    private void touch(long off) {
        untouched.remove((Long) (off / 65536 * 65536));
    }

    // ---- breakpoints -------------------------------------------------------------------------

    /** A request that reaches an event for sure (given the model), and that event. */
    private record Trigger(String event, String request, boolean beforeIo) {
    }

    private Trigger trigger() {
        List<Trigger> t = new ArrayList<>();
        if (noBreaks) {
            return null;
        }
        long blk = Math.max(align, 512);
        if (size < 4 * blk) {
            return null;
        }
        // in the first 512 KiB (interim commands use 512 KiB..896 KiB), inside the image
        long chunk = 65536L * rnd.nextInt((int) Math.max(1, Math.min(8, size / 65536)));
        long span = Math.min(65536, size - chunk) - 2 * blk;
        long off = chunk + blk * rnd.nextInt((int) Math.max(1, span / blk));
        long len = blk * (1 + rnd.nextInt(2));
        String p = " -P " + pattern();
        if (format.equals("raw")) {
            t.add(new Trigger("read_aio", "aio_read" + p + " " + off + " " + len, true));
            if (!readOnly) {
                boolean plain = align <= 512;
                t.add(new Trigger("write_aio", "aio_write" + p + " " + off + " " + len, true));
                t.add(new Trigger("pwritev", "aio_write" + p + " " + off + " " + len, plain));
                t.add(new Trigger("pwritev_done", "aio_write" + p + " " + off + " " + len, false));
                t.add(new Trigger("pwritev_zero", "aio_write -z " + off + " " + len, plain));
                t.add(new Trigger("pwritev_done", "aio_write -z " + off + " " + len, false));
                if (align >= 4096) {
                    t.add(new Trigger("pwritev_rmw_head", "aio_write" + p + " " + (off + 512) + " 512", true));
                    t.add(new Trigger("pwritev_rmw_after_head", "aio_write" + p + " " + (off + 512) + " 512", false));
                    t.add(new Trigger("pwritev_rmw_tail", "aio_write" + p + " " + off + " 512", true));
                    t.add(new Trigger("pwritev_rmw_after_tail", "aio_write" + p + " " + off + " 512", false));
                }
                if (cache == null || cache.equals("writethrough") || cache.equals("directsync")) {
                    t.add(new Trigger("flush_to_os", "aio_write" + p + " " + off + " " + len, false));
                } else {
                    t.add(new Trigger("flush_to_os", "aio_write -f" + p + " " + off + " " + len, false));
                }
            }
        } else if (!readOnly) {
            t.add(new Trigger("write_aio", "aio_write" + p + " " + off + " " + len, false));
            t.add(new Trigger("pwritev", "aio_write" + p + " " + off + " " + len, false));
            t.add(new Trigger("pwritev_done", "aio_write" + p + " " + off + " " + len, false));
            if (!untouched.isEmpty()) {
                long fresh = untouched.get(rnd.nextInt(untouched.size()));
                t.add(new Trigger("cluster_alloc", "aio_write" + p + " " + fresh + " " + len, false));
                t.add(new Trigger("l2_update", "aio_write" + p + " " + fresh + " " + len, false));
                if (!anyWrite) {
                    t.add(new Trigger("l2_alloc_write", "aio_write" + p + " " + fresh + " " + len, false));
                }
            }
        }
        return t.isEmpty() ? null : t.get(rnd.nextInt(t.size()));
    }

    private void breakBlock(int depth) {
        Trigger t = trigger();
        if (t == null) {
            command(false);
            return;
        }
        String tag = tag();
        tagEvents.put(tag, t.event());
        cmds.add("break " + t.event() + " " + tag);
        cov.hit("command", "break");
        cov.hit("break event", t.event());
        String second = null;
        if (depth == 0 && rnd.nextInt(12) == 0) {
            // two breakpoints on one event: the request suspends twice, newest tag first
            second = tag();
            tagEvents.put(second, t.event());
            cmds.add("break " + t.event() + " " + second);
        }
        if (t.request().startsWith("aio_write")) {
            anyWrite = true;
            touch(Long.parseLong(t.request().replaceAll(".* (\\d+) \\d+$", "$1")));
        }
        cmds.add(t.request());
        cov.hit("command", "aio_" + (t.request().startsWith("aio_read") ? "read" : "write"));
        boolean waits = !t.beforeIo() || second != null || rnd.nextInt(5) > 0;
        String first = second != null ? second : tag;
        if (waits) {
            cmds.add("wait_break " + first);
            cov.hit("command", "wait_break");
        }
        boolean flushHeld = t.event().startsWith("flush_");
        int interim = rnd.nextInt(3);
        for (int i = 0; i < interim; i++) {
            interimCommand(flushHeld, depth);
        }
        cmds.add("resume " + first);
        cov.hit("command", "resume");
        if (second != null) {
            cmds.add("wait_break " + tag);
            cmds.add("resume " + tag);
        }
        if (depth == 0 && rnd.nextInt(3) == 0) {
            // only once nothing is suspended: QEMU's aio_flush would wait for it forever (D4)
            cmds.add("aio_flush");
            cov.hit("command", "aio_flush");
        }
    }

    /** A command that cannot wait for the suspended request (so it cannot hang QEMU). */
    private void interimCommand(boolean flushHeld, int depth) {
        int r = rnd.nextInt(100);
        if (format.equals("qcow2")) {
            // the suspended request may hold qcow2's metadata lock: only what never takes it
            cmds.add(r < 50 ? "length" : "sleep 2");
            return;
        }
        long far = 65536L * (8 + rnd.nextInt(6));
        if (r < 20 && depth == 0 && !flushHeld) {
            breakBlock(depth + 1);
        } else if (r < 35) {
            cmds.add("length");
        } else if (r < 55 && !readOnly) {
            cmds.add("aio_write -P " + pattern() + " " + far + " 4096");
            cov.hit("command", "aio_write");
        } else if (r < 70) {
            cmds.add("aio_read " + far + " 4096");
            cov.hit("command", "aio_read");
        } else if (r < 80 && !flushHeld) {
            cmds.add("read " + far + " 512");
        } else if (r < 90 && !flushHeld && !readOnly) {
            cmds.add("write -P " + pattern() + " " + far + " 512");
        } else {
            cmds.add("sleep " + (1 + rnd.nextInt(5)));
        }
    }

    private String tag() {
        return Character.toString('A' + (tags++ % 26)) + (tags > 26 ? Integer.toString(tags / 26) : "");
    }

    // ---- small helpers -----------------------------------------------------------------------

    @SafeVarargs
    private <T> T pick(T... choices) {
        return choices[rnd.nextInt(choices.length)];
    }

    private static long parseSize(String s) {
        return s.endsWith("k") ? Long.parseLong(s.substring(0, s.length() - 1)) * 1024 : Long.parseLong(s);
    }
}
