package org.blkdebug.engine.config;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.BitSet;
import java.util.List;
import java.util.Set;

import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.blkdebug.engine.Errno;
import org.blkdebug.engine.OpenException;

/**
 * The object types qemu-io 7.2 can create, with what their property setters and their
 * {@code complete} check (crypto/secret*.c, block/throttle-groups.c + util/throttle.c,
 * event-loop-base.c, util/thread-context.c, crypto/tls*.c, scsi/pr-manager-helper.c, authz/).
 * Where QEMU's check needs something the JVM has not (the kernel keyring, gnutls parsing a
 * certificate, the pr-helper protocol), the common failure is QEMU's and the rest is listed in
 * docs/differences-from-qemu.md (D19).
 */
final class QomTypes {
    /** The user-creatable classes compiled into qemu-io ({@code qemu-io --object help}). */
    private static final Set<String> TYPES = Set.of("authz-list", "authz-list-file", "authz-simple", "main-loop",
            "pr-manager-helper", "secret", "secret_keyring", "thread-context", "throttle-group", "tls-cipher-suites",
            "tls-creds-anon", "tls-creds-psk", "tls-creds-x509");

    private QomTypes() {
    }

    static boolean exists(String type) {
        return TYPES.contains(type);
    }

    /** An object being created: its properties are set one by one, then it completes. */
    abstract static class Instance {
        final String type;
        final QDict props = new QDict();

        Instance(String type) {
            this.type = type;
        }

        /**
         * object_property_set: the setter's own checks (the value's type is already right). The
         * schema's deprecated {@code loaded} (secrets, TLS credentials) has no setter in QOM.
         */
        void set(String key, Object value) throws OpenException {
            if (key.equals("loaded")) {
                throw new OpenException("Property '" + type + "." + key + "' is not writable");
            }
            props.put(key, value);
        }

        /** user_creatable_complete; returns a secret's bytes, else null. */
        byte[] complete(UserObjects objects) throws OpenException {
            return null;
        }

        final String string(String key) {
            return (String) props.get(key);
        }
    }

    static Instance create(String type) {
        return switch (type) {
            case "secret", "secret_keyring" -> new Secret(type);
            case "main-loop" -> new MainLoop(type);
            case "throttle-group" -> new ThrottleGroup(type);
            case "thread-context" -> new ThreadContext(type);
            case "tls-creds-anon", "tls-creds-psk", "tls-creds-x509", "tls-cipher-suites" -> new Tls(type);
            case "pr-manager-helper" -> new PrManagerHelper(type);
            default -> new Instance(type) { }; // authz-*: nothing to check beyond the schema
        };
    }

    // ---- secret, secret_keyring -------------------------------------------------------------

    private static final class Secret extends Instance {
        Secret(String type) {
            super(type);
        }

        @Override
        void set(String key, Object value) throws OpenException {
            if (key.equals("serial") && (Long) value == 0) {
                throw new OpenException("'serial' should not be equal to 0");
            }
            super.set(key, value);
        }

        @Override
        byte[] complete(UserObjects objects) throws OpenException {
            byte[] input = load();
            boolean base64 = "base64".equals(string("format"));
            String keyid = string("keyid");
            if (keyid != null) {
                return decrypt(objects, keyid, input, base64);
            }
            return base64 ? base64Decode(input, input.length) : input;
        }

        /** load_data of secret (file or data) and of secret_keyring (keyctl_read). */
        private byte[] load() throws OpenException {
            if (type.equals("secret_keyring")) {
                Long serial = (Long) props.get("serial");
                if (serial == null) {
                    throw new OpenException("'serial' parameter must be provided");
                }
                // No keyctl from the JVM: answered as for a key that is not in the keyring (D19).
                throw new OpenException(String.format("Unable to read serial key %08x: Required key not available",
                        serial.intValue()));
            }
            String file = string("file");
            String data = string("data");
            if (file != null) {
                if (data != null) {
                    throw new OpenException("'file' and 'data' are mutually exclusive");
                }
                try {
                    return Files.readAllBytes(Path.of(file));
                } catch (IOException | java.nio.file.InvalidPathException e) {
                    boolean dir = !file.isEmpty() && Files.isDirectory(Path.of(file));
                    // g_file_get_contents' texts
                    throw new OpenException("Unable to read " + file + ": "
                            + (dir ? "Error reading file \u201c" + file + "\u201d: " + Errno.message(Errno.EISDIR)
                                    : "Failed to open file \u201c" + file + "\u201d: " + Errno.message(pathErrno(file, e))));
                }
            }
            if (data != null) {
                return Strtox.cstr(data).getBytes(StandardCharsets.UTF_8);
            }
            throw new OpenException("Either 'file' or 'data' must be provided");
        }

        /** qcrypto_secret_decrypt: AES-256-CBC with the key of secret {@code keyid}. */
        private byte[] decrypt(UserObjects objects, String keyid, byte[] input, boolean base64) throws OpenException {
            UserObjects.Created key = objects.lookup(keyid);
            if (key == null) {
                throw new OpenException("No secret with id '" + keyid + "'");
            }
            if (!key.type().equals("secret") && !key.type().equals("secret_keyring")) {
                throw new OpenException("Object with id '" + keyid + "' is not a secret");
            }
            if (key.secret() == null) {
                throw new OpenException("Secret with id '" + keyid + "' has no data");
            }
            if (key.secret().length != 32) {
                throw new OpenException("Key should be 32 bytes in length");
            }
            String ivText = string("iv");
            if (ivText == null) {
                throw new OpenException("IV is required to decrypt secret");
            }
            byte[] iv = base64Decode(ivText.getBytes(StandardCharsets.UTF_8), -1);
            if (iv.length != 16) {
                throw new OpenException("IV should be 16 bytes in length not " + iv.length);
            }
            byte[] cipherText = base64 ? base64Decode(input, input.length) : input;
            if (cipherText.length % 16 != 0) {
                throw new OpenException("Length " + cipherText.length + " must be a multiple of block size 16");
            }
            byte[] plain;
            try {
                Cipher aes = Cipher.getInstance("AES/CBC/NoPadding");
                aes.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key.secret(), "AES"), new IvParameterSpec(iv));
                plain = aes.doFinal(cipherText);
            } catch (java.security.GeneralSecurityException e) {
                throw new OpenException(e.getMessage());
            }
            if (plain.length == 0) {
                return plain;
            }
            int pad = plain[plain.length - 1] & 0xff;
            if (pad > 16 || pad > plain.length) {
                throw new OpenException("Incorrect number of padding bytes (" + pad + ") found on decrypted data");
            }
            return java.util.Arrays.copyOf(plain, plain.length - pad);
        }
    }

    /**
     * qbase64_decode: {@code length} -1 for a C string, else the bytes must hold no NUL; then
     * GLib's g_base64_decode, which skips newlines and drops an incomplete last group.
     */
    static byte[] base64Decode(byte[] in, int length) throws OpenException {
        int n = in.length;
        if (length >= 0) {
            for (byte b : in) {
                if (b == 0) {
                    throw new OpenException("Base64 data contains embedded NUL characters");
                }
            }
        }
        String valid = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\n";
        for (int i = 0; i < n; i++) {
            if (valid.indexOf(in[i] & 0xff) < 0) {
                throw new OpenException("Base64 data contains invalid characters");
            }
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int v = 0;
        int count = 0;
        int last0 = 0;
        int last1 = 0;
        for (int i = 0; i < n; i++) {
            int c = in[i] & 0xff;
            if (c == '\n') {
                continue;
            }
            int rank = c == '=' ? 0 : valid.indexOf(c);
            last1 = last0;
            last0 = c;
            v = (v << 6) | rank;
            if (++count == 4) {
                out.write(v >> 16);
                if (last1 != '=') {
                    out.write(v >> 8);
                }
                if (last0 != '=') {
                    out.write(v);
                }
                count = 0;
            }
        }
        return out.toByteArray();
    }

    // ---- main-loop ---------------------------------------------------------------------------

    /** event-loop-base.c: every accepted value is applied at once, and qemu-io has no loop yet. */
    private static final class MainLoop extends Instance {
        MainLoop(String type) {
            super(type);
        }

        @Override
        void set(String key, Object value) throws OpenException {
            if ((Long) value < 0) {
                throw new OpenException(key + " value must be in range [0, " + Long.MAX_VALUE + "]");
            }
            throw new OpenException("qemu aio context not ready");
        }

        @Override
        byte[] complete(UserObjects objects) throws OpenException {
            throw new OpenException("qemu aio context not ready");
        }
    }

    // ---- throttle-group ----------------------------------------------------------------------

    /** util/throttle.c's ThrottleConfig: six buckets (bps then iops; total, read, write). */
    private static final class ThrottleGroup extends Instance {
        private static final long VALUE_MAX = 1_000_000_000_000_000L;
        private static final List<String> BUCKETS = List.of("bps-total", "bps-read", "bps-write", "iops-total",
                "iops-read", "iops-write");
        private final long[] avg = new long[6];
        private final long[] max = new long[6];
        private final long[] burstLength = {1, 1, 1, 1, 1, 1};
        private long opSize;

        ThrottleGroup(String type) {
            super(type);
        }

        @Override
        void set(String key, Object value) throws OpenException {
            if (key.equals("limits")) {
                setLimits((QDict) value);
                return;
            }
            long v = (Long) value; // an x-… property
            if (v < 0) {
                throw new OpenException("Property values cannot be negative");
            }
            String name = key.substring(2);
            if (name.endsWith("-max-length") && v > 0xffffffffL) {
                throw new OpenException(key + " value must be in therange [0, 4294967295]"); // sic
            }
            apply(name, v);
        }

        private void apply(String name, long v) {
            if (name.equals("iops-size")) {
                opSize = v;
            } else if (name.endsWith("-max-length")) {
                burstLength[BUCKETS.indexOf(name.substring(0, name.length() - 11))] = v & 0xffffffffL;
            } else if (name.endsWith("-max")) {
                max[BUCKETS.indexOf(name.substring(0, name.length() - 4))] = v;
            } else {
                avg[BUCKETS.indexOf(name)] = v;
            }
        }

        /** throttle_limits_to_config over the group's current config, in ThrottleLimits' order. */
        private void setLimits(QDict limits) throws OpenException {
            for (String suffix : List.of("", "-max")) {
                for (String b : BUCKETS) {
                    if (limits.get(b + suffix) instanceof Long v) {
                        apply(b + suffix, v);
                    }
                }
            }
            for (String b : BUCKETS) {
                if (limits.get(b + "-max-length") instanceof Long v) {
                    if (v > 0xffffffffL) {
                        throw new OpenException(b + "-max-length value must be in the range [0, 4294967295]");
                    }
                    apply(b + "-max-length", v);
                }
            }
            if (limits.get("iops-size") instanceof Long v) {
                opSize = v;
            }
            checkValid();
        }

        /** throttle_is_valid; avg and max are uint64_t there. */
        private void checkValid() throws OpenException {
            boolean bps = avg[0] != 0 && (avg[1] != 0 || avg[2] != 0);
            boolean ops = avg[3] != 0 && (avg[4] != 0 || avg[5] != 0);
            boolean bpsMax = max[0] != 0 && (max[1] != 0 || max[2] != 0);
            boolean opsMax = max[3] != 0 && (max[4] != 0 || max[5] != 0);
            if (bps || ops || bpsMax || opsMax) {
                throw new OpenException("bps/iops/max total values and read/write values cannot be used at the same time");
            }
            if (opSize != 0 && avg[3] == 0 && avg[4] == 0 && avg[5] == 0) {
                throw new OpenException("iops size requires an iops value to be set");
            }
            for (int i = 0; i < 6; i++) {
                if (Long.compareUnsigned(avg[i], VALUE_MAX) > 0 || Long.compareUnsigned(max[i], VALUE_MAX) > 0) {
                    throw new OpenException("bps/iops/max values must be within [0, " + VALUE_MAX + "]");
                }
                if (burstLength[i] == 0) {
                    throw new OpenException("the burst length cannot be 0");
                }
                if (burstLength[i] > 1 && max[i] == 0) {
                    throw new OpenException("burst length set without burst rate");
                }
                if (max[i] != 0 && burstLength[i] > VALUE_MAX / max[i]) {
                    throw new OpenException("burst length too high for this burst rate");
                }
                if (max[i] != 0 && avg[i] == 0) {
                    throw new OpenException("bps_max/iops_max require corresponding bps/iops values");
                }
                if (max[i] != 0 && max[i] < avg[i]) {
                    throw new OpenException("bps_max/iops_max cannot be lower than bps/iops");
                }
            }
        }

        @Override
        byte[] complete(UserObjects objects) throws OpenException {
            checkValid();
            return null;
        }
    }

    // ---- thread-context ----------------------------------------------------------------------

    /** util/thread-context.c: the CPUs are kept at set time and applied when the thread starts. */
    private static final class ThreadContext extends Instance {
        private BitSet cpus;

        ThreadContext(String type) {
            super(type);
        }

        @Override
        void set(String key, Object value) throws OpenException {
            if (cpus != null) {
                throw new OpenException("Mixing CPU and node affinity not supported");
            }
            List<?> ids = (List<?>) value;
            boolean nodes = key.equals("node-affinity");
            if (ids.isEmpty()) {
                throw new OpenException(nodes ? "Node list is empty" : "CPU list is empty");
            }
            BitSet set = new BitSet();
            for (Object id : ids) {
                int n = ((Long) id).intValue();
                if (nodes) {
                    set.or(cpuList(Path.of("/sys/devices/system/node/node" + n + "/cpulist")));
                } else {
                    set.set(n);
                }
            }
            if (nodes && set.isEmpty()) {
                throw new OpenException("The nodes select no CPUs");
            }
            cpus = set;
        }

        @Override
        byte[] complete(UserObjects objects) throws OpenException {
            // sched_setaffinity fails with EINVAL when no CPU of the mask is one the process may use
            if (cpus != null && !cpus.intersects(allowedCpus())) {
                throw new OpenException("Setting CPU affinity failed: " + Errno.message(Errno.EINVAL));
            }
            return null;
        }

        private static BitSet allowedCpus() {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                    if (line.startsWith("Cpus_allowed_list:")) {
                        return parseCpuList(line.substring(line.indexOf(':') + 1).trim());
                    }
                }
            } catch (IOException e) {
                // not Linux: every CPU the JVM sees
            }
            BitSet all = new BitSet();
            all.set(0, Runtime.getRuntime().availableProcessors());
            return all;
        }

        private static BitSet cpuList(Path file) {
            try {
                return parseCpuList(Files.readString(file).trim());
            } catch (IOException e) {
                return new BitSet(); // no such node: QEMU ignores it
            }
        }

        /** The kernel's cpulist format: "0-3,8,10-11". */
        private static BitSet parseCpuList(String list) {
            BitSet set = new BitSet();
            for (String part : list.split(",")) {
                if (part.isBlank()) {
                    continue;
                }
                String[] r = part.trim().split("-");
                int from = Integer.parseInt(r[0]);
                set.set(from, (r.length > 1 ? Integer.parseInt(r[1]) : from) + 1);
            }
            return set;
        }
    }

    // ---- tls-creds-*, tls-cipher-suites -------------------------------------------------------

    /** crypto/tlscreds*.c: the credential files each endpoint needs, stat'ed as QEMU does. */
    private static final class Tls extends Instance {
        Tls(String type) {
            super(type);
        }

        @Override
        byte[] complete(UserObjects objects) throws OpenException {
            boolean server = "server".equals(string("endpoint"));
            switch (type) {
                case "tls-cipher-suites" -> {
                    if (string("priority") == null) {
                        throw new OpenException("'priority' property is not set");
                    }
                }
                case "tls-creds-anon" -> {
                    if (server) {
                        path("dh-params.pem", false);
                    }
                }
                case "tls-creds-psk" -> {
                    if (server) {
                        if (string("username") != null) {
                            throw new OpenException("username should not be set when endpoint=server");
                        }
                        path("dh-params.pem", false);
                    }
                    path("keys.psk", true);
                }
                default -> { // tls-creds-x509
                    path("ca-cert.pem", true);
                    if (server) {
                        path("ca-crl.pem", false);
                        path("server-cert.pem", true);
                        path("server-key.pem", true);
                        path("dh-params.pem", false);
                    } else {
                        path("client-cert.pem", false);
                        path("client-key.pem", false);
                    }
                }
            }
            return null;
        }

        /** qcrypto_tls_creds_get_path. */
        private void path(String file, boolean required) throws OpenException {
            String dir = string("dir");
            if (dir == null) {
                if (required) {
                    throw new OpenException("Missing 'dir' property value");
                }
                return;
            }
            String cred = dir + "/" + file;
            try {
                Files.readAttributes(Path.of(cred), BasicFileAttributes.class);
            } catch (IOException | java.nio.file.InvalidPathException e) {
                int errno = pathErrno(cred, e);
                if (errno != Errno.ENOENT || required) {
                    throw new OpenException("Unable to access credentials " + cred + ": " + Errno.message(errno));
                }
            }
        }
    }

    // ---- pr-manager-helper -------------------------------------------------------------------

    /** scsi/pr-manager-helper.c connects to qemu-pr-helper's socket when it completes. */
    private static final class PrManagerHelper extends Instance {
        private static final int SUN_PATH = 108;
        private static final int ECONNREFUSED = 111;

        PrManagerHelper(String type) {
            super(type);
        }

        @Override
        byte[] complete(UserObjects objects) throws OpenException {
            String path = string("path");
            if (path.getBytes(StandardCharsets.UTF_8).length >= SUN_PATH) {
                throw new OpenException("UNIX socket path '" + path + "' is too long\nPath must be less than "
                        + SUN_PATH + " bytes");
            }
            int errno = ECONNREFUSED; // connect(2) on an empty path, a file or a directory
            try {
                if (!path.isEmpty() && Files.readAttributes(Path.of(path), BasicFileAttributes.class).isOther()) {
                    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                        ch.connect(UnixDomainSocketAddress.of(path));
                        errno = 0;
                    }
                }
            } catch (IOException | java.nio.file.InvalidPathException e) {
                errno = e instanceof IOException io ? Errno.of(io) : Errno.ENOENT;
            }
            if (errno != 0) {
                throw new OpenException("Failed to connect to '" + path + "': " + Errno.message(errno));
            }
            // Connected: qemu-pr-helper's handshake is not spoken here (D19).
            return null;
        }
    }

    /**
     * The errno open(2) or access(2) gives for {@code file}: Java reports neither an empty path
     * (the current directory to it; ENOENT to the kernel) nor a regular file on the way (ENOTDIR)
     * as the kernel does.
     */
    static int pathErrno(String file, Exception e) {
        if (file.isEmpty()) {
            return Errno.ENOENT;
        }
        try {
            for (Path p = Path.of(file).getParent(); p != null; p = p.getParent()) {
                if (Files.isRegularFile(p)) {
                    return Errno.ENOTDIR;
                }
            }
        } catch (java.nio.file.InvalidPathException ignored) {
            return Errno.ENOENT;
        }
        return e instanceof IOException io ? Errno.of(io) : Errno.ENOENT;
    }
}
