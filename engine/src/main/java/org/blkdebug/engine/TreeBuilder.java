package org.blkdebug.engine;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.blkdebug.engine.block.Backend;
import org.blkdebug.engine.block.BlkDebugNode;
import org.blkdebug.engine.block.FileBackend;
import org.blkdebug.engine.block.FileNode;
import org.blkdebug.engine.block.Node;
import org.blkdebug.engine.block.RawNode;
import org.blkdebug.engine.config.ConfigFile;
import org.blkdebug.engine.config.DeviceSpecs;
import org.blkdebug.engine.crash.VolatileCache;
import org.blkdebug.engine.format.qcow2.Diagnostics;
import org.blkdebug.engine.format.qcow2.Qcow2Node;
import org.blkdebug.engine.format.qcow2.Qcow2Options;
import org.blkdebug.engine.request.RequestTracker;
import org.blkdebug.engine.time.RequestClock;

/**
 * Builds a node graph ({@link NodeSpec}) bottom-up, as QEMU's bdrv_open does: protocols, blkdebug
 * (with its config file read and {@code none} fired), formats, probing, qcow2 with its data file
 * and backing chain (opened read-only after the image, relative to its directory).
 */
final class TreeBuilder {
    private final OpenOptions options;
    private final RequestTracker tracker;
    private final RequestClock clock;
    /** The caller's backend for the main image, used once; null to open files. */
    private Backend mainBackend;
    private final String mainFilename;
    /** The config rules the caller read for the main blkdebug node, used once. */
    private ConfigFile.Rules mainConfig;
    private final List<Node> opened = new ArrayList<>();

    private TreeBuilder(OpenOptions options, Backend mainBackend, String mainFilename, ConfigFile.Rules mainConfig,
                        RequestTracker tracker, RequestClock clock) {
        this.options = options;
        this.tracker = tracker;
        this.clock = clock;
        this.mainBackend = mainBackend;
        this.mainFilename = mainFilename;
        this.mainConfig = mainConfig;
    }

    /**
     * @param backend the main image's backend (under the volatile cache when there is one), used
     *                for the file node of {@code spec.filename()}
     */
    static BlockDevice build(DeviceSpec spec, OpenOptions o, Backend backend, ConfigFile.Rules config,
                             RequestTracker tracker, RequestClock clock, VolatileCache cache) throws OpenException {
        NodeSpec tree = spec.tree();
        if (tree == null) {
            NodeSpec chain = new NodeSpec.File(spec.filename());
            if (spec.blkdebug() != null) {
                chain = new NodeSpec.BlkDebug(spec.blkdebug(), chain);
            }
            tree = switch (spec.format()) {
                case PROBE -> new NodeSpec.Probe(chain);
                case RAW -> new NodeSpec.Raw(chain, false);
                case QCOW2 -> new NodeSpec.Qcow2(chain, null, new NodeSpec.Backing.FromImage(),
                        Qcow2Options.DEFAULTS);
                default -> chain;
            };
        }
        TreeBuilder b = new TreeBuilder(o, backend, spec.filename(), config, tracker, clock);
        try {
            Node top = b.node(tree, o.readOnly());
            StackBuilder.discardPolicy(top, o);
            try {
                StackBuilder.checkWritePermission(top, o);
            } catch (OpenException e) {
                throw tree instanceof NodeSpec.Probe && top instanceof RawNode ? e.markProbedRaw() : e;
            }
            StackBuilder.copyOnRead(top, o);
            return new BlockDevice(top, primaryBlkDebug(top), o.cache(), tracker, clock, cache, o.snapshot());
        } catch (OpenException | RuntimeException e) {
            b.closeAll();
            throw e;
        }
    }

    /** bdrv_debug_breakpoint's walk: down the primary children to the first blkdebug node. */
    private static BlkDebugNode primaryBlkDebug(Node top) {
        for (Node n = top; n != null; n = n.child()) {
            if (n instanceof BlkDebugNode b) {
                return b;
            }
        }
        return null;
    }

    private void closeAll() {
        for (int i = opened.size() - 1; i >= 0; i--) {
            try {
                opened.get(i).close();
            } catch (BlockException e) {
                // the open error is the one to report
            }
        }
    }

    private OpenOptions withReadOnly(boolean ro) {
        return options.withReadOnly(ro);
    }

    private Node node(NodeSpec spec, boolean readOnly) throws OpenException {
        return switch (spec) {
            case NodeSpec.File f -> file(f.filename(), readOnly, f.nativeAio());
            case NodeSpec.BlkDebug b -> blkdebug(b, readOnly);
            case NodeSpec.Raw raw -> {
                Node n = new RawNode(node(raw.file(), readOnly), raw.probed());
                StackBuilder.configure(n, withReadOnly(readOnly));
                yield n;
            }
            case NodeSpec.Probe p -> probe(p, readOnly);
            case NodeSpec.Qcow2 q -> qcow2(q, node(q.file(), readOnly), readOnly);
        };
    }

    private Node file(String filename, boolean readOnly, boolean nativeAio) throws OpenException {
        Backend backend;
        if (mainBackend != null && filename.equals(mainFilename)) {
            backend = mainBackend;
            mainBackend = null;
        } else {
            backend = FileBackend.open(filename, readOnly);
        }
        FileNode n = new FileNode(backend, readOnly, options.byteLength());
        opened.add(n);
        StackBuilder.configure(n, withReadOnly(readOnly));
        StackBuilder.checkNativeAio(nativeAio, options);
        if (options.cache().direct()) {
            n.openDirect(nativeAio || options.nativeAio()); // backing files too: they inherit cache.direct
        }
        return n;
    }

    private Node blkdebug(NodeSpec.BlkDebug b, boolean readOnly) throws OpenException {
        BlkDebugOptions bo = b.options();
        ConfigFile.Rules config;
        if (mainConfig != null && b.image() instanceof NodeSpec.File f && f.filename().equals(mainFilename)) {
            config = mainConfig; // read by the caller already
            mainConfig = null;
        } else if (bo.config() == null || bo.config().isEmpty()) {
            config = new ConfigFile.Rules(List.of(), List.of(), List.of(), List.of());
        } else {
            config = ConfigFile.read(bo.config(), bo.customEvents());
        }
        Node image = node(b.image(), readOnly);
        BlkDebugNode n = StackBuilder.blkdebugNode(bo, image, config.injectErrors(),
                config.setStates(), config.customEvents(), config.injectDelays(), withReadOnly(readOnly), tracker,
                clock);
        opened.remove(image);
        opened.add(n);
        return n;
    }

    /**
     * find_image_format: qcow2 by its magic (and a version of at least 2), another format QEMU
     * would find refused, raw otherwise.
     */
    private Node probe(NodeSpec.Probe p, boolean readOnly) throws OpenException {
        Node below = node(p.file(), readOnly);
        byte[] head = StackBuilder.probe(below, tracker);
        if (head.length >= 112 && head[0] == 'Q' && head[1] == 'F' && head[2] == 'I' && (head[3] & 0xff) == 0xfb
                && ((head[4] & 0xff) << 24 | (head[5] & 0xff) << 16 | (head[6] & 0xff) << 8 | (head[7] & 0xff)) >= 2) {
            return qcow2(new NodeSpec.Qcow2(p.file(), null, new NodeSpec.Backing.FromImage(), Qcow2Options.DEFAULTS),
                    below, readOnly);
        }
        String other = OtherFormats.of(head);
        if (other != null) {
            throw new OpenException("Image format '" + other + "' is not supported (only raw and qcow2);"
                    + " use -f raw to open the file as raw");
        }
        Node n = new RawNode(below, true);
        StackBuilder.configure(n, withReadOnly(readOnly));
        opened.remove(below);
        opened.add(n);
        return n;
    }

    private Node qcow2(NodeSpec.Qcow2 q, Node file, boolean readOnly) throws OpenException {
        String imageName = fileName(q.file());
        Node dataFile = q.dataFile() == null ? null : node(q.dataFile(), readOnly);
        Qcow2Node.Children children = new Qcow2Node.Children() {
            @Override
            public Node dataFile() {
                return dataFile;
            }

            @Override
            public Node openDataFile(String name) throws OpenException {
                return file(resolve(imageName, name), readOnly, false);
            }
        };
        Qcow2Node n = Qcow2Node.open(file, children, q.options(), readOnly, options.unmap(), tracker, diagnostics());
        opened.remove(file);
        if (dataFile != null) {
            opened.remove(dataFile);
        }
        opened.add(n);
        Node backing = switch (q.backing()) {
            case NodeSpec.Backing.None none -> null;
            case NodeSpec.Backing.Given g -> backingNode(g.node());
            case NodeSpec.Backing.FromImage f -> n.backingFileName() == null ? null
                    : backingFromImage(imageName, n.backingFileName(), n.backingFormat());
        };
        if (backing != null) {
            opened.remove(backing);
        }
        n.attachBacking(backing);
        StackBuilder.configure(n, withReadOnly(readOnly));
        return n;
    }

    private Node backingNode(NodeSpec spec) throws OpenException {
        try {
            return node(spec, true);
        } catch (OpenException e) {
            throw new OpenException("Could not open backing file: " + e.getMessage(), e);
        }
    }

    /** The backing file the image names: relative to the image's directory, its format from the header. */
    private Node backingFromImage(String imageName, String backingName, String format) throws OpenException {
        try {
            DeviceSpec spec;
            if (backingName.startsWith("json:")) {
                spec = DeviceSpecs.parseFilename(backingName, format);
            } else {
                if (imageName == null && !Path.of(backingName).isAbsolute()) {
                    throw new OpenException("Cannot use relative backing file names for the image");
                }
                spec = DeviceSpecs.parseFilename(resolve(imageName, backingName), format);
            }
            NodeSpec tree = spec.tree() != null ? spec.tree() : switch (spec.format()) {
                case PROBE -> new NodeSpec.Probe(chainOf(spec));
                case RAW -> new NodeSpec.Raw(chainOf(spec), false);
                default -> chainOf(spec);
            };
            return node(tree, true);
        } catch (OpenException e) {
            throw new OpenException("Could not open backing file: " + e.getMessage(), e);
        }
    }

    private static NodeSpec chainOf(DeviceSpec spec) {
        NodeSpec chain = new NodeSpec.File(spec.filename());
        return spec.blkdebug() != null ? new NodeSpec.BlkDebug(spec.blkdebug(), chain) : chain;
    }

    /** The file name under a node's protocol chain (through blkdebug), or null. */
    private static String fileName(NodeSpec spec) {
        return switch (spec) {
            case NodeSpec.File f -> f.filename();
            case NodeSpec.BlkDebug b -> fileName(b.image());
            default -> null;
        };
    }

    /** path_combine: {@code name} relative to the directory of {@code base}. */
    private static String resolve(String base, String name) {
        if (name.startsWith("/") || base == null) {
            return name;
        }
        int slash = base.lastIndexOf('/');
        return slash < 0 ? name : base.substring(0, slash + 1) + name;
    }

    private Diagnostics diagnostics() {
        BlkDebugListener l = options.listener();
        return new Diagnostics() {
            @Override
            public void print(String line) {
                l.message(line);
            }

            @Override
            public void report(String message) {
                l.error(message);
            }
        };
    }
}
