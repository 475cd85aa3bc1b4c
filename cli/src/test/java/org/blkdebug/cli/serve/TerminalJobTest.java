package org.blkdebug.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Reading /proc/PID/stat for {@link TerminalJob}: a background job of the terminal on stdin, and nothing else. */
class TerminalJobTest {
    /** /dev/pts/3: major 136, minor 3. */
    private static final long PTS3 = (136 << 8) | 3;

    /** A stat line: pid 4242 in process group {@code pgrp}, terminal {@code tty}, whose foreground group is {@code tpgid}. */
    private static String stat(String comm, long pgrp, long tty, long tpgid) {
        return "4242 (" + comm + ") S 4000 " + pgrp + " 4000 " + tty + " " + tpgid + " 4194560 1234 0 0 0";
    }

    @Test
    void aJobInTheBackgroundOfItsStdinsTerminal() {
        assertThat(TerminalJob.inBackground(stat("java", 4242, PTS3, 4000), PTS3)).isTrue();
    }

    @Test
    void notTheForegroundJob() {
        assertThat(TerminalJob.inBackground(stat("java", 4242, PTS3, 4242), PTS3)).isFalse();
    }

    @Test
    void notWithoutAControllingTerminal() {
        assertThat(TerminalJob.inBackground(stat("java", 4242, 0, -1), PTS3)).isFalse();
    }

    /** Reading another terminal than the controlling one stops nobody. */
    @Test
    void notWhenStdinIsAnotherTerminal() {
        assertThat(TerminalJob.inBackground(stat("java", 4242, PTS3, 4000), PTS3 + 1)).isFalse();
    }

    /** The command name is the kernel's, spaces and parentheses included: the fields follow the last ')'. */
    @Test
    void aCommandNameWithSpacesAndParentheses() {
        assertThat(TerminalJob.inBackground(stat("a) 1 2 (b", 4242, PTS3, 4000), PTS3)).isTrue();
        assertThat(TerminalJob.inBackground(stat("a) 1 2 (b", 4242, PTS3, 4242), PTS3)).isFalse();
    }
}
