package org.blkdebug.engine.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.blkdebug.engine.OpenException;

/**
 * Coverage-guided fuzzing (Jazzer, for a fixed 10 s inside the test suite) of everything that
 * parses user input into a device: config files, filenames ({@code blkdebug:}, {@code json:})
 * and option strings. Any answer but a result or an {@link OpenException} with a message is a
 * finding; Jazzer keeps the input that found it under src/test/resources for replay.
 *
 * <p>One fuzz test per module: in fuzzing mode Jazzer runs a single {@code @FuzzTest} per JVM.
 */
class ParsersJazzerTest {

    @FuzzTest(maxDuration = "10s")
    void everyInputGetsAResultOrAnOpenExceptionWithAMessage(FuzzedDataProvider data) {
        int parser = data.consumeInt(0, 3);
        String input = data.consumeRemainingAsString();
        try {
            switch (parser) {
                case 0 -> ConfigFile.parse(input);
                case 1 -> DeviceSpecs.parseFilename(input, null);
                case 2 -> DeviceSpecs.parseFilename("json:" + input, null);
                default -> DeviceSpecs.parseImageOpts(input);
            }
        } catch (OpenException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }
}
