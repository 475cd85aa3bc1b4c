package org.blkdebug.cli.commands;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.Errno;

/**
 * Waits for a request the way qemu-io's synchronous commands do, but interruptibly: the shell
 * submits every request asynchronously and waits on its future, so Ctrl-C can abandon a read
 * parked at a breakpoint without killing the shell.
 */
final class Requests {
    /** Attachment of requests that a command waits for itself; the completion printer skips them. */
    static final Object SYNC = new Object() {
        @Override
        public String toString() {
            return "sync";
        }
    };

    private Requests() {
    }

    /** @return 0 or the positive errno the request failed with */
    static int await(CompletableFuture<Void> f) throws InterruptedException {
        try {
            f.get();
            return 0;
        } catch (ExecutionException | CancellationException e) {
            Throwable t = e instanceof ExecutionException ? e.getCause() : e;
            while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
                t = t.getCause();
            }
            return t instanceof BlockException b ? b.errno() : Errno.EIO;
        }
    }
}
