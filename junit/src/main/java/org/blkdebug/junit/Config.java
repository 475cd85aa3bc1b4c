package org.blkdebug.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A blkdebug INI rule file (QEMU's {@code config=}); its rules go before the annotations' rules.
 * The value is a class-path resource if one exists by that name (relative to the test class, or
 * absolute with a leading {@code /}), else a file path. A method's {@code @Config} replaces the class's.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@ExtendWith(BlkDebugExtension.class)
public @interface Config {
    String value();
}
