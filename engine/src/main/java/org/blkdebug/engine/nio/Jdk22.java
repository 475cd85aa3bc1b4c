package org.blkdebug.engine.nio;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.file.OpenOption;
import java.util.Set;

/**
 * Picks the channel class for the running JDK. {@code FileChannel.map(mode, pos, size, Arena)}
 * is a preview API at this project's language level (21) and final from JDK 22, where Lucene's
 * {@code MMapDirectory} calls it; a class compiled for 21 cannot override it, so
 * {@code BlkDebugFileChannel22} (src/main/java22, compiled for 22 into the multi-release
 * folder {@code META-INF/versions/22}) does, with {@link BlkDebugFileChannel#MAP_REFUSED}.
 * The multi-release jar serves it by name; on a plain class folder (the build's own tests) it is
 * defined here from the same bytes. Without it (JDK 21) the base class is used.
 */
final class Jdk22 {
    private static final String NAME = "org.blkdebug.engine.nio.BlkDebugFileChannel22";
    private static final MethodHandle CONSTRUCTOR = find();

    private Jdk22() {
    }

    static BlkDebugFileChannel newChannel(DeviceFile file, Set<? extends OpenOption> options,
                                          BlkDebugFileChannel.OnClose onClose) throws IOException {
        if (CONSTRUCTOR == null) {
            return new BlkDebugFileChannel(file, options, onClose);
        }
        try {
            return (BlkDebugFileChannel) CONSTRUCTOR.invoke(file, options, onClose);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static MethodHandle find() {
        if (Runtime.version().feature() < 22) {
            return null;
        }
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        Class<?> c;
        try {
            c = Class.forName(NAME, true, Jdk22.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            c = defineFromVersionedFolder(lookup);
        }
        if (c == null) {
            return null;
        }
        try {
            return lookup.findConstructor(c, MethodType.methodType(void.class, DeviceFile.class, Set.class,
                    BlkDebugFileChannel.OnClose.class));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(NAME + " does not fit this engine", e);
        }
    }

    private static Class<?> defineFromVersionedFolder(MethodHandles.Lookup lookup) {
        String resource = "/META-INF/versions/22/" + NAME.replace('.', '/') + ".class";
        try (InputStream in = Jdk22.class.getResourceAsStream(resource)) {
            return in == null ? null : lookup.defineClass(in.readAllBytes());
        } catch (IOException | IllegalAccessException e) {
            throw new IllegalStateException("cannot load " + resource, e);
        }
    }
}
