package org.blkdebug.engine;

import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;

/**
 * The time of one device: what {@code [inject-delay]} rules sleep on, what the shell's
 * {@code sleep} and {@code clock} use, and what code under test can take as its clock.
 *
 * <p>Two kinds ({@code clock = wall | virtual} in the blkdebug options, ours):
 * <ul>
 *   <li><b>wall</b> (the default): real time; a delayed request sleeps that long.</li>
 *   <li><b>virtual</b>: time stands still until somebody waits on it — {@link #sleep},
 *       {@link #await}, a synchronous request of the device, or the shell's {@code sleep}. Then,
 *       each time every in-flight request is suspended, waiting or delayed (the device is
 *       quiescent), time jumps to the earliest wake-up and whatever is due runs. A test of a
 *       client's timeouts thus takes no wall time and runs the same way every time.</li>
 * </ul>
 *
 * <p>Virtual time is deterministic when one thread drives the device (a test, the shell); with
 * several driving threads, each advance still waits for quiescence, but which thread acts first
 * after a wake-up is the scheduler's choice.
 */
public interface DeviceClock {

    /** True for {@code clock = virtual}. */
    boolean isVirtual();

    /** Nanoseconds since the device opened, on this clock. */
    long nanos();

    /**
     * Sleeps for {@code d} of this clock's time. Virtual: moves time forward by {@code d}, waking
     * the delayed requests that fall due on the way in order, each time after the device became
     * quiescent again; returns without waiting in wall time.
     */
    void sleep(Duration d) throws InterruptedException;

    /**
     * Virtual: when the device is quiescent and a request is delayed, jumps to the earliest
     * wake-up and releases every request due then. Wall: does nothing.
     *
     * @return true when time moved
     */
    boolean advance();

    /**
     * Waits for {@code f} at most {@code timeout} of this clock's time. Virtual: whenever the
     * device is quiescent, time jumps to the next wake-up, or to the timeout when nothing wakes
     * earlier, so a client's timeout fires in no wall time.
     */
    <T> T await(Future<T> f, Duration timeout) throws InterruptedException, ExecutionException, TimeoutException;

    /**
     * Lets every delayed request run: waits until none is delayed, moving virtual time as the
     * device quiesces ({@code aio_flush} waits for delayed requests too).
     *
     * @return false when {@code wallTimeout} passed first
     */
    boolean runDelayed(Duration wallTimeout) throws InterruptedException;

    /** This clock as an {@link InstantSource} for code under test (epoch = when the device opened). */
    InstantSource instantSource();
}
