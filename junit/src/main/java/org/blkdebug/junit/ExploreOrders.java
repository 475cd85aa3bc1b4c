package org.blkdebug.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.blkdebug.engine.explore.Orders;
import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the test once per distinct order in which the requests it makes can be released at the
 * given events: every request that reaches one is held, and held requests are released one at a
 * time (partial-order reduction: requests on disjoint ranges commute, reads commute, a flush
 * conflicts with writes). The test's threads cannot say when they are stuck, so a release comes
 * once the device has been quiet, with requests held, for {@link #settleMillis}. Each invocation
 * is named by its choice ({@code order:w0+512,f}); {@code -Dblkdebug.explore.choice=order:w0+512,f} runs
 * that order alone.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
@TestTemplate
@ExtendWith({ExploreExtension.class, BlkDebugExtension.class})
public @interface ExploreOrders {
    /** QEMU event names, e.g. {@code write_aio}, {@code flush_to_os}. */
    String[] value();

    /** Depth-first up to this many orders, then as many sampled at random (seed: {@code -Dtests.seed=}). */
    int max() default Orders.DEFAULT_MAX;

    /** How long the device must be quiet before the next release. */
    long settleMillis() default 5;
}
