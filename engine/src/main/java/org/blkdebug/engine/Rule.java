package org.blkdebug.engine;

import java.util.Objects;

/**
 * A blkdebug rule, keyed by the event ({@link Event} or {@link CustomEvent}) that arms or runs
 * it. The three kinds are QEMU's {@code ACTION_INJECT_ERROR}, {@code ACTION_SET_STATE} and
 * {@code ACTION_SUSPEND}.
 *
 * <p>{@code state == 0} means "in any state", as in QEMU.
 */
public sealed interface Rule permits Rule.InjectError, Rule.SetState, Rule.Suspend, Rule.InjectDelay {

    EventName event();

    /** The state the rule needs, or 0 for any state. */
    int state();

    /**
     * {@code [inject-error]}: when {@link #event} fires in {@link #state}, the rule is armed; every
     * later request whose type is in {@link #iotypeMask} and whose byte range contains
     * {@code sector * 512} (any request when {@code sector == -1}) then fails with {@link #errno}.
     *
     * @param errno       as given; 0 passes the request through, a negative value makes it
     *                    "succeed" without doing any I/O (QEMU returns {@code -errno})
     * @param sector      in 512-byte units whatever {@code align} is; -1 = any request
     * @param once        the rule is deleted for good after it fails one request
     * @param immediately fail without first yielding to the event loop
     * @param probability ours (QEMU has none): the chance, drawn per matching request from the
     *                    device's seed, that the rule applies; a request it does not apply to is
     *                    checked against the next armed rule. 1 = always (QEMU's behaviour)
     * @param skip        ours (QEMU has none): the rule lets this many requests it matches (and
     *                    applies to) pass before it fires; the count runs over the device's life,
     *                    across armings ({@code skip = "N"}; explore's fail-each writes one rule
     *                    per N). Unsigned: a negative value lets 2^64 + skip requests pass
     */
    record InjectError(EventName event, int state, int iotypeMask, int errno, long sector,
                       boolean once, boolean immediately, double probability, long skip) implements Rule {
        public InjectError {
            Objects.requireNonNull(event, "event");
            checkProbability(probability);
        }

        /** QEMU's rule: no probability, no skip. */
        public InjectError(EventName event, int state, int iotypeMask, int errno, long sector,
                           boolean once, boolean immediately) {
            this(event, state, iotypeMask, errno, sector, once, immediately, 1, 0);
        }

        /** No skip. */
        public InjectError(EventName event, int state, int iotypeMask, int errno, long sector,
                           boolean once, boolean immediately, double probability) {
            this(event, state, iotypeMask, errno, sector, once, immediately, probability, 0);
        }

        /** A rule with QEMU's defaults: any state, all iotypes but block-status, EIO, any sector. */
        public static InjectError of(EventName event) {
            return new InjectError(event, 0, IoType.DEFAULT_MASK, Errno.EIO, -1, false, false);
        }

        /**
         * The byte offset that must lie inside a request for it to match, or -1 for any request.
         * Computed with C's wrap-around as QEMU does ({@code sector * BDRV_SECTOR_SIZE}).
         */
        public long offset() {
            return sector == -1 ? -1 : sector * 512;
        }

        public boolean matchesType(IoType type) {
            return (iotypeMask & type.bit()) != 0;
        }

        /** True when a draw decides whether the rule applies. */
        public boolean draws() {
            return probability < 1;
        }

        public InjectError withState(int s) {
            return new InjectError(event, s, iotypeMask, errno, sector, once, immediately, probability, skip);
        }

        public InjectError withIoType(IoType t) {
            return new InjectError(event, state, t.bit(), errno, sector, once, immediately, probability, skip);
        }

        public InjectError withErrno(int e) {
            return new InjectError(event, state, iotypeMask, e, sector, once, immediately, probability, skip);
        }

        public InjectError withSector(long s) {
            return new InjectError(event, state, iotypeMask, errno, s, once, immediately, probability, skip);
        }

        public InjectError withOnce(boolean o) {
            return new InjectError(event, state, iotypeMask, errno, sector, o, immediately, probability, skip);
        }

        public InjectError withImmediately(boolean i) {
            return new InjectError(event, state, iotypeMask, errno, sector, once, i, probability, skip);
        }

        public InjectError withProbability(double p) {
            return new InjectError(event, state, iotypeMask, errno, sector, once, immediately, p, skip);
        }

        /** The rule lets {@code n} matching requests pass, then fires. */
        public InjectError withSkip(long n) {
            return new InjectError(event, state, iotypeMask, errno, sector, once, immediately, probability, n);
        }
    }

    /**
     * {@code [inject-delay]} (ours, QEMU has none): when {@link #event} fires in {@link #state} on a
     * request whose type is in {@link #iotypeMask} and whose byte range contains
     * {@code sector * 512} (any request when {@code sector == -1}), that request sleeps
     * {@link #delayNanos} on its own virtual thread, holding nothing, before it goes on. Events
     * fired by the code above the device ({@link Device#event}) count as requests of no type:
     * only a rule with every iotype matches them.
     *
     * @param iotypeMask  {@link IoType} bits; {@link #ANY_IOTYPE} when none was given
     * @param once        the rule is deleted after it delayed one request
     * @param probability the chance, drawn from the device's seed per matching request, that it
     *                    applies; 1 = always
     */
    record InjectDelay(EventName event, int state, int iotypeMask, long sector, boolean once,
                       long delayNanos, double probability) implements Rule {
        /** Every iotype, and events fired from above: the default. */
        public static final int ANY_IOTYPE = -1;

        public InjectDelay {
            Objects.requireNonNull(event, "event");
            if (delayNanos < 0) {
                throw new IllegalArgumentException("negative delay");
            }
            checkProbability(probability);
        }

        /** {@code delay} at {@code event} for every request, in any state. */
        public static InjectDelay of(EventName event, java.time.Duration delay) {
            return new InjectDelay(event, 0, ANY_IOTYPE, -1, false, delay.toNanos(), 1);
        }

        /** The byte offset that must lie inside the request, or -1 for any request. */
        public long offset() {
            return sector == -1 ? -1 : sector * 512;
        }

        public boolean draws() {
            return probability < 1;
        }

        public InjectDelay withState(int s) {
            return new InjectDelay(event, s, iotypeMask, sector, once, delayNanos, probability);
        }

        public InjectDelay withIoType(IoType t) {
            return new InjectDelay(event, state, t.bit(), sector, once, delayNanos, probability);
        }

        public InjectDelay withSector(long s) {
            return new InjectDelay(event, state, iotypeMask, s, once, delayNanos, probability);
        }

        public InjectDelay withOnce(boolean o) {
            return new InjectDelay(event, state, iotypeMask, sector, o, delayNanos, probability);
        }

        public InjectDelay withProbability(double p) {
            return new InjectDelay(event, state, iotypeMask, sector, once, delayNanos, p);
        }
    }

    private static void checkProbability(double p) {
        if (!(p >= 0 && p <= 1)) { // NaN too
            throw new IllegalArgumentException("probability " + p + " is not between 0 and 1");
        }
    }

    /** {@code [set-state]}: when {@link #event} fires in {@link #state}, move to {@link #newState}. */
    record SetState(EventName event, int state, int newState) implements Rule {
        public SetState {
            Objects.requireNonNull(event, "event");
        }
    }

    /**
     * A breakpoint ({@code break EVENT TAG}): one-shot, valid in any state. The request that fires
     * {@link #event} is suspended under {@link #tag} until resumed.
     *
     * @param every ours: the breakpoint stays, and every request that fires {@link #event} is
     *              suspended under its own tag {@code TAG#ID} ({@link RequestInfo#id()}), so each
     *              can be resumed alone ({@link Device#holdEvery}; explore's {@code --orders})
     */
    record Suspend(EventName event, String tag, boolean every) implements Rule {
        public Suspend {
            Objects.requireNonNull(event, "event");
            Objects.requireNonNull(tag, "tag");
        }

        /** QEMU's one-shot breakpoint. */
        public Suspend(EventName event, String tag) {
            this(event, tag, false);
        }

        /** The tag a request suspended by this breakpoint is parked under. */
        public String tagOf(long requestId) {
            return every ? tag + "#" + requestId : tag;
        }

        @Override
        public int state() {
            return 0;
        }
    }
}
