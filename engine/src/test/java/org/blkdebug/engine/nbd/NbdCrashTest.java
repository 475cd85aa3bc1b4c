package org.blkdebug.engine.nbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.blkdebug.engine.BlkDebug;
import org.blkdebug.engine.CacheMode;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.block.IoVec;
import org.blkdebug.engine.block.MemoryBackend;
import org.blkdebug.engine.crash.CrashChoice;
import org.junit.jupiter.api.Test;

/** The NBD door of the fault model: a crash drops every client at once and loses what was not flushed. */
class NbdCrashTest {

    private static byte at(MemoryBackend m, long offset) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(1);
        m.read(offset, IoVec.of(b));
        return b.get(0);
    }

    @Test
    void aCrashDropsEveryConnectionAndKeepsOnlyWhatAClientFlushed() throws Exception {
        MemoryBackend m = new MemoryBackend(1 << 20);
        Device dev = BlkDebug.builder().backend(m, "mem").cache(CacheMode.WRITEBACK).open();
        NbdServer server = NbdServer.start(dev, NbdServer.Options.defaults());
        try (NbdTestClient a = NbdTestClient.open(server, true); NbdTestClient b = NbdTestClient.open(server, false)) {
            byte[] one = new byte[512];
            java.util.Arrays.fill(one, (byte) 1);
            assertThat(a.write(1, 0, one, 0).error()).isZero();
            a.request(0, Protocol.CMD_FLUSH, 2, 0, 0, null);
            assertThat(a.reply().error()).isZero();
            byte[] two = new byte[512];
            java.util.Arrays.fill(two, (byte) 2);
            assertThat(b.write(3, 512, two, 0).error()).isZero(); // acknowledged, never flushed

            server.dropAll();
            dev.crash(new CrashChoice.Durable());

            assertThatThrownBy(() -> a.read(4, 0, 512)).isInstanceOf(IOException.class);
            assertThatThrownBy(() -> b.read(5, 0, 512)).isInstanceOf(IOException.class);
        } finally {
            server.close();
        }
        assertThat(at(m, 0)).isEqualTo((byte) 1);
        assertThat(at(m, 512)).isZero();
    }

    @Test
    void aRealClientsUnflushedWriteIsLostWhenThePowerGoesAndItsConnectionDrops() throws Exception {
        RealClients.require("qemu-io");
        MemoryBackend m = new MemoryBackend(1 << 20);
        Device dev = BlkDebug.builder().backend(m, "mem").cache(CacheMode.WRITEBACK).open();
        NbdServer server = NbdServer.start(dev, NbdServer.Options.defaults());
        RealClients.Run unflushed = null;
        try {
            // writethrough: qemu-io flushes after the write; writeback: it does not until it exits
            RealClients.Result r = RealClients.run(30, "qemu-io", "-f", "raw", "-t", "writethrough", server.uri(),
                    "-c", "write -P 0x22 4096 4096");
            assertThat(r.exit()).as(r.output()).isZero();
            unflushed = RealClients.start(java.util.List.of("qemu-io", "-f", "raw", "-t", "writeback", server.uri(),
                    "-c", "write -P 0x11 0 4096", "-c", "sleep 30000"));
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(20).toNanos();
            while (dev.volatileWrites() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(dev.volatileWrites()).as("the client's write reached the disk's cache").isEqualTo(1);
            server.dropAll();
            dev.crash(new CrashChoice.Durable());
        } finally {
            if (unflushed != null) {
                unflushed.process.destroyForcibly();
            }
            server.close();
        }
        assertThat(at(m, 4096)).isEqualTo((byte) 0x22);
        assertThat(at(m, 0)).isZero();
    }
}
