package org.blkdebug.engine.block;

import java.lang.invoke.MethodHandle;
import java.lang.reflect.Array;
import java.util.Optional;

/**
 * {@code lseek(2)} with {@code SEEK_DATA} and {@code SEEK_HOLE} on an image file: how file-posix's
 * {@code find_allocation} tells a sparse file's holes from its data. Java has no API for them;
 * JDK 22+'s foreign function API calls libc's. The code is compiled for Java 21, where that API is
 * a preview, so it is reached by reflection, once, on first use (only block status with
 * {@code want_zero} asks: NBD's base:allocation). It needs native access for the engine's module
 * ({@code --enable-native-access=ALL-UNNAMED}, as {@code ./blkdebug} gives); where that or the API
 * is missing (JDK 21, not Linux) {@link #open} returns null, and the file reports data everywhere, which
 * is always correct (only less precise).
 */
final class SeekData implements AutoCloseable {
    private static final int SEEK_DATA = 3; // Linux's values
    private static final int SEEK_HOLE = 4;
    private static final int O_RDONLY_CLOEXEC = 02000000;

    /** libc's open, lseek and close, and a way to make a C string; null when unavailable. */
    private record Libc(MethodHandle open, MethodHandle lseek, MethodHandle close, Class<?> arena) {
    }

    private static final class Holder {
        static final Libc LIBC = link();
    }

    private final int fd;

    private SeekData(int fd) {
        this.fd = fd;
    }

    /** A descriptor of {@code path} for the queries, or null when they are not available. */
    static SeekData open(String path) {
        Libc libc = Holder.LIBC;
        if (libc == null) {
            return null;
        }
        try (AutoCloseable arena = (AutoCloseable) libc.arena().getMethod("ofConfined").invoke(null)) {
            Object cPath = libc.arena().getMethod("allocateFrom", String.class).invoke(arena, path);
            int fd = (int) libc.open().invoke(cPath, O_RDONLY_CLOEXEC, 0);
            return fd < 0 ? null : new SeekData(fd);
        } catch (Throwable e) {
            return null;
        }
    }

    /**
     * file-posix's {@code find_allocation}: the data or hole extent that {@code start} is in, or
     * {@link Backend.Extent#TRAILING_HOLE}; null when the file system cannot tell (QEMU then reports data).
     */
    Backend.Extent find(long start) {
        try {
            long data = (long) Holder.LIBC.lseek().invokeExact(fd, start, SEEK_DATA);
            if (data < 0) {
                // ENXIO, or no support: tell them apart by SEEK_HOLE, which then still answers
                long hole = (long) Holder.LIBC.lseek().invokeExact(fd, start, SEEK_HOLE);
                return hole >= start ? Backend.Extent.TRAILING_HOLE : null;
            }
            if (data > start) {
                return new Backend.Extent(false, data);
            }
            if (data < start) {
                return null; // file-posix: EIO, reported as data
            }
            long hole = (long) Holder.LIBC.lseek().invokeExact(fd, start, SEEK_HOLE);
            return hole > start ? new Backend.Extent(true, hole) : null; // a race with a writer: data
        } catch (Throwable e) {
            return null;
        }
    }

    @Override
    public void close() {
        try {
            int ignored = (int) Holder.LIBC.close().invokeExact(fd);
        } catch (Throwable e) {
            // nothing to do: the descriptor is gone either way
        }
    }

    private static Libc link() {
        if (!System.getProperty("os.name", "").equals("Linux")) {
            return null;
        }
        try {
            // Without --enable-native-access the JDK would print a warning on the first call (and
            // a future one refuses it): then the file keeps reporting data everywhere, silently.
            if (!(boolean) Module.class.getMethod("isNativeAccessEnabled").invoke(SeekData.class.getModule())) {
                return null;
            }
            Class<?> linkerC = Class.forName("java.lang.foreign.Linker");
            Class<?> optionC = Class.forName("java.lang.foreign.Linker$Option");
            Class<?> layoutC = Class.forName("java.lang.foreign.MemoryLayout");
            Class<?> valueC = Class.forName("java.lang.foreign.ValueLayout");
            Class<?> descC = Class.forName("java.lang.foreign.FunctionDescriptor");
            Class<?> segmentC = Class.forName("java.lang.foreign.MemorySegment");
            Class<?> lookupC = Class.forName("java.lang.foreign.SymbolLookup");
            Class<?> arenaC = Class.forName("java.lang.foreign.Arena");
            arenaC.getMethod("allocateFrom", String.class); // JDK 22+ (21's preview named it otherwise)
            Object linker = linkerC.getMethod("nativeLinker").invoke(null);
            Object lookup = linkerC.getMethod("defaultLookup").invoke(linker);
            Object i32 = valueC.getField("JAVA_INT").get(null);
            Object i64 = valueC.getField("JAVA_LONG").get(null);
            Object ptr = valueC.getField("ADDRESS").get(null);
            var of = descC.getMethod("of", layoutC, layoutC.arrayType());
            var downcall = linkerC.getMethod("downcallHandle", segmentC, descC, optionC.arrayType());
            var find = lookupC.getMethod("find", String.class);
            Object none = Array.newInstance(optionC, 0);
            Object variadic = Array.newInstance(optionC, 1);
            // open(const char *, int, ...): the mode is its variadic argument
            Array.set(variadic, 0, optionC.getMethod("firstVariadicArg", int.class).invoke(null, 2));
            MethodHandle open = (MethodHandle) downcall.invoke(linker, symbol(find, lookup, "open"),
                    of.invoke(null, i32, layouts(layoutC, ptr, i32, i32)), variadic);
            MethodHandle lseek = (MethodHandle) downcall.invoke(linker, symbol(find, lookup, "lseek"),
                    of.invoke(null, i64, layouts(layoutC, i32, i64, i32)), none);
            MethodHandle close = (MethodHandle) downcall.invoke(linker, symbol(find, lookup, "close"),
                    of.invoke(null, i32, layouts(layoutC, i32)), none);
            return new Libc(open, lseek, close, arenaC);
        } catch (Throwable e) {
            return null; // JDK 21, or native access refused (--enable-native-access=...)
        }
    }

    private static Object symbol(java.lang.reflect.Method find, Object lookup, String name) throws Exception {
        return ((Optional<?>) find.invoke(lookup, name)).orElseThrow();
    }

    private static Object layouts(Class<?> layoutC, Object... layouts) {
        Object a = Array.newInstance(layoutC, layouts.length);
        for (int i = 0; i < layouts.length; i++) {
            Array.set(a, i, layouts[i]);
        }
        return a;
    }
}
