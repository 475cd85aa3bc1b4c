package org.blkdebug.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.blkdebug.engine.block.MemoryBackend;
import org.blkdebug.engine.config.DeviceSpecs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Custom events (ours, D13): declared at open, fired by code above the device, same semantics as QEMU's. */
class CustomEventTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final CustomEvent WAL_COMMIT = new CustomEvent("wal_commit");

    @TempDir
    Path dir;

    private static BlkDebug.Builder memory() {
        return BlkDebug.builder().memory(1 << 20).customEvent("wal_commit", "checkpoint");
    }

    private static void assertErrno(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, int errno) {
        assertThatThrownBy(call).isInstanceOfSatisfying(BlockException.class,
                e -> assertThat(e.errno()).isEqualTo(errno));
    }

    // the point of custom events: fail the I/O that follows a step of the code under test
    @Test
    void customEventArmsAnInjectErrorRuleThatFailsTheNextWrite() throws Exception {
        try (Device dev = memory().injectError(Rule.InjectError.of(WAL_COMMIT).withErrno(Errno.ENOSPC)
                .withIoType(IoType.WRITE).withOnce(true)).open()) {
            dev.write(0, ByteBuffer.allocate(512)); // not armed yet
            dev.event("wal_commit");
            assertErrno(() -> dev.write(0, ByteBuffer.allocate(512)), Errno.ENOSPC);
            dev.write(0, ByteBuffer.allocate(512)); // once: used up
        }
    }

    @Test
    void setStateOnACustomEventChangesTheState() throws Exception {
        try (Device dev = memory().setState(new Rule.SetState(WAL_COMMIT, 1, 2)).open()) {
            dev.event(WAL_COMMIT);
            assertThat(dev.state()).isEqualTo(2);
            dev.event("checkpoint"); // another custom event with no rules changes nothing
            assertThat(dev.state()).isEqualTo(2);
        }
    }

    // QEMU: rules of one event see the state at the event's start, custom or not
    @Test
    void injectRuleOnACustomEventSeesTheStateBeforeItsSetState() throws Exception {
        try (Device dev = memory().setState(new Rule.SetState(WAL_COMMIT, 1, 2))
                .injectError(Rule.InjectError.of(WAL_COMMIT).withState(2)).open()) {
            dev.event("wal_commit");
            assertThat(dev.armedRules()).isEmpty();
            dev.event("wal_commit");
            assertThat(dev.armedRules()).hasSize(1);
        }
    }

    @Test
    void breakpointOnACustomEventSuspendsTheCallingThreadUntilResumed() throws Exception {
        try (Device dev = memory().open()) {
            dev.breakpoint("wal_commit", "A");
            CompletableFuture<Void> fired = CompletableFuture.runAsync(() -> dev.event(WAL_COMMIT),
                    r -> Thread.ofVirtual().start(r));
            assertThat(dev.awaitSuspended("A", WAIT)).isTrue();
            // suspended = registered at the event; parked (tag shown) once it is quiescent
            assertThat(dev.awaitQuiescence(WAIT)).isTrue();
            assertThat(fired).isNotDone();
            assertThat(dev.requests()).singleElement().satisfies(r -> {
                assertThat(r.op()).isEqualTo(Operation.EVENT);
                assertThat(r.tag()).isEqualTo("A");
            });
            dev.resume("A");
            fired.get(10, TimeUnit.SECONDS);
            assertThat(dev.rules()).isEmpty(); // one-shot
        }
    }

    @Test
    void undeclaredEventNameIsEnoentForBreakAndEvent() throws Exception {
        try (Device dev = memory().open()) {
            assertErrno(() -> dev.breakpoint("wal_comit", "A"), Errno.ENOENT);
            assertErrno(() -> dev.breakpoint(new CustomEvent("wal_comit"), "A"), Errno.ENOENT);
            assertErrno(() -> dev.event("wal_comit"), Errno.ENOENT);
            assertErrno(() -> dev.event("Not A Name"), Errno.ENOENT);
            assertThat(dev.requests()).isEmpty(); // nothing left in flight
            dev.write(0, ByteBuffer.allocate(512)); // the device still works
        }
    }

    @Test
    void firingAnUndeclaredCustomEventObjectIsAnIllegalArgument() throws Exception {
        try (Device dev = memory().open()) {
            assertThatThrownBy(() -> dev.event(new CustomEvent("wal_comit")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("wal_comit");
            assertThat(dev.requests()).isEmpty();
        }
    }

    // a typo in a rule must fail the open, as a misspelt QEMU event does
    @Test
    void ruleOnAnUndeclaredCustomEventFailsTheOpen() {
        assertThatThrownBy(() -> memory().setState(new Rule.SetState(new CustomEvent("wal_comit"), 0, 2)).open())
                .isInstanceOf(OpenException.class).hasMessage("invalid parameter value: wal_comit");
    }

    @Test
    void customEventNamesAreCheckedWhenDeclared() {
        assertThatThrownBy(() -> new CustomEvent("write_aio")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CustomEvent("WalCommit")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CustomEvent("a".repeat(64))).isInstanceOf(IllegalArgumentException.class);
        assertThat(new CustomEvent("a".repeat(63)).eventName()).hasSize(63);
        assertThatThrownBy(() -> BlkDebug.builder().memory(4096).customEvent("l2_update").open())
                .isInstanceOf(OpenException.class).hasMessage("invalid parameter value: l2_update");
    }

    @Test
    void rulesListQemuEventsFirstThenCustomOnesInDeclarationOrder() throws Exception {
        try (Device dev = memory().open()) {
            dev.breakpoint("checkpoint", "C");
            dev.breakpoint("wal_commit", "W");
            dev.breakpoint("write_aio", "A");
            assertThat(dev.rules().keySet()).containsExactly(Event.WRITE_AIO, WAL_COMMIT, new CustomEvent("checkpoint"));
            assertThat(dev.customEvents()).containsExactly(WAL_COMMIT, new CustomEvent("checkpoint"));
            dev.removeBreakpoint("W");
            assertThat(dev.rules()).doesNotContainKey(WAL_COMMIT);
        }
    }

    @Test
    void customEventSectionOfTheConfigFileDeclaresEventsForItsRulesAndTheBuilders() throws Exception {
        Path cfg = dir.resolve("rules.ini");
        Files.writeString(cfg, "[custom-event]\nname = \"wal_commit\"\n"
                + "[set-state]\nevent = \"wal_commit\"\nnew_state = \"3\"\n");
        try (Device dev = BlkDebug.builder().memory(4096).config(cfg.toString())
                .injectError(Rule.InjectError.of(WAL_COMMIT).withState(1)).open()) {
            assertThat(dev.customEvents()).containsExactly(WAL_COMMIT);
            dev.event("wal_commit");
            assertThat(dev.state()).isEqualTo(3);
            assertThat(dev.armedRules()).hasSize(1);
        }
    }

    @Test
    void optionsDeclareCustomEventsForTheirRules() throws Exception {
        DeviceSpec spec = DeviceSpecs.parseImageOpts("driver=blkdebug,custom-event.0=wal_commit,"
                + "set-state.event=wal_commit,set-state.new_state=2,image.driver=file,image.filename=x.img");
        assertThat(spec.blkdebug().customEvents()).containsExactly("wal_commit");
        assertThat(spec.blkdebug().setStates()).containsExactly(new Rule.SetState(WAL_COMMIT, 0, 2));
        try (Device dev = BlkDebug.open(spec, OpenOptions.defaults(), new MemoryBackend(4096))) {
            dev.event("wal_commit");
            assertThat(dev.state()).isEqualTo(2);
        }
    }

    @Test
    void jsonDeclaresCustomEventsAsAList() throws Exception {
        DeviceSpec spec = DeviceSpecs.parseFilename("json:{\"driver\":\"raw\",\"file\":{\"driver\":\"blkdebug\","
                + "\"custom-event\":[\"wal_commit\",\"checkpoint\"],\"image\":{\"driver\":\"file\","
                + "\"filename\":\"x.img\"}}}", "raw");
        assertThat(spec.blkdebug().customEvents()).containsExactly("wal_commit", "checkpoint");
    }

    @Test
    void optionRuleOnAnUndeclaredCustomEventIsInvalidParameterValue() {
        assertThatThrownBy(() -> DeviceSpecs.parseImageOpts("driver=blkdebug,custom-event.0=wal_commit,"
                + "inject-error.event=wal_comit,image.driver=file,image.filename=x.img"))
                .isInstanceOf(OpenException.class).hasMessage("invalid parameter value: wal_comit");
    }
}
