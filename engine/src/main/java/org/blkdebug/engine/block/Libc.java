package org.blkdebug.engine.block;

import java.lang.invoke.MethodHandle;
import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.util.Optional;
import java.util.function.IntFunction;

/**
 * libc's functions for the few things Java has no API for ({@link SeekData}, {@link Fallocate}, {@link
 * DirectIoAlignment}), through JDK 22+'s foreign function API. The code is compiled for Java 21,
 * where that API is a preview, so it is reached by reflection. It needs native access for the
 * engine's module ({@code --enable-native-access=ALL-UNNAMED}, as {@code ./blkdebug} gives); where
 * that or the API is missing (JDK 21, not Linux) {@link #get} returns null and each caller does
 * without, never printing the JDK's warning.
 */
final class Libc {
    final Object i32;
    final Object i64;
    final Object ptr;
    private final Object linker;
    private final Object lookup;
    private final Class<?> optionC;
    private final Class<?> layoutC;
    private final Method of;
    private final Method downcall;
    private final Method find;
    private final Method ofConfined;
    private final Method allocateFrom;
    private final Method allocate;
    private final Method getInt;
    private final Method getLong;
    private final Object captureErrno;
    /** Size of the segment a call that captures errno takes first, and errno's offset in it. */
    final long captureSize;
    final long errnoOffset;
    /** open(2) and close(2) without errno, for the descriptors kept open ({@link Fd}). */
    private final MethodHandle open;
    private final MethodHandle close;

    /** A descriptor of the image file kept for native calls, closed with the backend. */
    abstract static class Fd implements AutoCloseable {
        final int fd;

        Fd(int fd) {
            this.fd = fd;
        }

        @Override
        public void close() {
            get().close(fd);
        }
    }

    /** How a caller links its function ({@link #function}). */
    interface Linking {
        MethodHandle link(Libc libc) throws ReflectiveOperationException;
    }

    /** The handle {@code how} links, or null where native calls (or that function) are not available here. */
    static MethodHandle handle(Linking how) {
        Libc libc = get();
        if (libc == null) {
            return null;
        }
        try {
            return how.link(libc);
        } catch (Throwable e) {
            return null;
        }
    }

    private static final class Holder {
        static final Libc LIBC = link();
    }

    private Libc() throws ReflectiveOperationException {
        Class<?> linkerC = Class.forName("java.lang.foreign.Linker");
        optionC = Class.forName("java.lang.foreign.Linker$Option");
        layoutC = Class.forName("java.lang.foreign.MemoryLayout");
        Class<?> pathC = Class.forName("java.lang.foreign.MemoryLayout$PathElement");
        Class<?> valueC = Class.forName("java.lang.foreign.ValueLayout");
        Class<?> segmentC = Class.forName("java.lang.foreign.MemorySegment");
        Class<?> arenaC = Class.forName("java.lang.foreign.Arena");
        ofConfined = arenaC.getMethod("ofConfined");
        allocateFrom = arenaC.getMethod("allocateFrom", String.class); // JDK 22+ (21's preview named it otherwise)
        allocate = arenaC.getMethod("allocate", long.class, long.class);
        linker = linkerC.getMethod("nativeLinker").invoke(null);
        lookup = linkerC.getMethod("defaultLookup").invoke(linker);
        i32 = valueC.getField("JAVA_INT").get(null);
        i64 = valueC.getField("JAVA_LONG").get(null);
        ptr = valueC.getField("ADDRESS").get(null);
        getInt = segmentC.getMethod("get", Class.forName("java.lang.foreign.ValueLayout$OfInt"), long.class);
        getLong = segmentC.getMethod("get", Class.forName("java.lang.foreign.ValueLayout$OfLong"), long.class);
        of = Class.forName("java.lang.foreign.FunctionDescriptor").getMethod("of", layoutC, layoutC.arrayType());
        downcall = linkerC.getMethod("downcallHandle", segmentC, of.getDeclaringClass(), optionC.arrayType());
        find = Class.forName("java.lang.foreign.SymbolLookup").getMethod("find", String.class);
        Object state = optionC.getMethod("captureStateLayout").invoke(null);
        Object errnoPath = Array.newInstance(pathC, 1);
        Array.set(errnoPath, 0, pathC.getMethod("groupElement", String.class).invoke(null, "errno"));
        errnoOffset = (long) layoutC.getMethod("byteOffset", pathC.arrayType()).invoke(state, errnoPath);
        captureSize = (long) layoutC.getMethod("byteSize").invoke(state);
        captureErrno = optionC.getMethod("captureCallState", String[].class).invoke(null, (Object) new String[] {"errno"});
        // open(const char *, int, ...): the mode is its variadic argument
        open = function("open", false, 2, i32, ptr, i32, i32);
        close = function("close", false, -1, i32, i32);
    }

    /** open(2) of {@code path} with {@code flags} (no O_CREAT), the descriptor given to {@code fd}; null on failure. */
    <T extends Fd> T open(String path, int flags, IntFunction<T> fd) {
        int n;
        try (AutoCloseable arena = arena()) {
            n = (int) open.invoke(string(arena, path), flags, 0);
        } catch (Throwable e) {
            return null;
        }
        return n < 0 ? null : fd.apply(n);
    }

    /** close(2); nothing to do on failure: the descriptor is gone either way. */
    void close(int fd) {
        try {
            int ignored = (int) close.invoke(fd);
        } catch (Throwable e) {
            // as said
        }
    }

    /** The shared instance, or null when native calls are not available here. */
    static Libc get() {
        return Holder.LIBC;
    }

    private static Libc link() {
        if (!System.getProperty("os.name", "").equals("Linux")) {
            return null;
        }
        try {
            // Without --enable-native-access the JDK would print a warning on the first call (and
            // a future one refuses it): then the callers do without, silently.
            if (!(boolean) Module.class.getMethod("isNativeAccessEnabled").invoke(Libc.class.getModule())) {
                return null;
            }
            return new Libc();
        } catch (Throwable e) {
            return null; // JDK 21, or native access refused
        }
    }

    /**
     * A handle on libc's {@code name} returning {@code ret} and taking {@code args}.
     *
     * @param errno        the call takes a capture segment ({@link #captureSize}) first, where errno lands
     * @param firstVarArg  index of the first variadic argument, or -1
     */
    MethodHandle function(String name, boolean errno, int firstVarArg, Object ret, Object... args)
            throws ReflectiveOperationException {
        Object layouts = Array.newInstance(layoutC, args.length);
        for (int i = 0; i < args.length; i++) {
            Array.set(layouts, i, args[i]);
        }
        int n = (errno ? 1 : 0) + (firstVarArg >= 0 ? 1 : 0);
        Object options = Array.newInstance(optionC, n);
        int k = 0;
        if (errno) {
            Array.set(options, k++, captureErrno);
        }
        if (firstVarArg >= 0) {
            Array.set(options, k, optionC.getMethod("firstVariadicArg", int.class).invoke(null, firstVarArg));
        }
        Object symbol = ((Optional<?>) find.invoke(lookup, name)).orElseThrow();
        return (MethodHandle) downcall.invoke(linker, symbol, of.invoke(null, ret, layouts), options);
    }

    /** A confined arena (an {@code AutoCloseable}) for one call's memory. */
    AutoCloseable arena() throws ReflectiveOperationException {
        return (AutoCloseable) ofConfined.invoke(null);
    }

    /** A C string in {@code arena}. */
    Object string(AutoCloseable arena, String s) throws ReflectiveOperationException {
        return allocateFrom.invoke(arena, s);
    }

    /** {@code bytes} of zeroed memory aligned to {@code alignment}, in {@code arena}. */
    Object allocate(AutoCloseable arena, long bytes, long alignment) throws ReflectiveOperationException {
        return allocate.invoke(arena, bytes, alignment);
    }

    int getInt(Object segment, long offset) throws ReflectiveOperationException {
        return (int) getInt.invoke(segment, i32, offset);
    }

    long getLong(Object segment, long offset) throws ReflectiveOperationException {
        return (long) getLong.invoke(segment, i64, offset);
    }
}
