package org.blkdebug.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** qemu-nbd 7.2's command line: its defaults, getopt_long's forms and its error texts. */
class ServeArgsTest {
    private static ServeArgs parse(String... args) throws ServeArgs.BadArguments {
        return ServeArgs.parse(args);
    }

    /** What a client sees by default is qemu-nbd's: TCP 0.0.0.0:10809, writeback, discards ignored, one client. */
    @Test
    void defaultsAreQemuNbds() throws Exception {
        ServeArgs a = parse("img");
        assertThat(a.socket()).isNull();
        assertThat(a.bind()).isEqualTo("0.0.0.0");
        assertThat(a.port()).isEqualTo("10809");
        assertThat(a.cache()).isEqualTo("writeback");
        assertThat(a.unmap()).isFalse();
        assertThat(a.shared()).isEqualTo(1);
        assertThat(a.persistent()).isFalse();
        assertThat(a.exportName()).isEmpty();
        assertThat(a.detectZeroes()).isEqualTo("off");
        assertThat(a.file()).isEqualTo("img");
    }

    @Test
    void shortLongClusteredAndAttachedFormsAllWork() throws Exception {
        ServeArgs a = parse("-rtk", "/tmp/s", "-xdisk", "--export-name=other", "-e0", "--cache", "none",
                "--discard=unmap", "--detect-zeroes=unmap", "-f", "raw", "img", "-c", "break write_aio A",
                "--run", "true", "--pid-file=/tmp/p", "-D", "text", "-v", "--aio=native", "-T", "x");
        assertThat(a.readOnly()).isTrue();
        assertThat(a.persistent()).isTrue();
        assertThat(a.socket()).isEqualTo("/tmp/s");
        assertThat(a.exportName()).isEqualTo("other");
        assertThat(a.shared()).isZero();
        assertThat(a.cache()).isEqualTo("none");
        assertThat(a.unmap()).isTrue();
        assertThat(a.detectZeroes()).isEqualTo("unmap");
        assertThat(a.format()).isEqualTo("raw");
        assertThat(a.commands()).containsExactly("break write_aio A");
        assertThat(a.run()).isEqualTo("true");
        assertThat(a.pidFile()).isEqualTo("/tmp/p");
        assertThat(a.description()).isEqualTo("text");
        assertThat(a.verbose()).isTrue();
    }

    @Test
    void nocacheIsCacheNoneAndOnlyOnce() throws Exception {
        assertThat(parse("-n", "img").cache()).isEqualTo("none");
        assertThatThrownBy(() -> parse("-n", "--cache=writeback", "img"))
                .hasMessage("-n and --cache can only be specified once");
    }

    @Test
    void tcpAliasAndLongPrefixes() throws Exception {
        ServeArgs a = parse("--tcp", "7777", "--persist", "img");
        assertThat(a.bind()).isEqualTo("127.0.0.1");
        assertThat(a.port()).isEqualTo("7777");
        assertThat(a.persistent()).isTrue();
        assertThat(parse("--tcp=::1:7000", "img").bind()).isEqualTo("::1");
    }

    /** The texts are qemu-nbd 7.2's (seen by running it). */
    @Test
    void badCommandLinesGetQemuNbdsWords() {
        assertThatThrownBy(() -> parse("-z", "img")).hasMessage("invalid option -- 'z'");
        assertThatThrownBy(() -> parse("--bogus", "img")).hasMessage("unrecognized option '--bogus'");
        assertThatThrownBy(() -> parse()).hasMessage("Invalid number of arguments");
        assertThatThrownBy(() -> parse("a", "b")).hasMessage("Invalid number of arguments");
        assertThatThrownBy(() -> parse("--cache=foo", "img")).hasMessage("Invalid cache mode `foo'");
        assertThatThrownBy(() -> parse("-e", "-1", "img")).hasMessage("Invalid shared device number '-1'");
        assertThatThrownBy(() -> parse("--discard=foo", "img")).hasMessage("Invalid discard mode `foo'");
        assertThatThrownBy(() -> parse("--detect-zeroes=foo", "img"))
                .hasMessage("Failed to parse detect_zeroes mode: invalid parameter value: foo");
        assertThatThrownBy(() -> parse("--detect-zeroes=unmap", "img"))
                .hasMessage("setting detect-zeroes to unmap is not allowed without setting discard operation to unmap");
        assertThatThrownBy(() -> parse("--image-opts", "-f", "raw", "img"))
                .hasMessage("--image-opts and -f are mutually exclusive");
        assertThatThrownBy(() -> parse("-k")).hasMessage("option requires an argument -- 'k'");
        assertThatThrownBy(() -> parse("--socket")).hasMessage("option '--socket' requires an argument");
    }

    /** What we do not do is refused in a sentence, never half done. */
    @Test
    void unsupportedQemuNbdOptionsAreRefusedClearly() {
        assertThatThrownBy(() -> parse("--connect=/dev/nbd0", "img")).hasMessageContaining("kernel NBD client");
        assertThatThrownBy(() -> parse("-s", "img")).hasMessageContaining("not supported");
        assertThatThrownBy(() -> parse("--tls-creds=x", "img")).hasMessage("TLS is not supported");
        assertThatThrownBy(() -> parse("--fork", "--run", "true", "img")).hasMessageContaining("--fork and --run");
    }
}
