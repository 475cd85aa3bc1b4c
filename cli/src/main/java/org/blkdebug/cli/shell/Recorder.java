package org.blkdebug.cli.shell;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code record FILE} / {@code --record FILE}: writes every command line of the session to a
 * file, one a line, flushed at once, so {@code blkdebug IMAGE < FILE} replays the session.
 */
final class Recorder implements AutoCloseable {
    private final Writer out;

    Recorder(Path file) throws IOException {
        this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
    }

    void command(String line) {
        try {
            out.write(line);
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            // recording is best effort; the session goes on
        }
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
