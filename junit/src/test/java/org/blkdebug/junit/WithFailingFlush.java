package org.blkdebug.junit;

/** For {@link NestedInheritanceTest}: a superclass's rule file applies to its subclasses and their nested classes. */
@Config("fail-flush.ini")
abstract class WithFailingFlush {
}
