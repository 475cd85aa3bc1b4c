package org.blkdebug.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * After the test method returns, the device crashes into the state {@link #value()} chooses (the
 * arguments of the shell's {@code crash}), then each {@link AfterCrash} method runs once on a
 * fresh device over the crashed image. What a failing {@link CrashStates} state prints, to make
 * that state again.
 *
 * <pre>{@code @Crash("--keep 2 --of 3")}   {@code @Crash("--keep random --seed 7 --torn")}</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
@ExtendWith(BlkDebugExtension.class)
public @interface Crash {
    /** {@code crash}'s arguments; empty keeps only what is durable. */
    String value() default "";
}
