package org.blkdebug.cli.explore;

import org.blkdebug.engine.block.OverlayBackend;
import org.blkdebug.engine.explore.Run;

/** How a sweep makes one run of its scenario: a qemu-io session, or a client of an NBD export. */
interface Door extends AutoCloseable {
    /** What one run left: its exit status and output, and the image as it left it (or null). */
    record Result(int status, String output, OverlayBackend image) {
    }

    Result run(Run run);

    /** True once a run was interrupted (Ctrl-C): the sweep must stop, not count broken runs. */
    boolean interrupted();

    @Override
    void close();
}
