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
 * The value is a class-path resource if one exists by that name (a bare name beside the class
 * that carries this annotation, or absolute with a leading {@code /}), else a file path relative
 * to the working directory; when neither exists, the error names both places it looked. The
 * nearest {@code @Config} wins: the method's, the class's, then enclosing classes'.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@ExtendWith(BlkDebugExtension.class)
public @interface Config {
    String value();
}
