package org.blkdebug.cli.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class HexDumpTest {
    // the last line is not padded, exactly as qemu-io's dump_buffer (read -v 0 20)
    @Test
    void partialLastLineIsNotPadded() {
        String dump = HexDump.render(ByteBuffer.allocate(20), 0);
        assertThat(dump).isEqualTo(
                "00000000:  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  ................\n"
                        + "00000010:  00 00 00 00  ....\n");
    }

    @Test
    void printsAlphanumericsAndOffsetsInHex() {
        String dump = HexDump.render(ByteBuffer.wrap("Ab1 ".getBytes(StandardCharsets.US_ASCII)), 0xff0);
        assertThat(dump).isEqualTo("00000ff0:  41 62 31 20  Ab1.\n");
    }
}
