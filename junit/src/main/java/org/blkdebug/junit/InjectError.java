package org.blkdebug.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An {@code [inject-error]} rule, with QEMU's names and defaults. Class rules go before method
 * rules, each in declaration order (QEMU's definition order).
 *
 * <pre>{@code @InjectError(event = "write_aio", errno = 28, once = true)}</pre>
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@Repeatable(InjectErrors.class)
@ExtendWith(BlkDebugExtension.class)
public @interface InjectError {
    /** QEMU's event name, e.g. {@code "write_aio"}, {@code "flush_to_disk"}. */
    String event();

    /** 0 = any state. */
    int state() default 0;

    /** Positive errno (see {@link org.blkdebug.engine.Errno}); EIO by default. */
    int errno() default 5;

    /** One of read, write, write-zeroes, discard, flush, block-status; empty = all but block-status. */
    String iotype() default "";

    /** In 512-byte sectors; -1 = any request. */
    long sector() default -1;

    boolean once() default false;

    boolean immediately() default false;

    /**
     * Ours: the chance the armed rule applies to a matching request, drawn from the test's seed
     * ({@code -Dtests.seed=}, printed on failure); 1 = always, as QEMU.
     */
    double probability() default 1;
}
