package org.blkdebug.engine.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.blkdebug.engine.DeviceSpec;
import org.blkdebug.engine.Event;
import org.blkdebug.engine.OpenException;
import org.blkdebug.engine.Rule;
import org.junit.jupiter.api.Test;

/**
 * Our inject-error key {@code skip = "N"} in the three forms a rule can take. Its errors are the
 * ones QEMU gives for its own number keys ({@code errno}, {@code sector}), so a bad skip reads
 * like any other bad rule.
 */
class SkipKeyTest {
    private static final String IMAGE = "\"image\":{\"driver\":\"file\",\"filename\":\"img\"}";

    @Test
    void iniFormSetsSkip() throws Exception {
        ConfigFile.Rules r = ConfigFile.parse("[inject-error]\nevent = \"none\"\nskip = \"6\"\nonce = \"on\"\n");
        assertThat(r.injectErrors()).containsExactly(Rule.InjectError.of(Event.NONE).withOnce(true).withSkip(6));
    }

    @Test
    void withoutSkipTheRuleIsQemus() throws Exception {
        assertThat(ConfigFile.parse("[inject-error]\nevent = \"none\"\n").injectErrors().getFirst().skip()).isZero();
    }

    @Test
    void optionFormSetsSkip() throws Exception {
        DeviceSpec d = DeviceSpecs.parseImageOpts("driver=raw,file.driver=blkdebug,file.image.filename=img,"
                + "file.inject-error.0.event=write_aio,file.inject-error.0.skip=3");
        assertThat(d.blkdebug().injectErrors()).singleElement().extracting(Rule.InjectError::skip).isEqualTo(3L);
    }

    @Test
    void jsonFormTakesANumberOrAString() throws Exception {
        for (String v : new String[] {"2", "\"2\""}) {
            DeviceSpec d = DeviceSpecs.parseFilename("json:{\"driver\":\"raw\",\"file\":{\"driver\":\"blkdebug\","
                    + IMAGE + ",\"inject-error\":[{\"event\":\"none\",\"skip\":" + v + "}]}}", null);
            assertThat(d.blkdebug().injectErrors()).singleElement().extracting(Rule.InjectError::skip).isEqualTo(2L);
        }
    }

    @Test
    void notANumberIsQemusNumberError() {
        assertThatThrownBy(() -> ConfigFile.parse("[inject-error]\nevent = \"none\"\nskip = \"two\"\n"))
                .isInstanceOf(OpenException.class).hasMessage("Parameter 'skip' expects a number");
        assertThatThrownBy(() -> DeviceSpecs.parseImageOpts("driver=raw,file.driver=blkdebug,file.image.filename=img,"
                + "file.inject-error.0.event=none,file.inject-error.0.skip=1x"))
                .isInstanceOf(OpenException.class).hasMessage("Parameter 'skip' expects a number");
    }

    @Test
    void tooLargeIsQemusRangeError() {
        assertThatThrownBy(() -> ConfigFile.parse("[inject-error]\nevent = \"none\"\nskip = \"18446744073709551616\"\n"))
                .isInstanceOf(OpenException.class)
                .hasMessage("Value '18446744073709551616' is too large for parameter 'skip'");
    }

    @Test
    void skipIsNotASetStateKey() {
        assertThatThrownBy(() -> ConfigFile.parse("[set-state]\nevent = \"none\"\nnew_state = \"2\"\nskip = \"1\"\n"))
                .isInstanceOf(OpenException.class).hasMessage("Invalid parameter 'skip'");
    }
}
