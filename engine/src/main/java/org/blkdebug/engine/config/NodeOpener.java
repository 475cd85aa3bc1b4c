package org.blkdebug.engine.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.blkdebug.engine.BlkDebugOptions;
import org.blkdebug.engine.DeviceSpec;
import org.blkdebug.engine.NodeSpec;
import org.blkdebug.engine.OpenException;
import org.blkdebug.engine.format.qcow2.Qcow2Options;

/**
 * The part of QEMU 7.2's block.c ({@code bdrv_open_inherit}, {@code bdrv_fill_options},
 * {@code bdrv_open_child_bs}) and block/blkdebug.c ({@code blkdebug_open}) that turns a filename
 * and a flat option dict into a node tree, for the three drivers we model: raw (format), blkdebug
 * and file (protocols). Checks run in QEMU's order so the first error is QEMU's: for blkdebug,
 * runtime option values, rule sections, rules, permission lists, the image child, the size
 * limits, then unused options. Files are not touched: the engine opens the image and reads the
 * config.
 */
final class NodeOpener {
    private static final Set<String> DRIVERS = Set.of("raw", "blkdebug", "file", "qcow2");
    private static final Set<String> FORMATS = Set.of("raw", "qcow2");
    private static final Set<String> PERMISSIONS = Set.of("consistent-read", "write", "write-unchanged", "resize");
    private static final long INT_MAX = Integer.MAX_VALUE;
    /** blkdebug assumes its child's request alignment is 1 (a file node with no O_DIRECT). */
    private static final long CHILD_REQUEST_ALIGNMENT = 1;

    /** qemu-io's -U without -r: the first node's bdrv_open_common refuses it. */
    private final boolean refuseForceShare;
    /** qemu-io's -k: every file node asks for aio=native. */
    private final boolean allNativeAio;
    /** cache.direct: O_DIRECT, which aio=native needs. */
    private final boolean direct;

    private NodeOpener(boolean refuseForceShare, boolean allNativeAio, boolean direct) {
        this.refuseForceShare = refuseForceShare;
        this.allNativeAio = allNativeAio;
        this.direct = direct;
    }

    /** The top node: a format (named or probed) over a child, or a protocol node named by "driver". */
    static DeviceSpec openTop(String filename, QDict options) throws OpenException {
        return openTop(filename, options, false);
    }

    /**
     * @param refuseForceShare qemu-io's {@code -U} on a writable open: refused where QEMU refuses
     *                         it, in the first node's bdrv_open_common (after the filenames and
     *                         drivers are resolved, before any driver checks its options)
     */
    static DeviceSpec openTop(String filename, QDict options, boolean refuseForceShare) throws OpenException {
        return new NodeOpener(refuseForceShare, false, true).top(filename, options);
    }

    /**
     * As {@link #openTop(String, QDict, boolean)}, and each file node checks {@code aio=native}
     * against {@code direct} when it opens, as file-posix does (so before the checks of the nodes
     * above it, blkdebug's constraints among them): {@code allNativeAio} is qemu-io's {@code -k}.
     */
    static DeviceSpec openTop(String filename, QDict options, boolean refuseForceShare, boolean allNativeAio,
                              boolean direct) throws OpenException {
        return new NodeOpener(refuseForceShare, allNativeAio, direct).top(filename, options);
    }

    private DeviceSpec top(String filename, QDict options) throws OpenException {
        if (filename != null && filename.startsWith("json:")) {
            joinJson(options, filename);
            filename = null;
        }
        String driver = options.getString("driver");
        if (driver != null) {
            checkKnown(driver);
            if (driver.equals("qcow2")) {
                return toDeviceSpec(DeviceSpec.Format.QCOW2, openQcow2(filename, options));
            }
            if (!driver.equals("raw")) {
                return toDeviceSpec(DeviceSpec.Format.NONE, openProtocol(filename, options));
            }
        }
        NodeSpec file = openChild(filename, options, "file", true);
        if (file == null) {
            throw new OpenException(driver == null ? "Must specify either driver or file"
                    : mustSpecify("file"));
        }
        options.remove("driver");
        if (options.size() > 0) {
            throw new OpenException("Block format 'raw' does not support the option '" + options.firstKey() + "'");
        }
        if (driver == null) {
            return toDeviceSpec(DeviceSpec.Format.PROBE, new NodeSpec.Probe(file));
        }
        return toDeviceSpec(DeviceSpec.Format.RAW, new NodeSpec.Raw(file, false));
    }

    /**
     * The device spec of a node graph: the plain three fields when they say it all (raw or no
     * format over [blkdebug over] a file, or the probe of it), else with the tree.
     */
    private static DeviceSpec toDeviceSpec(DeviceSpec.Format format, NodeSpec top) {
        // instanceof, not a pattern switch: SwitchBootstraps spins a class per switch at run
        // time (the AOT cache keeps none), ~30 ms of every open (docs/performance.md, target 6)
        NodeSpec chain = top instanceof NodeSpec.Raw raw ? raw.file()
                : top instanceof NodeSpec.Probe probe ? probe.file()
                : top;
        boolean simple = format != DeviceSpec.Format.QCOW2 && isProtocolChain(chain) && !nativeAio(chain)
                && !(top instanceof NodeSpec.Raw raw && raw.probed());
        if (simple) {
            if (chain instanceof NodeSpec.BlkDebug b) {
                return new DeviceSpec(format, b.options(), ((NodeSpec.File) b.image()).filename());
            }
            return new DeviceSpec(format, null, ((NodeSpec.File) chain).filename());
        }
        // the main image: down the primary children to the first file
        NodeSpec n = top;
        BlkDebugOptions bo = null;
        while (!(n instanceof NodeSpec.File)) {
            if (n instanceof NodeSpec.BlkDebug b) {
                if (bo == null) {
                    bo = b.options();
                }
                n = b.image();
            } else if (n instanceof NodeSpec.Raw raw) {
                n = raw.file();
            } else if (n instanceof NodeSpec.Probe probe) {
                n = probe.file();
            } else if (n instanceof NodeSpec.Qcow2 q) {
                n = q.file();
            } else {
                throw new AssertionError(n); // NodeSpec is sealed: every kind is above or a File
            }
        }
        return new DeviceSpec(format, bo, ((NodeSpec.File) n).filename(), top);
    }

    private static boolean nativeAio(NodeSpec n) {
        return n instanceof NodeSpec.File f ? f.nativeAio() : n instanceof NodeSpec.BlkDebug b && nativeAio(b.image());
    }

    /** A file, or one blkdebug over a file. */
    private static boolean isProtocolChain(NodeSpec n) {
        return n instanceof NodeSpec.File || (n instanceof NodeSpec.BlkDebug b && b.image() instanceof NodeSpec.File);
    }

    /** parse_json_filename + qdict_join: options given directly win over the json ones. */
    private static void joinJson(QDict options, String filename) throws OpenException {
        QDict json = Json.parseOptions(filename.substring("json:".length()));
        for (String k : json.keys()) {
            if (!options.containsKey(k)) {
                options.put(k, json.get(k));
            }
        }
    }

    private static void checkKnown(String driver) throws OpenException {
        if (!DRIVERS.contains(driver)) {
            throw new OpenException("Unknown driver '" + driver + "'");
        }
    }

    private static String mustSpecify(String child) {
        return "A block device must be specified for \"" + child + "\"";
    }

    /**
     * bdrv_open_child_bs: the child from "NAME.*" options and/or a filename, or a reference. A
     * child may name a format driver ("file.driver=qcow2"); without one it is a protocol node.
     */
    private NodeSpec openChild(String filename, QDict parent, String name, boolean allowNone)
            throws OpenException {
        QDict sub = parent.extractSub(name + ".");
        String reference = parent.getString(name);
        parent.remove(name);
        if (filename == null && reference == null && sub.size() == 0) {
            if (allowNone) {
                return null;
            }
            throw new OpenException(mustSpecify(name));
        }
        if (reference != null) {
            if (filename != null || sub.size() > 0) {
                throw new OpenException("Cannot reference an existing block device with additional "
                        + "options or a new filename");
            }
            // We have no named nodes, so every reference is unknown.
            throw new OpenException("Cannot find device='" + reference + "' nor node-name='" + reference + "'");
        }
        String driver = sub.getString("driver");
        if (driver != null && FORMATS.contains(driver)) {
            return openFormat(filename, sub, driver);
        }
        return openProtocol(filename, sub);
    }

    /** A format node below another node (nested formats, blkdebug over qcow2, a raw data file). */
    private NodeSpec openFormat(String filename, QDict options, String driver) throws OpenException {
        if (driver.equals("qcow2")) {
            return openQcow2(filename, options);
        }
        options.remove("driver");
        NodeSpec file = openChild(filename, options, "file", false);
        if (options.size() > 0) {
            throw new OpenException("Block format 'raw' does not support the option '" + options.firstKey() + "'");
        }
        return new NodeSpec.Raw(file, false);
    }

    /**
     * The qcow2 format node: its "file" child, "data-file" and "backing" children, and its runtime
     * options (QEMU's qcow2_runtime_opts, checked as QemuOpts checks them).
     */
    private NodeSpec openQcow2(String filename, QDict options) throws OpenException {
        if (filename != null && filename.startsWith("json:")) {
            joinJson(options, filename);
            filename = null;
        }
        options.remove("driver");
        NodeSpec.Backing backing = new NodeSpec.Backing.FromImage();
        if (options.containsKey("backing")) {
            Object b = options.get("backing");
            if (b == QDict.OTHER || "".equals(b)) {
                options.remove("backing");
                backing = new NodeSpec.Backing.None();
            }
        }
        if (!(backing instanceof NodeSpec.Backing.None) && options.hasKeyStartingWith("backing.")) {
            NodeSpec node = openBacking(options);
            backing = new NodeSpec.Backing.Given(node);
        }
        NodeSpec file = openChild(filename, options, "file", false);
        NodeSpec dataFile = null;
        if (options.containsKey("data-file") || options.hasKeyStartingWith("data-file.")) {
            dataFile = openChild(null, options, "data-file", true);
        }
        Opts runtime = Opts.OptsList.QCOW2.create(null, Set.of());
        runtime.absorb(options);
        if (options.size() > 0) {
            throw new OpenException("Block format 'qcow2' does not support the option '" + options.firstKey() + "'");
        }
        return new NodeSpec.Qcow2(file, dataFile, backing, qcow2Options(runtime));
    }

    /** A "backing.*" child: a format node (probed when no driver is named). */
    private NodeSpec openBacking(QDict parent) throws OpenException {
        QDict sub = parent.extractSub("backing.");
        String driver = sub.getString("driver");
        if (driver != null) {
            checkKnown(driver);
            if (FORMATS.contains(driver)) {
                return openFormat(null, sub, driver);
            }
            return openProtocol(null, sub);
        }
        NodeSpec file = openChild(null, sub, "file", true);
        if (file == null) {
            file = openProtocol(null, sub);
        } else if (sub.size() > 0) {
            throw new OpenException("Block format 'raw' does not support the option '" + sub.firstKey() + "'");
        }
        return new NodeSpec.Probe(file);
    }

    private static Qcow2Options qcow2Options(Opts o) throws OpenException {
        String overlap = o.getString("overlap-check");
        String template = o.getString("overlap-check.template");
        if (overlap != null && template != null && !overlap.equals(template)) {
            throw new OpenException("Conflicting values for qcow2 options 'overlap-check' ('" + overlap
                    + "') and 'overlap-check.template' ('" + template + "')");
        }
        java.util.Map<Integer, Boolean> bits = new java.util.HashMap<>();
        for (int i = 0; i < Qcow2Options.OVERLAP_KINDS.length; i++) {
            String key = "overlap-check." + Qcow2Options.OVERLAP_KINDS[i];
            if (o.has(key)) {
                bits.put(i, o.getBool(key, false));
            }
        }
        return new Qcow2Options(o.boolOrNull("lazy-refcounts"), o.boolOrNull("pass-discard-request"),
                o.boolOrNull("pass-discard-snapshot"), o.boolOrNull("pass-discard-other"),
                overlap != null ? overlap : template, bits, o.longOrNull("cache-size"), o.longOrNull("l2-cache-size"),
                o.longOrNull("l2-cache-entry-size"), o.longOrNull("refcount-cache-size"),
                o.longOrNull("cache-clean-interval"));
    }

    /** bdrv_open_inherit + bdrv_fill_options for a protocol node. */
    private NodeSpec openProtocol(String filename, QDict options) throws OpenException {
        if (filename != null && filename.startsWith("json:")) {
            joinJson(options, filename);
            filename = null;
        }
        String driver = options.getString("driver");
        if (driver != null) {
            checkKnown(driver);
        }
        boolean parseFilename = false;
        if (filename != null) {
            if (options.containsKey("filename")) {
                throw new OpenException("Can't specify 'file' and 'filename' options at the same time");
            }
            options.put("filename", filename);
            parseFilename = true;
        }
        String name = options.getString("filename");
        if (driver == null) {
            if (name == null) {
                throw new OpenException("Must specify either driver or file");
            }
            driver = findProtocol(name, parseFilename);
        }
        options.remove("driver");
        return switch (driver) {
            case "blkdebug" -> {
                if (parseFilename) {
                    blkdebugParseFilename(name, options);
                }
                options.remove("filename");
                openCommon();
                yield openBlkdebug(options);
            }
            case "file" -> {
                if (parseFilename && name.startsWith("file:")) {
                    options.put("filename", name.substring("file:".length())); // raw_parse_filename
                }
                openCommon();
                NodeSpec.File f = openFile(options);
                // raw_open_common checks it once qemu_open succeeded: a file it cannot open fails
                // with "Could not open" first, which the engine's open reports
                if ((f.nativeAio() || allNativeAio) && !direct && readable(f.filename())) {
                    throw new OpenException("aio=native was specified, but it requires cache.direct=on, "
                            + "which was not specified.");
                }
                yield f;
            }
            // a format driver where a protocol is expected
            default -> throw new OpenException("Unknown driver '" + driver + "'");
        };
    }

    /**
     * bdrv_open_common of a protocol node, the first node QEMU opens (a format opens its file child
     * first): where force-share without read-only is refused.
     */
    private void openCommon() throws OpenException {
        if (refuseForceShare) {
            throw new OpenException("force-share=on can only be used with read-only images");
        }
    }

    /** bdrv_find_protocol: "PROTO:" before any '/' names a protocol, if prefixes are allowed. */
    private static String findProtocol(String filename, boolean allowPrefix) throws OpenException {
        int stop = 0;
        while (stop < filename.length() && filename.charAt(stop) != ':' && filename.charAt(stop) != '/') {
            stop++;
        }
        if (!allowPrefix || stop == filename.length() || filename.charAt(stop) != ':') {
            return "file";
        }
        String protocol = filename.substring(0, Math.min(stop, 127));
        if (protocol.equals("file") || protocol.equals("blkdebug")) {
            return protocol;
        }
        // QEMU knows more protocols (nbd, http, ...); none of them is modelled here.
        throw new OpenException("Unknown protocol '" + protocol + "'");
    }

    /** blkdebug_parse_filename: "blkdebug:CONFIG:IMAGE" (empty CONFIG = none), or just IMAGE. */
    private static void blkdebugParseFilename(String filename, QDict options) throws OpenException {
        if (!filename.startsWith("blkdebug:")) {
            options.put("x-image", filename);
            return;
        }
        String rest = filename.substring("blkdebug:".length());
        int colon = rest.indexOf(':');
        if (colon < 0) {
            throw new OpenException("blkdebug requires both config file and image path");
        }
        if (colon > 0) {
            options.put("config", rest.substring(0, colon));
        }
        options.put("x-image", rest.substring(colon + 1));
    }

    private static boolean readable(String filename) {
        try {
            return java.nio.file.Files.isReadable(java.nio.file.Path.of(filename));
        } catch (java.nio.file.InvalidPathException e) {
            return false;
        }
    }

    private static NodeSpec.File openFile(QDict options) throws OpenException {
        String name = options.getString("filename");
        options.remove("filename");
        if (name == null || name.isEmpty()) {
            throw new OpenException("The 'file' block driver requires a file name");
        }
        // raw_open_common: aio and locking are checked (QAPI enums), then have no effect here:
        // Java has neither native AIO nor a choice of locks. aio=native still needs O_DIRECT, and
        // its reads of holes go on without waiting (FileNode.answeredAtSubmission).
        String aio = enumOption(options, "aio", Set.of("threads", "native", "io_uring"));
        enumOption(options, "locking", Set.of("off", "on", "auto"));
        if (options.size() > 0) {
            // QEMU's file driver has more options of its own (pr-manager, drop-cache, ...)
            throw new OpenException("Block protocol 'file' doesn't support the option '" + options.firstKey() + "'");
        }
        return new NodeSpec.File(name, "native".equals(aio));
    }

    /** A QAPI enum option: removed from {@code options}; a value it lacks is QEMU's error. */
    private static String enumOption(QDict options, String key, Set<String> values) throws OpenException {
        if (!options.containsKey(key)) {
            return null;
        }
        Object v = options.get(key);
        options.remove(key);
        String s = v instanceof String str ? str : v instanceof QDict.Scalar sc ? sc.text() : null;
        if (s == null) {
            return null; // QemuOpts skips a null or an empty object
        }
        if (!values.contains(s)) {
            throw new OpenException("invalid parameter value: " + s);
        }
        return s;
    }

    /** blkdebug_open, in QEMU's order. */
    private NodeSpec openBlkdebug(QDict options) throws OpenException {
        Opts runtime = Opts.OptsList.BLKDEBUG.create(null, Set.of());
        runtime.absorb(options);
        // (read_config would parse the config file here; the engine does that at open.)
        List<String> customEvents = customEvents(options);
        List<Opts> inject = OptionSections.extract(options, Opts.OptsList.INJECT_ERROR);
        List<Opts> setState = OptionSections.extract(options, Opts.OptsList.SET_STATE);
        List<Opts> delay = OptionSections.extract(options, Opts.OptsList.INJECT_DELAY); // ours
        ConfigFile.Rules rules = RuleFactory.build(inject, setState, List.of(), customEvents, delay);
        checkPermissions(options, "take-child-perms.");
        checkPermissions(options, "unshare-child-perms.");
        NodeSpec image = openChild(runtime.getString("x-image"), options, "image", false);
        if (image instanceof NodeSpec.BlkDebug) {
            // QEMU can stack blkdebug on blkdebug; our engine does not.
            throw new OpenException("Unknown driver 'blkdebug'");
        }
        long align = runtime.getNumber("align", 0);
        if (align != 0 && (Long.compareUnsigned(align, INT_MAX) >= 0 || Long.bitCount(align) != 1)) {
            throw constraints("align", align);
        }
        long a = Math.max(align, CHILD_REQUEST_ALIGNMENT);
        long maxTransfer = limit(runtime, "max-transfer", a);
        long optWriteZero = limit(runtime, "opt-write-zero", a);
        long maxWriteZero = limit(runtime, "max-write-zero", maxUnsigned(optWriteZero, a));
        long optDiscard = limit(runtime, "opt-discard", a);
        long maxDiscard = limit(runtime, "max-discard", maxUnsigned(optDiscard, a));
        options.remove("filename");
        if (options.size() > 0) {
            throw new OpenException("Block protocol 'blkdebug' doesn't support the option '"
                    + options.firstKey() + "'");
        }
        String imageName = image instanceof NodeSpec.File f ? f.filename() : null;
        Long seed = runtime.has("seed") ? runtime.getNumber("seed", 0) : null;
        BlkDebugOptions o = new BlkDebugOptions(runtime.getString("config"), imageName, align,
                maxTransfer, optWriteZero, maxWriteZero, optDiscard, maxDiscard,
                rules.injectErrors(), rules.setStates(), customEvents, rules.injectDelays(), seed,
                virtualClock(runtime.getString("clock")));
        return new NodeSpec.BlkDebug(o, image);
    }

    /**
     * Ours, not QEMU's (D13): custom events declared as {@code custom-event.N=NAME}, N from 0
     * without gaps (json: {@code "custom-event": ["wal_commit"]}). Without them nothing changes,
     * so QEMU's error order is kept; QEMU itself rejects the option as unsupported.
     */
    private static List<String> customEvents(QDict options) throws OpenException {
        QDict sub = options.extractSub("custom-event.");
        List<String> names = new ArrayList<>();
        for (int i = 0; sub.containsKey(Integer.toString(i)); i++) {
            String index = Integer.toString(i);
            String name = sub.getString(index);
            if (name == null) {
                throw new OpenException("Invalid parameter type for 'custom-event." + i + "', expected: string");
            }
            sub.remove(index);
            names.add(RuleFactory.customEvent(name).name());
        }
        if (sub.size() > 0) {
            throw new OpenException("Block protocol 'blkdebug' doesn't support the option 'custom-event."
                    + sub.firstKey() + "'");
        }
        return names;
    }

    /** Ours: {@code clock = wall | virtual}. */
    private static boolean virtualClock(String clock) throws OpenException {
        if (clock == null || clock.equals("wall")) {
            return false;
        }
        if (clock.equals("virtual")) {
            return true;
        }
        throw new OpenException("Parameter 'clock' expects 'wall' or 'virtual', not '" + clock + "'");
    }

    private static long maxUnsigned(long x, long y) {
        return Long.compareUnsigned(x, y) >= 0 ? x : y;
    }

    /** A size limit: 0 = none, else below INT_MAX and a multiple of {@code multipleOf}. */
    private static long limit(Opts runtime, String name, long multipleOf) throws OpenException {
        long v = runtime.getNumber(name, 0);
        if (v != 0 && (Long.compareUnsigned(v, INT_MAX) >= 0 || Long.remainderUnsigned(v, multipleOf) != 0)) {
            throw constraints(name, v);
        }
        return v;
    }

    private static OpenException constraints(String name, long value) {
        return new OpenException("Cannot meet constraints with " + name + " " + Long.toUnsignedString(value));
    }

    /**
     * blkdebug_parse_perm_list: "take-child-perms.N" must crumple into a list of permission names.
     * The permissions themselves are not modelled (the engine has no permission system).
     */
    private static void checkPermissions(QDict options, String prefix) throws OpenException {
        QDict sub = options.extractSub(prefix);
        if (sub.size() == 0) {
            return;
        }
        // qdict_crumple: group by the first key component, then qdict_is_list.
        Map<String, Object> firstLevel = new LinkedHashMap<>();
        for (String k : sub.keys()) {
            int dot = k.indexOf('.');
            firstLevel.put(dot < 0 ? k : k.substring(0, dot), dot < 0 ? sub.get(k) : QDict.OTHER);
        }
        int isList = -1;
        long len = 0;
        long max = -1;
        for (String k : firstLevel.keySet()) {
            Strtox.Parsed p = Strtox.strtoull(k, 10);
            boolean index = !p.erange() && p.end() == k.length() && p.end() > 0 && k.indexOf('-') < 0;
            if (isList == -1) {
                isList = index ? 1 : 0;
            }
            if (index != (isList == 1)) {
                throw new OpenException("Cannot mix list and non-list keys");
            }
            if (index) {
                len++;
                max = Math.max(max, p.value());
            }
        }
        if (len != max + 1) {
            throw new OpenException("List indices are not contiguous, saw " + len + " elements but "
                    + max + " largest index");
        }
        if (isList != 1) {
            throw new OpenException("Invalid parameter type for '<anonymous>', expected: array");
        }
        for (long i = 0; i <= max; i++) {
            Object v = firstLevel.get(Long.toString(i));
            if (v == null) {
                throw new OpenException("Missing list index " + i);
            }
            if (!(v instanceof String s)) {
                throw new OpenException("Invalid parameter type for '[" + i + "]', expected: string");
            }
            if (!PERMISSIONS.contains(s)) {
                throw new OpenException("Parameter 'null' does not accept value '" + s + "'");
            }
        }
    }
}
