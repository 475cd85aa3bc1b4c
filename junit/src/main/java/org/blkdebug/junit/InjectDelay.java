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
 * An {@code [inject-delay]} rule (ours, docs/faults.md): a request whose type and range match
 * sleeps {@link #delay()} at the event, on its own virtual thread. With
 * {@link Image#virtualClock()} the delay is virtual time: the test takes no wall time for it.
 *
 * <pre>{@code @InjectDelay(event = "flush_to_disk", delay = "30s")}</pre>
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@Repeatable(InjectDelays.class)
@ExtendWith(BlkDebugExtension.class)
public @interface InjectDelay {
    /** QEMU's event name (or one of {@link Image#customEvents()}). */
    String event();

    /** How long: {@code 10ms}, {@code 1.5s}, {@code 250us}, {@code 2m}. */
    String delay();

    /** 0 = any state. */
    int state() default 0;

    /** One of read, write, write-zeroes, discard, flush, block-status; empty = every request. */
    String iotype() default "";

    /** In 512-byte sectors; -1 = any request. */
    long sector() default -1;

    boolean once() default false;

    /** The chance the delay applies to a matching request, drawn from the test's seed. */
    double probability() default 1;
}
