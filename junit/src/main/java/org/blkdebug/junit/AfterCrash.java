package org.blkdebug.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A method of the test class that decides one crash state, for {@link CrashStates} and
 * {@link Crash}: it may take a {@link org.blkdebug.engine.Device}, a
 * {@link java.nio.channels.FileChannel} (or {@link org.blkdebug.engine.nio.BlkDebugFileChannel})
 * over the crashed image, and the {@link org.blkdebug.engine.crash.CrashChoice} that names the
 * state. Throwing (an assertion) rejects the state. It runs on the test's instance, so it sees
 * what the test recorded in fields.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
@ExtendWith(BlkDebugExtension.class)
public @interface AfterCrash {
}
