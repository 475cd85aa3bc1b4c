package org.blkdebug.engine.crash;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import org.blkdebug.engine.BlkDebug;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.CacheMode;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.DeviceSpec;
import org.blkdebug.engine.OpenException;
import org.blkdebug.engine.OpenOptions;
import org.blkdebug.engine.block.Backend;
import org.blkdebug.engine.block.IoVec;

/**
 * One state a crash could leave, as {@link CrashStates} hands it to a checker: an overlay of the
 * kept writes over the durable image, never a copy of it. {@link #open()} gives a device on it
 * (raw, no rules); what a checker writes there stays private to that device.
 */
public final class CrashState {
    private final int number;
    private final CrashChoice.Explicit choice;
    private final StateView view;
    private final CrashSpace space;

    CrashState(int number, CrashChoice.Explicit choice, StateView view, CrashSpace space) {
        this.number = number;
        this.choice = choice;
        this.view = view;
        this.space = space;
    }

    /** 1 for the first state checked, 2 for the next… */
    public int number() {
        return number;
    }

    /** Makes this state on purpose: the arguments {@code crash} takes ({@link Device#crash}). */
    public CrashChoice.Explicit choice() {
        return choice;
    }

    public long length() {
        return view.length();
    }

    /** The state as a backend: reads from the state, writes to private pages. */
    public Backend backend() throws BlockException {
        return new org.blkdebug.engine.block.OverlayBackend(view.asBackend());
    }

    /**
     * A device on this state: raw over a private copy-on-write overlay. Close it when done; the
     * overlay and whatever was written to it go with it.
     */
    public Device open() throws OpenException {
        Backend overlay;
        try {
            overlay = backend();
        } catch (BlockException e) {
            throw new OpenException(e.getMessage(), e);
        }
        return BlkDebug.open(DeviceSpec.plain("crash-state-" + number),
                OpenOptions.defaults().withCache(CacheMode.WRITEBACK).withVolatileCache(false), overlay);
    }

    /** Reads the state's bytes directly (no device, no virtual threads). */
    public void read(long offset, ByteBuffer dst) throws BlockException {
        view.read(offset, IoVec.of(dst));
    }

    /** Makes {@code file} hold D, the image without any volatile write (sparse). */
    void copyBase(FileChannel file) throws IOException, BlockException {
        CrashStates.copyBase(view.snapshot, file);
    }

    /**
     * Writes the bytes every volatile write could touch into {@code file}, which must hold D or
     * another state of the same crash already: the file then holds this state.
     */
    void writeTouched(FileChannel file) throws IOException, BlockException {
        for (int j = 0; j < space.start.length; j++) {
            long s = space.start[j];
            long e = space.end[j];
            ByteBuffer b = ByteBuffer.allocate((int) Math.min(e - s, 1 << 20));
            for (long at = s; at < e; ) {
                int n = (int) Math.min(e - at, b.capacity());
                b.clear().limit(n);
                view.read(at, IoVec.of(b));
                b.position(0).limit(n);
                while (b.hasRemaining()) {
                    file.write(b, at + b.position());
                }
                at += n;
            }
        }
    }

    @Override
    public String toString() {
        return "crash state " + number + ": crash " + choice;
    }
}
