package org.blkdebug.cli.commands;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The extended help texts, captured from qemu-io 7.2's {@code help CMD} (resources, not edited). */
final class HelpText {
    private HelpText() {
    }

    static String of(String command) {
        try (InputStream in = HelpText.class.getResourceAsStream("help/" + command + ".txt")) {
            if (in == null) {
                throw new IllegalStateException("no help text for " + command);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
