package org.blkdebug.cli.explore;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.blkdebug.cli.commands.Context.OpenRequest;
import org.blkdebug.cli.report.Console;
import org.blkdebug.cli.shell.ScriptRunner;
import org.blkdebug.cli.shell.Shell;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.explore.Run;

/**
 * Runs the scenario once, as the shell would from the same command line, with its output
 * captured: every image it opens is a fresh overlay of the image file, with the run's rule,
 * holds and crash point added ({@link Images}).
 *
 * <p>One run at a time; {@link #close} closes the image files.
 */
final class ShellDoor implements Door {
    /** How long the shell waits for the device to settle after a command (as Main's). */
    static final Duration SETTLE = Duration.ofSeconds(30);

    private final Scenario scenario;
    private final Images images;
    private boolean interrupted;

    ShellDoor(Scenario scenario) {
        this.scenario = scenario;
        this.images = new Images(scenario);
    }

    @Override
    public Result run(Run run) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Console console = new Console(buf, buf, StandardCharsets.UTF_8);
        Images.Opened opened = new Images.Opened();
        Shell shell = new Shell(console, SETTLE, (spec, options) -> images.open(run, spec, options, opened));
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
            boolean started = scenario.filename() == null || shell.openInitial(new OpenRequest(scenario.filename(),
                    null, scenario.format(), scenario.cache(), scenario.readOnly()), scenario.imageOpts());
            if (started) {
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
        return new Result(status, buf.toString(StandardCharsets.UTF_8), opened.image);
    }

    @Override
    public boolean interrupted() {
        return interrupted;
    }

    @Override
    public void close() {
        images.close();
    }
}
