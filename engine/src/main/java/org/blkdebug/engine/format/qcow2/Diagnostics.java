package org.blkdebug.engine.format.qcow2;

/**
 * Where the driver's messages go. QEMU prints some with {@code fprintf(stderr)} (corruption,
 * check and repair lines) and some with {@code error_report} (prefixed with the program name,
 * e.g. {@code qemu-io: Failed to flush the L2 table cache: ...}).
 */
public interface Diagnostics {
    Diagnostics SILENT = new Diagnostics() {
        @Override
        public void print(String line) {
        }

        @Override
        public void report(String message) {
        }
    };

    /** A line as QEMU's fprintf(stderr) prints it. */
    void print(String line);

    /** A message as error_report prints it (the caller adds the program prefix). */
    void report(String message);
}
