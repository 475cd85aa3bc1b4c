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
 * {@code break EVENT TAG}, set when the device opens: one-shot, the first request to fire
 * {@link #event} is suspended under {@link #tag} until the test resumes it. Unless
 * {@link Image#verifyBreakpoints()} is false, the test fails if it is never hit or never resumed.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@Repeatable(Breakpoints.class)
@ExtendWith(BlkDebugExtension.class)
public @interface Breakpoint {
    String event();

    String tag();
}
