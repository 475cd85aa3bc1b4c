package org.blkdebug.engine;

/**
 * Where an in-flight request is. {@link Device#awaitQuiescence} returns when every request is
 * {@link #DONE}, {@link #SUSPENDED}, {@link #WAITING} or {@link #DELAYED}: nothing more happens
 * until somebody acts or the delay's time comes.
 */
public enum Phase {
    /** On its virtual thread, in the engine's own code. */
    RUNNING,
    /** Inside a backend call (the image file). */
    BACKEND_IO,
    /** Waiting for an overlapping serialising request to finish (QEMU's wait_serialising_requests). */
    WAITING,
    /** Parked at a breakpoint, see {@link RequestInfo#tag()}. */
    SUSPENDED,
    /**
     * Sleeping at an {@code [inject-delay]} rule. It wakes by itself when its time comes (on the
     * wall clock) or when virtual time reaches it, so it counts as quiescent: nothing about it
     * changes until then.
     */
    DELAYED,
    /** Finished; its outcome is decided. */
    DONE;

    /** True when the request will make no progress until another request or the user acts. */
    public boolean quiescent() {
        return this != RUNNING && this != BACKEND_IO;
    }
}
