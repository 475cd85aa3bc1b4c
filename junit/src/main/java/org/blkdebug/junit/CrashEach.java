package org.blkdebug.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the test once without a crash, then once per crash point with the power cut there (docs/
 * faults.md has the model): when the j-th flush starts ({@code "flush"}) or right after the j-th
 * write ({@code "write"}), and at the end of the test method; the sweep stops at the first
 * invocation that never reaches its point. After the power goes, the device's requests fail with
 * ENOMEDIUM ("No medium found"); a test method that ends with such an error is not failed for it.
 * Then {@link #check} runs on the image the crash left (a fresh device on a private overlay of it),
 * with the same test instance, so it can see what the test method had acknowledged.
 *
 * <pre>{@code
 * @CrashEach(value = "flush", check = "everyAcknowledgedRecordSurvives")
 * void appendThree(FileChannel ch) throws Exception { ... acked.add(p) ... }
 *
 * void everyAcknowledgedRecordSurvives(FileChannel ch) throws Exception { ... }
 * }</pre>
 *
 * Invocations are named by their choice ({@code crash:2/keep:1@3}); {@code -Dblkdebug.explore.choice=}
 * runs one alone, the same state.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
@TestTemplate
@ExtendWith({ExploreExtension.class, BlkDebugExtension.class})
public @interface CrashEach {
    /** {@code flush} or {@code write}. */
    String value() default "flush";

    /** Which volatile writes survive: {@code none} (only durable ones), {@code all} or {@code random}. */
    String keep() default "none";

    /** With {@code keep = "random"}: a kept write may survive in part, sector by sector. */
    boolean torn() default false;

    /**
     * A method of the test class run on the image after each invocation: parameters {@code Device},
     * {@code FileChannel} or {@code BlkDebugFileChannel}; it throws when the state is wrong.
     * Empty: no check (the test method judges alone).
     */
    String check() default "";
}
