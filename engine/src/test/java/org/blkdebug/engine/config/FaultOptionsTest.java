package org.blkdebug.engine.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.blkdebug.engine.BlkDebugOptions;
import org.blkdebug.engine.Event;
import org.blkdebug.engine.IoType;
import org.blkdebug.engine.OpenException;
import org.blkdebug.engine.Rule;
import org.junit.jupiter.api.Test;

/** Ours, not QEMU's: {@code [inject-delay]}, {@code probability}, {@code seed} and {@code clock}. */
class FaultOptionsTest {

    @Test
    void anInjectDelaySectionReadsEveryKey() throws Exception {
        ConfigFile.Rules r = ConfigFile.parse("""
                [inject-delay]
                event = "write_aio"
                state = "2"
                iotype = "write"
                sector = "8"
                once = "on"
                delay = "1.5ms"
                probability = "0.25"
                """);
        assertThat(r.injectDelays()).containsExactly(new Rule.InjectDelay(Event.WRITE_AIO, 2, IoType.WRITE.bit(),
                8, true, 1_500_000, 0.25));
    }

    @Test
    void aDelayWithoutIotypeSelectsEverything() throws Exception {
        Rule.InjectDelay d = ConfigFile.parse("[inject-delay]\nevent = \"read_aio\"\ndelay = \"10ms\"\n")
                .injectDelays().getFirst();
        assertThat(d).isEqualTo(Rule.InjectDelay.of(Event.READ_AIO, Duration.ofMillis(10)));
    }

    @Test
    void delaysNeedAUnitAndProbabilitiesLieBetweenZeroAndOne() {
        assertThatThrownBy(() -> ConfigFile.parse("[inject-delay]\nevent = \"read_aio\"\ndelay = \"10\"\n"))
                .isInstanceOf(OpenException.class)
                .hasMessage("Parameter 'delay' expects a duration such as 10ms, 1.5s or 250us, not '10'");
        assertThatThrownBy(() -> ConfigFile.parse("[inject-delay]\nevent = \"read_aio\"\n"))
                .hasMessage("Missing delay for inject-delay rule");
        assertThatThrownBy(() -> ConfigFile.parse("[inject-error]\nevent = \"read_aio\"\nprobability = \"1.5\"\n"))
                .hasMessage("Parameter 'probability' expects a number from 0 to 1, not '1.5'");
        assertThatThrownBy(() -> ConfigFile.parse("[inject-error]\nevent = \"read_aio\"\nprobability = \"x\"\n"))
                .hasMessage("Parameter 'probability' expects a number from 0 to 1, not 'x'");
        assertThatThrownBy(() -> ConfigFile.parse("[inject-delay]\nevent = \"read_aio\"\ndelay = \"1s\"\nfoo = \"1\"\n"))
                .hasMessage("Invalid parameter 'foo'");
    }

    @Test
    void anInjectErrorProbabilityIsReadAndQemuRulesStayAtOne() throws Exception {
        ConfigFile.Rules r = ConfigFile.parse("""
                [inject-error]
                event = "read_aio"
                probability = ".01"
                [inject-error]
                event = "read_aio"
                """);
        assertThat(r.injectErrors()).extracting(Rule.InjectError::probability).containsExactly(0.01, 1.0);
    }

    @Test
    void optionsCarryDelaysSeedAndClock() throws Exception {
        BlkDebugOptions o = DeviceSpecs.parseImageOpts("driver=raw,file.driver=blkdebug,file.image.filename=img,"
                + "file.seed=42,file.clock=virtual,file.inject-delay.0.event=read_aio,file.inject-delay.0.delay=2s,"
                + "file.inject-delay.1.event=write_aio,file.inject-delay.1.delay=3us").blkdebug();
        assertThat(o.seed()).isEqualTo(42L);
        assertThat(o.virtualClock()).isTrue();
        assertThat(o.injectDelays()).extracting(Rule.InjectDelay::delayNanos).containsExactly(2_000_000_000L, 3_000L);
        assertThat(DeviceSpecs.parseFilename("blkdebug::img", "raw").blkdebug().seed()).isNull();
    }

    @Test
    void aClockOtherThanWallOrVirtualIsRefused() {
        assertThatThrownBy(() -> DeviceSpecs.parseImageOpts(
                "driver=raw,file.driver=blkdebug,file.image.filename=img,file.clock=fast"))
                .isInstanceOf(OpenException.class).hasMessage("Parameter 'clock' expects 'wall' or 'virtual', not 'fast'");
    }
}
