package org.blkdebug.engine.config;

import static org.assertj.core.api.Assertions.fail;

import java.util.Random;

import org.blkdebug.engine.OpenException;
import org.junit.jupiter.api.Test;

/**
 * Bad input must only ever give OpenException. Feeds garbled variants of valid inputs to all
 * three parsers. Prints its seed; rerun with {@code -Dtests.seed=N} (surefire forks).
 */
class RandomGarbageTest {
    private static final String[] SEEDS = {
        "[inject-error \"a\"]\nevent = \"read_aio\"\nerrno = \"0x1c\"\nsector = \"-1\"\nonce = \"on\"\n"
                + "[set-state]\nevent = \"write_aio\"\nstate = \"1\"\nnew_state = \"2\"\n# c\n",
        "blkdebug:c.ini:img",
        "json:{\"driver\":\"raw\",\"file\":{\"driver\":\"blkdebug\",\"image\":{\"filename\":\"img\"},"
                + "\"align\":\"4k\",\"inject-error\":[{\"event\":\"read_aio\",\"errno\":-1e3}],'x':[null,true]}}",
        "driver=raw,file.driver=blkdebug,file.image.filename=img,file.align=0.5k,file.take-child-perms.0=write,"
                + "file.inject-error.0.event=read_aio,file.set-state.event=none,,x,id=a",
    };
    private static final String ALPHABET = "[]{}\"'=,.:\\ \t\r\n#0x1-9eEkK+-_uazinjectvtrosdfl\0é\uD83D";

    @Test
    void garbageOnlyEverGivesOpenException() {
        long seed = Long.getLong("tests.seed", System.nanoTime());
        System.out.println("RandomGarbageTest seed: " + seed + " (rerun with -Dtests.seed=" + seed + ")");
        Random rnd = new Random(seed);
        for (int i = 0; i < 2000; i++) {
            String input = garble(rnd, SEEDS[rnd.nextInt(SEEDS.length)]);
            for (int parser = 0; parser < 3; parser++) {
                try {
                    switch (parser) {
                        case 0 -> ConfigFile.parse(input);
                        case 1 -> DeviceSpecs.parseFilename(input, rnd.nextBoolean() ? null : "raw");
                        default -> DeviceSpecs.parseImageOpts(input);
                    }
                } catch (OpenException expected) {
                    // fine
                } catch (RuntimeException | StackOverflowError e) {
                    fail("seed " + seed + ", parser " + parser + ", input " + input.replace("\n", "\\n"), e);
                }
            }
        }
    }

    private static String garble(Random rnd, String base) {
        StringBuilder sb = new StringBuilder(base);
        int edits = 1 + rnd.nextInt(8);
        for (int e = 0; e < edits; e++) {
            int at = sb.isEmpty() ? 0 : rnd.nextInt(sb.length() + 1);
            switch (rnd.nextInt(5)) {
                case 0 -> sb.insert(at, ALPHABET.charAt(rnd.nextInt(ALPHABET.length())));
                case 1 -> {
                    if (at < sb.length()) {
                        sb.deleteCharAt(at);
                    }
                }
                case 2 -> {
                    if (at < sb.length()) {
                        sb.setCharAt(at, (char) rnd.nextInt(0x80));
                    }
                }
                case 3 -> sb.insert(at, sb.substring(at, Math.min(sb.length(), at + rnd.nextInt(40))));
                default -> sb.setLength(Math.min(sb.length(), at));
            }
        }
        return sb.toString();
    }
}
