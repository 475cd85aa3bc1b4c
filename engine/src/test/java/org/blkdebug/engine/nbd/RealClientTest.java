package org.blkdebug.engine.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.blkdebug.engine.BlkDebug;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.Errno;
import org.blkdebug.engine.Event;
import org.blkdebug.engine.Operation;
import org.blkdebug.engine.Phase;
import org.blkdebug.engine.Rule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The export driven by real clients: qemu-io (QEMU's NBD client, what blkdebug users run), nbdinfo
 * and nbdcopy (libnbd). Each test is skipped with a message when its client is not installed.
 */
@Timeout(60)
class RealClientTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int SIZE = 1 << 20;

    @TempDir
    Path dir;

    /** On a Unix socket in the test's temp dir. */
    private NbdServer serve(Device dev, NbdServer.Options o) throws Exception {
        return NbdServer.start(dev, o.withSocket(dir.resolve("nbd.sock")));
    }

    @Test
    void qemuIoWriteThenReadRoundTrips() throws Exception {
        RealClients.require("qemu-io");
        try (Device dev = BlkDebug.builder().memory(SIZE).open();
             NbdServer nbd = serve(dev, NbdServer.Options.defaults())) {
            RealClients.Result r = RealClients.run(30, "qemu-io", "-f", "raw", nbd.uri(),
                    "-c", "write -P 0xab 4096 8192", "-c", "read -P 0xab 4096 8192", "-c", "read -P 0 0 4096");
            assertThat(r.exit()).as(r.output()).isZero();
            assertThat(r.output()).contains("wrote 8192/8192 bytes at offset 4096",
                    "read 8192/8192 bytes at offset 4096", "read 4096/4096 bytes at offset 0")
                    .doesNotContain("Pattern verification failed");
            ByteBuffer b = ByteBuffer.allocate(8192);
            dev.read(4096, b);
            assertThat(b.array()).containsOnly((byte) 0xab);
        }
    }

    /** The point of the export: a real client's request parks at a breakpoint, labelled with its connection. */
    @Test
    void qemuIoWriteParksAtBreakpointUntilResumed() throws Exception {
        RealClients.require("qemu-io");
        try (Device dev = BlkDebug.builder().memory(SIZE).open();
             NbdServer nbd = serve(dev, NbdServer.Options.defaults())) {
            dev.breakpoint(Event.WRITE_AIO, "A");
            RealClients.Run client = RealClients.start(List.of("qemu-io", "-f", "raw", nbd.uri(),
                    "-c", "write -P 0x5a 0 4k"));
            assertThat(dev.awaitSuspended("A", WAIT)).as("the client's write parks").isTrue();
            assertThat(dev.awaitQuiescence(WAIT)).isTrue();
            assertThat(dev.requests()).singleElement().satisfies(r -> {
                assertThat(r.op()).isEqualTo(Operation.WRITE);
                assertThat(r.phase()).isEqualTo(Phase.SUSPENDED);
                assertThat(r.origin()).isEqualTo("nbd#1");
                assertThat(r.length()).isEqualTo(4096);
            });
            assertThat(nbd.connections()).singleElement()
                    .satisfies(c -> assertThat(c.inFlight()).isEqualTo(1));
            assertThat(client.process.isAlive()).isTrue();
            dev.resume("A");
            RealClients.Result r = client.await(30);
            assertThat(r.exit()).as(r.output()).isZero();
            assertThat(r.output()).contains("wrote 4096/4096 bytes at offset 0");
        }
    }

    @Test
    void injectedEioReachesQemuIo() throws Exception {
        RealClients.require("qemu-io");
        try (Device dev = BlkDebug.builder().memory(SIZE)
                .injectError(Rule.InjectError.of(Event.WRITE_AIO).withErrno(Errno.EIO)).open();
             NbdServer nbd = serve(dev, NbdServer.Options.defaults())) {
            RealClients.Result r = RealClients.run(30, "qemu-io", "-f", "raw", nbd.uri(), "-c", "write 0 4k");
            assertThat(r.output()).contains("write failed: Input/output error");
        }
    }

    /**
     * The minimum block size is the raw node's (1), so qemu-io's NBD client sends an unaligned
     * write as it is, and blkdebug's read-modify-write events fire below it, as under qemu-nbd.
     */
    @Test
    void qemuIoUnalignedWriteReachesTheReadModifyWriteEvents() throws Exception {
        RealClients.require("qemu-io");
        try (Device dev = BlkDebug.builder().memory(SIZE).align(4096)
                .injectError(Rule.InjectError.of(Event.PWRITEV_RMW_HEAD).withErrno(Errno.ENOSPC).withOnce(true)).open();
             NbdServer nbd = serve(dev, NbdServer.Options.defaults())) {
            RealClients.Result r = RealClients.run(30, "qemu-io", "-f", "raw", nbd.uri(),
                    "-c", "write -P 7 512 512", "-c", "write -P 8 4096 4096");
            assertThat(r.output()).contains("write failed: No space left on device",
                    "wrote 4096/4096 bytes at offset 4096");
        }
    }

    @Test
    void nbdinfoDescribesTheExport() throws Exception {
        RealClients.require("nbdinfo");
        try (Device dev = BlkDebug.builder().memory(SIZE).withoutFormat().align(512).open();
             NbdServer nbd = serve(dev, NbdServer.Options.defaults())) {
            RealClients.Result r = RealClients.run(30, "nbdinfo", nbd.uri());
            assertThat(r.exit()).as(r.output()).isZero();
            assertThat(r.output()).contains("export-size: 1048576", "block_size_minimum: 512",
                    "block_size_preferred: 4096", "block_size_maximum: 33554432", "is_read_only: false",
                    "can_flush: true", "can_fua: true", "can_trim: true", "can_zero: true", "can_multi_conn: true");
        }
    }

    @Test
    void nbdinfoSeesReadOnlyExport() throws Exception {
        RealClients.require("nbdinfo");
        try (Device dev = BlkDebug.builder().memory(SIZE).open();
             NbdServer nbd = serve(dev, NbdServer.Options.defaults().withReadOnly(true))) {
            RealClients.Result r = RealClients.run(30, "nbdinfo", nbd.uri());
            assertThat(r.output()).contains("is_read_only: true", "can_trim: false");
        }
    }

    @Test
    void nbdinfoListsTheExport() throws Exception {
        RealClients.require("nbdinfo");
        try (Device dev = BlkDebug.builder().memory(SIZE).open();
             NbdServer nbd = serve(dev, NbdServer.Options.defaults().withExportName("disk0"))) {
            RealClients.Result r = RealClients.run(30, "nbdinfo", "--list",
                    "nbd+unix://?socket=" + ((java.net.UnixDomainSocketAddress) nbd.address()).getPath());
            assertThat(r.exit()).as(r.output()).isZero();
            assertThat(r.output()).contains("export=", "disk0");
        }
    }

    @Test
    void nbdcopyCopiesTheExportToAFileAndBack() throws Exception {
        RealClients.require("nbdcopy");
        byte[] image = new byte[SIZE];
        new Random(42).nextBytes(image);
        try (Device dev = BlkDebug.builder().memory(SIZE).open();
             NbdServer nbd = serve(dev, NbdServer.Options.defaults())) {
            dev.write(0, ByteBuffer.wrap(image));
            Path file = dir.resolve("copy.img");
            RealClients.Result out = RealClients.run(60, "nbdcopy", nbd.uri(), file.toString());
            assertThat(out.exit()).as(out.output()).isZero();
            assertThat(Files.readAllBytes(file)).isEqualTo(image);

            byte[] changed = image.clone();
            Arrays.fill(changed, 100_000, 300_000, (byte) 7);
            Arrays.fill(changed, 500_000, 700_000, (byte) 0); // nbdcopy may send these as WRITE_ZEROES
            Files.write(file, changed);
            RealClients.Result back = RealClients.run(60, "nbdcopy", file.toString(), nbd.uri());
            assertThat(back.exit()).as(back.output()).isZero();
            ByteBuffer b = ByteBuffer.allocate(SIZE);
            dev.read(0, b);
            assertThat(b.array()).isEqualTo(changed);
        }
    }

    @Test
    void qemuImgOverTcp() throws Exception {
        RealClients.require("qemu-img");
        try (Device dev = BlkDebug.builder().memory(SIZE).open();
             NbdServer nbd = NbdServer.start(dev, NbdServer.Options.tcp(0))) {
            RealClients.Result r = RealClients.run(30, "qemu-img", "info", "-f", "raw", nbd.uri());
            assertThat(r.exit()).as(r.output()).isZero();
            assertThat(r.output()).contains("virtual size: 1 MiB (1048576 bytes)");
        }
    }
}
