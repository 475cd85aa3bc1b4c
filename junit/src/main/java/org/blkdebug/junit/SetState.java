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
 * A {@code [set-state]} rule: when {@link #event} fires in {@link #state}, move to
 * {@link #newState}. The device starts in state 1.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@Repeatable(SetStates.class)
@ExtendWith(BlkDebugExtension.class)
public @interface SetState {
    String event();

    /** 0 = any state. */
    int state() default 0;

    int newState();
}
