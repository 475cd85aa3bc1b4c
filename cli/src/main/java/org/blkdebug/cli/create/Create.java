package org.blkdebug.cli.create;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.blkdebug.cli.commands.Numbers;
import org.blkdebug.engine.BlkDebug;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.OpenException;
import org.blkdebug.engine.OpenOptions;
import org.blkdebug.engine.config.DeviceSpecs;
import org.blkdebug.engine.format.qcow2.Qcow2Create;

/**
 * {@code blkdebug create [-q] [-f qcow2|raw] [-o OPTIONS] [-b BACKING -F FMT] FILE [SIZE]}: the
 * subset of {@code qemu-img create} that makes the images blkdebug opens, so a machine without
 * QEMU can make them too. qcow2 images come out byte for byte as qemu-img 7.2 makes them.
 */
public final class Create {
    private Create() {
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        String fmt = "raw";
        String opts = null;
        String backing = null;
        String backingFmt = null;
        boolean quiet = false;
        List<String> operands = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "-f", "-o", "-b", "-F" -> {
                    if (i + 1 == args.length) {
                        err.println("blkdebug create: option requires an argument -- '" + a.substring(1) + "'");
                        return 1;
                    }
                    String v = args[++i];
                    switch (a) {
                        case "-f" -> fmt = v;
                        case "-o" -> opts = opts == null ? v : opts + "," + v;
                        case "-b" -> backing = v;
                        default -> backingFmt = v;
                    }
                }
                case "-q" -> quiet = true;
                default -> operands.add(a);
            }
        }
        if (operands.isEmpty() || operands.size() > 2) {
            err.println("usage: blkdebug create [-q] [-f qcow2|raw] [-o options] [-b backing_file -F backing_fmt] "
                    + "filename [size]");
            return 1;
        }
        String filename = operands.get(0);
        try {
            Map<String, String> o = parseOptions(opts);
            if (backing != null) {
                o.put("backing_file", backing);
            }
            if (backingFmt != null) {
                o.put("backing_fmt", backingFmt);
            }
            long size;
            if (operands.size() == 2) {
                size = Numbers.cvtnum(operands.get(1), m -> { });
            } else if (o.containsKey("backing_file")) {
                size = backingSize(filename, o.get("backing_file"), o.get("backing_fmt"));
            } else {
                err.println("blkdebug create: " + filename + ": Image creation needs a size parameter");
                return 1;
            }
            size = (size + 511) / 512 * 512;
            if (fmt.equals("raw")) {
                if (!quiet) {
                    out.println("Formatting '" + filename + "', fmt=raw size=" + size);
                }
                try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(filename, "rw")) {
                    f.setLength(size);
                }
                return 0;
            }
            if (!fmt.equals("qcow2")) {
                err.println("blkdebug create: Unknown file format '" + fmt + "'");
                return 1;
            }
            if (o.containsKey("backing_file") && !o.containsKey("backing_fmt")) {
                err.println("blkdebug create: " + filename + ": Backing file specified without backing format");
                return 1;
            }
            Qcow2Create.Options co = qcow2Options(o);
            if (!quiet) {
                out.println(formatting(filename, size, o));
            }
            Qcow2Create.create(filename, size, co);
            return 0;
        } catch (Numbers.NumberFormatError e) {
            err.println("blkdebug create: Invalid image size specified. Optional suffix k, M, G, T, P or E means "
                    + "kilo-, mega-, giga-, tera-, peta-");
            return 1;
        } catch (IllegalArgumentException | java.io.IOException e) {
            err.println("blkdebug create: " + filename + ": " + e.getMessage());
            return 1;
        }
    }

    private static Map<String, String> parseOptions(String opts) {
        Map<String, String> o = new LinkedHashMap<>();
        if (opts != null) {
            for (String kv : opts.split(",")) {
                int eq = kv.indexOf('=');
                if (eq < 0) {
                    throw new IllegalArgumentException("Invalid parameter '" + kv + "'");
                }
                o.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        return o;
    }

    private static Qcow2Create.Options qcow2Options(Map<String, String> o) throws Numbers.NumberFormatError {
        int version = 3;
        String compat = o.get("compat");
        if (compat != null) {
            version = switch (compat) {
                case "0.10", "v2" -> 2;
                case "1.1", "v3" -> 3;
                default -> throw new IllegalArgumentException("Invalid compatibility level: '" + compat + "'");
            };
        }
        for (String k : o.keySet()) {
            if (!List.of("compat", "cluster_size", "extended_l2", "refcount_bits", "lazy_refcounts", "preallocation",
                    "backing_file", "backing_fmt", "compression_type", "data_file").contains(k)) {
                throw new IllegalArgumentException("Invalid parameter '" + k + "'");
            }
        }
        if (o.containsKey("compression_type") && !o.get("compression_type").equals("zlib")) {
            throw new IllegalArgumentException("Unknown compression type");
        }
        int clusterSize = (int) Numbers.cvtnum(o.getOrDefault("cluster_size", "65536"), m -> { });
        return new Qcow2Create.Options(version, clusterSize, bool(o.get("extended_l2")),
                Integer.parseInt(o.getOrDefault("refcount_bits", "16")), bool(o.get("lazy_refcounts")),
                o.getOrDefault("preallocation", "off"), o.get("backing_file"), o.get("backing_fmt"), o.get("data_file"));
    }

    private static boolean bool(String v) {
        if (v == null || v.equals("off") || v.equals("false")) {
            return false;
        }
        if (v.equals("on") || v.equals("true")) {
            return true;
        }
        throw new IllegalArgumentException("Parameter expects 'on' or 'off'");
    }

    /** qemu-img's "Formatting ..." line, its options in qemu-img's order. */
    private static String formatting(String filename, long size, Map<String, String> o) {
        StringBuilder sb = new StringBuilder("Formatting '").append(filename).append("', fmt=qcow2");
        sb.append(" cluster_size=").append(o.getOrDefault("cluster_size", "65536"));
        sb.append(" extended_l2=").append(o.getOrDefault("extended_l2", "off"));
        if (o.containsKey("preallocation")) {
            sb.append(" preallocation=").append(o.get("preallocation"));
        }
        sb.append(" compression_type=").append(o.getOrDefault("compression_type", "zlib"));
        sb.append(" size=").append(size);
        if (o.containsKey("backing_file")) {
            sb.append(" backing_file=").append(o.get("backing_file"));
        }
        if (o.containsKey("backing_fmt")) {
            sb.append(" backing_fmt=").append(o.get("backing_fmt"));
        }
        if (o.containsKey("data_file")) {
            sb.append(" data_file=").append(o.get("data_file"));
        }
        if (o.containsKey("compat")) {
            sb.append(" compat=").append(o.get("compat"));
        }
        sb.append(" lazy_refcounts=").append(o.getOrDefault("lazy_refcounts", "off"));
        sb.append(" refcount_bits=").append(o.getOrDefault("refcount_bits", "16"));
        return sb.toString();
    }

    /** The size of the backing image, opened read-only (relative to the new image's directory). */
    private static long backingSize(String filename, String backing, String fmt) throws OpenException {
        String path = backing;
        if (!backing.startsWith("/") && !backing.startsWith("json:")) {
            int slash = filename.lastIndexOf('/');
            path = slash < 0 ? backing : filename.substring(0, slash + 1) + backing;
        }
        try (Device d = BlkDebug.open(DeviceSpecs.parseFilename(path, fmt), OpenOptions.defaults().withReadOnly(true))) {
            return d.length();
        } catch (BlockException e) {
            throw new OpenException("Could not open backing image: " + e.getMessage());
        }
    }
}
