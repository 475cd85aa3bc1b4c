package org.blkdebug.engine.nbd;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.blkdebug.engine.Device;

/**
 * A real device that also records which I/O calls the server made and with which write flags
 * (e.g. {@code "writeZeroesAsync [MAY_UNMAP]"}, {@code "blockStatus"}), so tests see how NBD
 * commands and flags were translated.
 */
final class RecordingDevice {
    private static final java.util.Set<String> SYNC_IO =
            java.util.Set.of("read", "write", "writeZeroes", "discard", "flush", "blockStatus");

    final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    final Device device;

    RecordingDevice(Device real) {
        this.device = wrap(real);
    }

    private Device wrap(Device real) {
        return (Device) Proxy.newProxyInstance(Device.class.getClassLoader(), new Class<?>[] {Device.class},
                (proxy, m, args) -> {
                    if (m.getName().equals("session")) {
                        return wrap(real.session((String) args[0]));
                    }
                    if (m.getName().endsWith("Async") || SYNC_IO.contains(m.getName())) {
                        Object last = args == null ? null : args[args.length - 1];
                        calls.add(m.getName() + (last instanceof Device.WriteFlag[] f ? " " + Arrays.toString(f) : ""));
                    }
                    try {
                        return m.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
