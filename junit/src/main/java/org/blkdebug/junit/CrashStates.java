package org.blkdebug.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * After the test method returns, every distinct state a crash at that moment could leave is
 * checked (docs/faults.md): each {@link AfterCrash} method of the test runs once per state, on
 * a device over that state (an overlay: what it writes stays private). The test fails if any
 * state is rejected, listing each with the {@link Crash} annotation that makes it again.
 *
 * <pre>{@code
 * @Test
 * @CrashStates(torn = true)
 * void appends(FileChannel ch) throws IOException { log.append("a"); committed.add("a"); }
 *
 * @AfterCrash
 * void everyCommittedRecordIsRecovered(FileChannel crashed) throws IOException { ... }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
@ExtendWith(BlkDebugExtension.class)
public @interface CrashStates {
    /** At most this many distinct states; beyond, a sample (families first, then seeded random). */
    int max() default 1000;

    /** Also states where a write persisted only some of its 512-byte sectors. */
    boolean torn() default false;

    /** The seed of the random part of a sample. */
    long seed() default 1;
}
