package org.blkdebug.engine;

import java.util.Objects;

/**
 * A blkdebug rule, keyed by the event ({@link Event} or {@link CustomEvent}) that arms or runs
 * it. The three kinds are QEMU's {@code ACTION_INJECT_ERROR}, {@code ACTION_SET_STATE} and
 * {@code ACTION_SUSPEND}.
 *
 * <p>{@code state == 0} means "in any state", as in QEMU.
 */
public sealed interface Rule permits Rule.InjectError, Rule.SetState, Rule.Suspend {

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
     * @param skip        ours (QEMU has none): the rule lets this many requests it matches pass
     *                    before it fires; the count runs over the device's life, across armings
     *                    ({@code skip = "N"}; explore's fail-each writes one rule per N). Unsigned:
     *                    a negative value lets 2^64 + skip requests pass
     */
    record InjectError(EventName event, int state, int iotypeMask, int errno, long sector,
                       boolean once, boolean immediately, long skip) implements Rule {
        public InjectError {
            Objects.requireNonNull(event, "event");
        }

        /** QEMU's rule: no skip. */
        public InjectError(EventName event, int state, int iotypeMask, int errno, long sector,
                           boolean once, boolean immediately) {
            this(event, state, iotypeMask, errno, sector, once, immediately, 0);
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

        public InjectError withState(int s) {
            return new InjectError(event, s, iotypeMask, errno, sector, once, immediately, skip);
        }

        public InjectError withIoType(IoType t) {
            return new InjectError(event, state, t.bit(), errno, sector, once, immediately, skip);
        }

        public InjectError withErrno(int e) {
            return new InjectError(event, state, iotypeMask, e, sector, once, immediately, skip);
        }

        public InjectError withSector(long s) {
            return new InjectError(event, state, iotypeMask, errno, s, once, immediately, skip);
        }

        public InjectError withOnce(boolean o) {
            return new InjectError(event, state, iotypeMask, errno, sector, o, immediately, skip);
        }

        public InjectError withImmediately(boolean i) {
            return new InjectError(event, state, iotypeMask, errno, sector, once, i, skip);
        }

        /** The rule lets {@code n} matching requests pass, then fires. */
        public InjectError withSkip(long n) {
            return new InjectError(event, state, iotypeMask, errno, sector, once, immediately, n);
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
