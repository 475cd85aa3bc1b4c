package org.blkdebug.cli.commands;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.DeviceClock;
import org.blkdebug.engine.Errno;
import org.blkdebug.engine.Phase;
import org.blkdebug.engine.RequestInfo;

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

    /** How often a waiting command looks whether anything can still move. */
    private static final long POLL_MILLIS = 100;
    /** The same with clock=virtual, where each look may move time to the next wake-up. */
    private static final long VIRTUAL_POLL_MILLIS = 2;

    private Requests() {
    }

    /**
     * @return 0 or the positive errno the request failed with
     * @throws CommandAborted in a script, when the request is held at a breakpoint that nothing
     *                        can resume any more (QEMU hangs there for good; see differences-from-qemu D11)
     */
    static int await(Context ctx, CompletableFuture<?> f) throws InterruptedException {
        return await(ctx, f, true);
    }

    /**
     * @param rounds run the main loop's rounds (lockstep) until {@code f} is done; false when
     *               another thread runs them (a device call under lockstep runs its own, see
     *               {@link #call}: two drivers would run rounds the request did not need)
     */
    private static int await(Context ctx, CompletableFuture<?> f, boolean rounds) throws InterruptedException {
        ctx.releaseHeldWhile(() -> !f.isDone()); // explore --orders: the held requests it waits behind
        int stuckPolls = 0;
        DeviceClock clock = ctx.device() == null ? null : ctx.device().clock();
        boolean virtual = clock != null && clock.isVirtual();
        while (true) {
            if (rounds) {
                ctx.rounds(f::isDone); // qemu-io's BDRV_POLL_WHILE polls the loop until it is done
            }
            try {
                // on virtual time the shell moves the clock itself, as soon as the device is quiet
                f.get(virtual ? VIRTUAL_POLL_MILLIS : POLL_MILLIS, TimeUnit.MILLISECONDS);
                return 0;
            } catch (TimeoutException e) {
                if (virtual && !f.isDone() && ctx.device().awaitQuiescence(Duration.ZERO) && clock.advance()) {
                    stuckPolls = 0;
                    continue;
                }
                // Twice in a row: the engine ends a request in its tracker just before it completes
                // the future, so one look can fall between the two.
                stuckPolls = !f.isDone() && nothingCanMove(ctx) ? stuckPolls + 1 : 0;
                if (stuckPolls >= 2) {
                    // QEMU's BDRV_POLL_WHILE goes on polling for good: every other request that
                    // can finish does, and reports, before it hangs (difftest seed 20261203
                    // session 10796); ours prints those reports before it gives up (D11)
                    ctx.mainLoopWaiting();
                    String tag = suspendedTag(ctx);
                    throw new CommandAborted(tag == null ? "request cannot finish; nothing in a script can release it"
                            : "request suspended at '" + tag + "'; nothing in a script can resume it");
                }
            } catch (ExecutionException | CancellationException e) {
                return Errno.ofCompletion(e); // the engine fails requests with BlockException only
            }
        }
    }

    /** A device call that submits a request of its own and waits for it (block status, truncate). */
    @FunctionalInterface
    interface DeviceCall<T> {
        T run() throws BlockException;
    }

    /**
     * Runs a device call that waits for its own request ({@code map}, {@code alloc},
     * {@code truncate}) the way {@link #await} waits: such a request can queue behind one held at
     * a breakpoint (qcow2's metadata lock), where qemu-io hangs for good; in a script, ours then
     * fails as for a synchronous read (D11). The call runs on a virtual thread of its own, so this
     * thread can look whether anything can still move.
     *
     * @throws CommandAborted in a script, when the call cannot finish any more
     */
    static <T> T call(Context ctx, DeviceCall<T> call) throws BlockException, InterruptedException {
        CompletableFuture<T> f = new CompletableFuture<>();
        Thread.ofVirtual().name("shell-call").start(() -> {
            try {
                f.complete(call.run());
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        });
        await(ctx, f, false); // under lockstep the device call runs the rounds it needs itself
        try {
            return f.get();
        } catch (ExecutionException e) {
            switch (e.getCause()) {
                case BlockException b -> throw b;
                case RuntimeException r -> throw r;
                case Error err -> throw err;
                default -> throw new IllegalStateException(e.getCause());
            }
        }
    }

    /**
     * True when no request can make progress any more: the device is quiescent (every request
     * done, suspended or waiting on another) and nobody but this thread could act — a script
     * (the interactive user can still Ctrl-C) with no NBD export (a client could still come).
     */
    static boolean nothingCanMove(Context ctx) throws InterruptedException {
        return !ctx.interactive() && ctx.nbdServer() == null && ctx.device() != null
                && ctx.device().awaitQuiescence(Duration.ZERO) && !delayed(ctx) && !ctx.roundPending();
    }

    /** A delayed request moves by itself (wall clock) or when the shell moves time (virtual). */
    private static boolean delayed(Context ctx) {
        for (RequestInfo r : ctx.device().requests()) {
            if (r.phase() == Phase.DELAYED) {
                return true;
            }
        }
        return false;
    }

    private static String suspendedTag(Context ctx) {
        for (RequestInfo r : ctx.device().requests()) {
            if (r.phase() == Phase.SUSPENDED && r.tag() != null) {
                return r.tag();
            }
        }
        return null;
    }
}
