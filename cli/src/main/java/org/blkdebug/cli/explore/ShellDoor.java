package org.blkdebug.cli.explore;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.blkdebug.cli.commands.Context.OpenRequest;
import org.blkdebug.cli.report.Console;
import org.blkdebug.cli.shell.ScriptRunner;
import org.blkdebug.cli.shell.Shell;
import org.blkdebug.engine.BlkDebug;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.DeviceSpec;
import org.blkdebug.engine.OpenException;
import org.blkdebug.engine.OpenOptions;
import org.blkdebug.engine.block.Backend;
import org.blkdebug.engine.block.FileBackend;
import org.blkdebug.engine.block.OverlayBackend;
import org.blkdebug.engine.explore.Run;

/**
 * Runs the scenario once, as the shell would from the same command line, with its output
 * captured: every image it opens is a fresh overlay of the image file (opened read-only once for
 * the whole sweep and never written), with the run's rule and holds added.
 *
 * <p>One run at a time; {@link #close} closes the image files.
 */
final class ShellDoor implements AutoCloseable {
    /** How long the shell waits for the device to settle after a command (as Main's). */
    static final Duration SETTLE = Duration.ofSeconds(30);

    /** What one run left. */
    record Result(int status, String output, OverlayBackend image) {
    }

    private final Scenario scenario;
    /** The image file the command line names (what {@code --check} looks at), or null. */
    private final String imageName;
    private final Map<String, Backend> bases = new HashMap<>();
    private boolean interrupted;

    ShellDoor(Scenario scenario) {
        this.scenario = scenario;
        this.imageName = imageName(scenario);
    }

    Result run(Run run) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Console console = new Console(buf, buf, StandardCharsets.UTF_8);
        OverlayBackend[] image = new OverlayBackend[1];
        Shell shell = new Shell(console, SETTLE, (spec, options) -> open(run, spec, options, image));
        if (run.scheduler() != null) {
            shell.releaseHeldWith(() -> {
                try {
                    return run.scheduler().releaseNext();
                } catch (BlockException e) {
                    return false; // the device closed under the scheduler: nothing to release
                }
            });
        }
        int status;
        try {
            boolean opened = scenario.filename() == null || shell.openInitial(new OpenRequest(scenario.filename(),
                    null, scenario.format(), scenario.cache(), scenario.readOnly()), scenario.imageOpts());
            if (opened) {
                if (scenario.script() == null) {
                    ScriptRunner.runCommands(shell, scenario.commands());
                } else {
                    ScriptRunner.runStdin(shell, new BufferedReader(new StringReader(scenario.script())));
                }
            } else {
                shell.markFailed();
            }
        } catch (IOException e) {
            console.report(e.getMessage());
            shell.markFailed();
        } catch (InterruptedException e) {
            interrupted = true; // the sweep stops after this run: its outcome means nothing
            shell.markFailed();
        }
        run.scenarioEnded(); // a run chosen to crash at the end crashes now
        try {
            run.awaitCrash();
        } catch (InterruptedException e) {
            interrupted = true;
        }
        status = shell.finish();
        return new Result(status, buf.toString(StandardCharsets.UTF_8), image[0]);
    }

    /** True once a run was interrupted (Ctrl-C): the sweep must stop, not count broken runs. */
    boolean interrupted() {
        return interrupted;
    }

    /** The shell's opener under explore: a fresh overlay of the image, the run's rule and holds. */
    private Device open(Run run, DeviceSpec spec, OpenOptions options, OverlayBackend[] image) throws OpenException {
        Backend base = bases.get(spec.filename());
        if (base == null) {
            base = FileBackend.open(spec.filename(), true);
            bases.put(spec.filename(), base);
        }
        OverlayBackend overlay;
        try {
            overlay = new OverlayBackend(base);
        } catch (BlockException e) {
            throw new OpenException("Could not open '" + spec.filename() + "': " + e.getMessage(), e);
        }
        Device d = BlkDebug.open(run.spec(spec), options.withListener(run.listener(options.listener())), overlay);
        try {
            run.attach(d);
        } catch (BlockException e) {
            try {
                d.close();
            } catch (BlockException ignored) {
                // the open error is the one to report
            }
            throw new OpenException("explore cannot hold requests here: " + e.getMessage(), e);
        }
        if (spec.filename().equals(imageName)) {
            image[0] = overlay;
        }
        return d;
    }

    private static String imageName(Scenario scenario) {
        if (scenario.filename() == null) {
            return null;
        }
        try {
            DeviceSpec spec = scenario.imageOpts()
                    ? org.blkdebug.engine.config.DeviceSpecs.parseImageOpts(scenario.filename())
                    : org.blkdebug.engine.config.DeviceSpecs.parseFilename(scenario.filename(), scenario.format());
            return spec.filename();
        } catch (OpenException e) {
            return null;
        }
    }

    @Override
    public void close() {
        for (Backend b : bases.values()) {
            try {
                b.close();
            } catch (BlockException ignored) {
                // read-only files
            }
        }
        bases.clear();
    }
}
