package org.blkdebug.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.blkdebug.engine.CacheMode;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The image under the test's device. The nearest one applies, whole: the method's, else the
 * class's (or a superclass's), else an enclosing class's; without any a test gets a 1 MiB memory
 * image.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@ExtendWith(BlkDebugExtension.class)
public @interface Image {
    /** Where the image lives. */
    enum Backing {
        /** Sparse pages in memory. */
        MEMORY,
        /** A temporary file, deleted after the test. */
        TEMP_FILE
    }

    /** Bytes; 0 makes an empty image that writes through a FileChannel grow. */
    long size() default 1 << 20;

    Backing backing() default Backing.MEMORY;

    /**
     * Writeback, so only explicit flushes ({@code force}) flush. <b>qemu-io's default is
     * writethrough</b>, where every write is followed by a flush: set it to compare with qemu-io.
     */
    CacheMode cache() default CacheMode.WRITEBACK;

    /** blkdebug's {@code align}; 0 for none. */
    long align() default 0;

    /**
     * Names of the test's own events (as {@code [custom-event]} declares them), which the code
     * under test fires with {@code device.event("name")} and which {@link InjectError},
     * {@link SetState} and {@link Breakpoint} may then name.
     */
    String[] customEvents() default {};

    /**
     * After the test, fail when a request is still suspended or a breakpoint was never hit: both
     * mean the test did not step the scenario it set up. Set false to allow either.
     */
    boolean verifyBreakpoints() default true;

    /**
     * Ours: the device's clock is virtual ({@code clock = virtual}): delays take no wall time;
     * time moves while the test waits on the device ({@code device.clock()}, a synchronous request).
     */
    boolean virtualClock() default false;
}
