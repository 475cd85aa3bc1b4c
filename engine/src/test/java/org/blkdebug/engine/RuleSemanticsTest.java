package org.blkdebug.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * QEMU's rule semantics, each checked against qemu-io 7.2 (see conformance/scenarios and
 * docs/qemu-7.2-observed-events.md for the runs these expectations come from).
 */
class RuleSemanticsTest {

    static int write(Device dev, long off, int len, int pattern) {
        byte[] b = new byte[len];
        Arrays.fill(b, (byte) pattern);
        try {
            dev.write(off, ByteBuffer.wrap(b));
            return 0;
        } catch (BlockException e) {
            return e.errno();
        }
    }

    static int write(Device dev, long off, int len) {
        return write(dev, off, len, 0xcd);
    }

    static int read(Device dev, long off, int len) {
        try {
            dev.read(off, ByteBuffer.allocate(len));
            return 0;
        } catch (BlockException e) {
            return e.errno();
        }
    }

    static int flush(Device dev) {
        try {
            dev.flush();
            return 0;
        } catch (BlockException e) {
            return e.errno();
        }
    }

    static byte[] bytes(Device dev, long off, int len) throws BlockException {
        ByteBuffer b = ByteBuffer.allocate(len);
        dev.read(off, b);
        return b.array();
    }

    @Test
    void injectErrorOnReadAioFailsTheReadWithDefaultEio() throws Exception {
        try (BlockDevice dev = TestDevices.stack().inject(Rule.InjectError.of(Event.READ_AIO)).open()) {
            assertThat(read(dev, 0, 512)).isEqualTo(Errno.EIO);
        }
    }

    @Test
    void armedRuleAlsoFailsLaterRequestsOfOtherTypes() throws Exception {
        // QEMU: the armed list is global and sticky; a read_aio rule then fails writes too
        try (BlockDevice dev = TestDevices.stack().inject(Rule.InjectError.of(Event.READ_AIO)).open()) {
            assertThat(write(dev, 0, 512)).isZero();
            assertThat(read(dev, 0, 512)).isEqualTo(Errno.EIO);
            assertThat(write(dev, 0, 512)).isEqualTo(Errno.EIO);
        }
    }

    @Test
    void secondWriteFailsWithSetStateAndInjectOnTheSameEvent() throws Exception {
        // the recipe of docs/devel/testing/blkdebug.rst: both rules see the state at event start
        try (BlockDevice dev = TestDevices.stack()
                .setState(Event.WRITE_AIO, 1, 2)
                .inject(Rule.InjectError.of(Event.WRITE_AIO).withState(2).withErrno(Errno.ENOSPC))
                .open()) {
            assertThat(write(dev, 0, 512)).isZero();
            assertThat(dev.state()).isEqualTo(2);
            assertThat(write(dev, 512, 512)).isEqualTo(Errno.ENOSPC);
        }
    }

    @Test
    void firstDefinedSetStateWinsAndOneEventMovesOneStep() throws Exception {
        try (BlockDevice dev = TestDevices.stack()
                .setState(Event.WRITE_AIO, 1, 5)
                .setState(Event.WRITE_AIO, 1, 7)
                .setState(Event.WRITE_AIO, 5, 9)
                .open()) {
            write(dev, 0, 512);
            assertThat(dev.state()).isEqualTo(5);
            write(dev, 0, 512);
            assertThat(dev.state()).isEqualTo(9);
        }
    }

    @Test
    void armedRuleStaysActiveAfterStateChange() throws Exception {
        try (BlockDevice dev = TestDevices.stack()
                .inject(Rule.InjectError.of(Event.READ_AIO).withState(1).withIoType(IoType.WRITE))
                .setState(Event.READ_AIO, 1, 2)
                .open()) {
            read(dev, 0, 512); // arms in state 1, moves to 2
            assertThat(dev.state()).isEqualTo(2);
            assertThat(write(dev, 0, 512)).isEqualTo(Errno.EIO);
            assertThat(write(dev, 0, 512)).isEqualTo(Errno.EIO);
        }
    }

    @Test
    void eventWithoutMatchingInjectRuleKeepsTheArmedList() throws Exception {
        try (BlockDevice dev = TestDevices.stack()
                .inject(Rule.InjectError.of(Event.READ_AIO).withIoType(IoType.WRITE))
                .inject(Rule.InjectError.of(Event.WRITE_AIO).withState(7).withErrno(Errno.ENOSPC))
                .open()) {
            read(dev, 0, 512);
            // write_aio's rule needs state 7: it does not match, so the armed list stays
            assertThat(write(dev, 0, 512)).isEqualTo(Errno.EIO);
        }
    }

    @Test
    void matchingInjectRuleReplacesTheArmedListInDefinitionOrder() throws Exception {
        try (BlockDevice dev = TestDevices.stack()
                .inject(Rule.InjectError.of(Event.WRITE_AIO).withErrno(Errno.ENOSPC).withSector(1))
                .inject(Rule.InjectError.of(Event.WRITE_AIO).withErrno(Errno.EPERM))
                .open()) {
            assertThat(write(dev, 0, 1024)).isEqualTo(Errno.ENOSPC); // first defined, sector 1 inside
            assertThat(write(dev, 2048, 512)).isEqualTo(Errno.EPERM);
            assertThat(dev.armedRules()).extracting(Rule.InjectError::errno)
                    .containsExactly(Errno.ENOSPC, Errno.EPERM);
        }
    }

    @Test
    void configFileRulesComeBeforeOptionRules() throws Exception {
        try (BlockDevice dev = TestDevices.stack()
                .inject(Rule.InjectError.of(Event.WRITE_AIO).withErrno(Errno.EPERM))
                .configInject(Rule.InjectError.of(Event.WRITE_AIO).withErrno(Errno.ENOSPC))
                .open()) {
            assertThat(write(dev, 0, 512)).isEqualTo(Errno.ENOSPC);
        }
    }

    @Test
    void onceRuleIsDeletedForGood() throws Exception {
        try (BlockDevice dev = TestDevices.stack()
                .inject(Rule.InjectError.of(Event.WRITE_AIO).withOnce(true)).open()) {
            assertThat(write(dev, 0, 512)).isEqualTo(Errno.EIO);
            assertThat(write(dev, 0, 512)).isZero();
            assertThat(dev.rules()).doesNotContainKey(Event.WRITE_AIO);
            assertThat(write(dev, 0, 512)).isZero();
        }
    }

    @Test
    void errnoZeroRuleShadowsLaterRulesAndIsNotUsedUp() throws Exception {
        // observed on qemu-io 7.2: rule_check returns before the once handling
        try (BlockDevice dev = TestDevices.stack()
                .inject(Rule.InjectError.of(Event.WRITE_AIO).withErrno(0).withOnce(true))
                .inject(Rule.InjectError.of(Event.WRITE_AIO).withErrno(Errno.ENOSPC))
                .open()) {
            assertThat(write(dev, 0, 512, 5)).isZero();
            assertThat(write(dev, 0, 512, 6)).isZero();
            assertThat(bytes(dev, 0, 1)[0]).isEqualTo((byte) 6);
        }
    }

    @Test
    void negativeErrnoMakesTheRequestSucceedWithoutIo() throws Exception {
        try (BlockDevice dev = TestDevices.stack()
                .inject(Rule.InjectError.of(Event.WRITE_AIO).withErrno(-5).withIoType(IoType.WRITE)).open()) {
            assertThat(write(dev, 0, 512, 0x77)).isZero();
            assertThat(bytes(dev, 0, 1)[0]).isEqualTo((byte) 0);
        }
    }

    @Test
    void sectorMatchesOnlyWhenTheSectorsFirstByteIsInsideTheRequest() throws Exception {
        try (BlockDevice dev = TestDevices.stack()
                .inject(Rule.InjectError.of(Event.NONE).withSector(1).withIoType(IoType.READ)).open()) {
            assertThat(read(dev, 600, 400)).isZero();            // [600,1000) misses byte 512
            assertThat(read(dev, 256, 512)).isEqualTo(Errno.EIO); // [256,768) holds it
            assertThat(read(dev, 0, 512)).isZero();              // ends right before it
        }
    }

    @Test
    void flushMatchesOnlyRulesWithoutSector() throws Exception {
        try (BlockDevice dev = TestDevices.stack()
                .inject(Rule.InjectError.of(Event.NONE).withSector(0).withErrno(Errno.ENOSPC))
                .open()) {
            write(dev, 0, 512);
            assertThat(flush(dev)).isZero();
        }
        try (BlockDevice dev = TestDevices.stack()
                .inject(Rule.InjectError.of(Event.NONE).withIoType(IoType.FLUSH).withErrno(Errno.ENOSPC))
                .open()) {
            assertThat(write(dev, 0, 512)).isZero();
            assertThat(flush(dev)).isEqualTo(Errno.ENOSPC);
        }
    }

    @Test
    void flushWithNothingWrittenNeverReachesTheRuleCheck() throws Exception {
        try (BlockDevice dev = TestDevices.stack()
                .inject(Rule.InjectError.of(Event.NONE).withIoType(IoType.FLUSH)).open()) {
            assertThat(flush(dev)).isZero();
        }
    }

    @Test
    void noneEventArmsRulesAtOpen() throws Exception {
        try (BlockDevice dev = TestDevices.stack().inject(Rule.InjectError.of(Event.NONE)).open()) {
            assertThat(dev.armedRules()).hasSize(1);
            assertThat(read(dev, 0, 512)).isEqualTo(Errno.EIO);
        }
    }

    @Test
    void defaultIoTypeMaskExcludesBlockStatus() {
        Rule.InjectError r = Rule.InjectError.of(Event.NONE);
        for (IoType t : IoType.values()) {
            assertThat(r.matchesType(t)).isEqualTo(t != IoType.BLOCK_STATUS);
        }
    }

    @Test
    void failedWriteLeavesTheImageUnchanged() throws Exception {
        TestDevices s = TestDevices.stack()
                .inject(Rule.InjectError.of(Event.PWRITEV).withState(2))
                .setState(Event.WRITE_AIO, 1, 2);
        try (BlockDevice dev = s.open()) {
            assertThat(write(dev, 0, 512, 0x11)).isEqualTo(Errno.EIO);
            assertThat(s.image(0, 512)).containsOnly(0);
        }
    }

    @Test
    void writeZeroesFiresNoWriteAioAndIsCheckedAsWriteZeroes() throws Exception {
        try (BlockDevice dev = TestDevices.stack()
                .inject(Rule.InjectError.of(Event.WRITE_AIO).withErrno(Errno.EPERM))
                .inject(Rule.InjectError.of(Event.NONE).withIoType(IoType.WRITE_ZEROES)).open()) {
            var t = TestDevices.trace(dev);
            // EIO from the write-zeroes rule, not EPERM from write_aio (which never fires), and no success
            assertThatThrownBy(() -> dev.writeZeroes(0, 512))
                    .isInstanceOfSatisfying(BlockException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EIO));
            assertThat(t.drainEvents()).containsExactly(Event.PWRITEV_ZERO, Event.PWRITEV_DONE);
        }
    }

    @Test
    void immediatelyErrorCompletesWithoutYielding() throws Exception {
        try (BlockDevice dev = TestDevices.stack()
                .inject(Rule.InjectError.of(Event.WRITE_AIO).withImmediately(true))
                .inject(Rule.InjectError.of(Event.READ_AIO)).open()) {
            dev.reportCompletions(true);
            dev.writeAsync(0, new ByteBuffer[] {ByteBuffer.allocate(512)}, "w").handle((v, e) -> null).get();
            dev.readAsync(0, new ByteBuffer[] {ByteBuffer.allocate(512)}, "r").handle((v, e) -> null).get();
            assertThat(dev.awaitQuiescence(java.time.Duration.ofSeconds(5))).isTrue();
            Completion w = dev.pollCompletion();
            Completion r = dev.pollCompletion();
            assertThat(w.errno()).isEqualTo(Errno.EIO);
            assertThat(w.yielded()).isFalse();
            assertThat(r.errno()).isEqualTo(Errno.EIO);
            assertThat(r.yielded()).isTrue();
        }
    }
}
