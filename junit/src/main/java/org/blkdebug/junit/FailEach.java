package org.blkdebug.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.blkdebug.engine.Errno;
import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the test once without a fault, then once per request it makes with the k-th matching
 * request failed (k = 1, 2, ... until a run in which the rule no longer fires): SQLite's
 * fault-injection loop, the kernel's fail-nth. Each invocation gets a fresh device (see
 * {@link Image}) with the rule {@code skip = k - 1}; it is named by its choice ({@code fail:3}),
 * and {@code -Dblkdebug.explore.choice=fail:3} runs that invocation alone.
 *
 * <pre>{@code
 * @FailEach(iotype = "write")
 * void acknowledgedRecordsSurviveAnyFailedWrite(FileChannel ch) throws Exception { ... }
 * }</pre>
 *
 * With {@link ExploreOrders} on the same method, every fail count is combined with every order.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
@TestTemplate
@ExtendWith({ExploreExtension.class, BlkDebugExtension.class})
public @interface FailEach {
    /** The event that arms the rule; {@code none} (at open) matches every request. */
    String event() default "none";

    /** One of read, write, write-zeroes, discard, flush, block-status; empty = all but block-status. */
    String iotype() default "";

    int errno() default Errno.EIO;

    /** Every matching request after the k-th fails too (SQLite's persistent loop). */
    boolean persistent() default false;
}
