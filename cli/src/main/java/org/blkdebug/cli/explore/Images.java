package org.blkdebug.cli.explore;

import java.util.HashMap;
import java.util.Map;

import org.blkdebug.engine.BlkDebug;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.DeviceSpec;
import org.blkdebug.engine.OpenException;
import org.blkdebug.engine.OpenOptions;
import org.blkdebug.engine.block.Backend;
import org.blkdebug.engine.block.FileBackend;
import org.blkdebug.engine.block.OverlayBackend;
import org.blkdebug.engine.config.DeviceSpecs;
import org.blkdebug.engine.explore.Run;

/**
 * The sweep's image files, each opened read-only once and never written, and the devices runs
 * open on them: a fresh overlay each time, with the run's rule, holds and crash point.
 */
final class Images implements AutoCloseable {
    private final Map<String, Backend> bases = new HashMap<>();
    /** The image file the command line names (what {@code --check} looks at), or null. */
    private final String imageName;

    Images(Scenario scenario) {
        this.imageName = imageName(scenario);
    }

    /** What a run's devices left: the overlay of the image the command line names, once opened. */
    static final class Opened {
        OverlayBackend image;
    }

    /** Opens {@code spec} for {@code run} on a fresh overlay of its image file. */
    Device open(Run run, DeviceSpec spec, OpenOptions options, Opened opened) throws OpenException {
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
            opened.image = overlay;
        }
        return d;
    }

    /** The spec of the image the command line names (its filename and options). */
    static DeviceSpec spec(Scenario scenario) throws OpenException {
        return scenario.imageOpts() ? DeviceSpecs.parseImageOpts(scenario.filename())
                : DeviceSpecs.parseFilename(scenario.filename(), scenario.format());
    }

    private static String imageName(Scenario scenario) {
        if (scenario.filename() == null) {
            return null;
        }
        try {
            return spec(scenario).filename();
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
