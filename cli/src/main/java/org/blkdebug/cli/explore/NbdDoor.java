package org.blkdebug.cli.explore;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.CacheMode;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.OpenException;
import org.blkdebug.engine.OpenOptions;
import org.blkdebug.engine.explore.Orders;
import org.blkdebug.engine.explore.Run;
import org.blkdebug.engine.nbd.NbdServer;

/**
 * {@code --run 'CMD'}: a run is a client command against a fresh NBD export of a fresh device,
 * as {@code blkdebug serve --run} (nbdkit's captive mode) runs it ({@link NbdServer#captive}:
 * {@code sh -c CMD} with {@code $uri}, {@code $nbd}, {@code $unixsocket}, {@code $port} and
 * {@code $exportname}), its output captured, its exit status the run's. The export closes when the command exits; a crash drops its connections at once.
 * The client's threads cannot say when they are stuck, so held requests are released by the
 * automatic scheduler (the orders axis' settle time).
 */
final class NbdDoor implements Door {
    /** A client that does not end is a failing run, not a hung sweep. */
    private static final long TIMEOUT_SECONDS = 300;

    private final Scenario scenario;
    private final String command;
    private final Orders orders;
    private final Images images;
    private final Path output;
    private boolean interrupted;

    NbdDoor(Scenario scenario, String command, Orders orders) throws IOException {
        this.scenario = scenario;
        this.command = command;
        this.orders = orders;
        this.images = new Images(scenario);
        this.output = Files.createTempFile("blkdebug-explore-", ".out");
    }

    @Override
    public Result run(Run run) {
        Images.Opened opened = new Images.Opened();
        Device dev;
        try {
            String c = scenario.cache(); // qemu-nbd's default is writeback, as serve's
            CacheMode cache = c == null ? CacheMode.WRITEBACK
                    : c.equals("off") ? CacheMode.NONE : CacheMode.byName(c).orElse(CacheMode.WRITEBACK);
            dev = images.open(run, Images.spec(scenario), new OpenOptions(cache, scenario.readOnly(), null), opened);
        } catch (OpenException e) {
            return new Result(1, "qemu-nbd: Failed to blk_new_open '" + scenario.filename() + "': " + e.getMessage() + "\n",
                    null);
        }
        int status = 1;
        String out = "";
        try (NbdServer server = NbdServer.start(dev, NbdServer.Options.defaults().withReadOnly(scenario.readOnly()))) {
            run.onCrash(server::dropAll); // power gone: every client loses its connection at once
            if (run.scheduler() != null) {
                run.scheduler().startAuto(orders.settle());
            }
            status = client(server);
            out = Files.readString(output, StandardCharsets.UTF_8);
        } catch (IOException e) {
            out = "explore: cannot export the device: " + e.getMessage() + "\n";
        } catch (InterruptedException e) {
            interrupted = true;
        } finally {
            try {
                if (run.scheduler() != null) {
                    run.scheduler().stopAuto();
                }
                run.scenarioEnded();
                run.awaitCrash();
            } catch (InterruptedException e) {
                interrupted = true;
            }
            try {
                dev.close();
            } catch (BlockException ignored) {
                // a crashed device is closed already
            }
        }
        return new Result(status, out, opened.image);
    }

    /** Runs the client command against {@code server}; its exit status, -1 if it did not end. */
    private int client(NbdServer server) throws IOException, InterruptedException {
        Process p = server.captive(command).redirectErrorStream(true).redirectOutput(output.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    @Override
    public boolean interrupted() {
        return interrupted;
    }

    @Override
    public void close() {
        images.close();
        try {
            Files.deleteIfExists(output);
        } catch (IOException ignored) {
            // a temp file
        }
    }
}
