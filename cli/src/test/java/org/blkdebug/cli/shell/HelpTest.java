package org.blkdebug.cli.shell;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** help texts, byte for byte as qemu-io 7.2 prints them. */
class HelpTest {
    @TempDir
    Path dir;

    @Test
    void helpListsQemuIoCommandsSortedWithoutExtensions() throws Exception {
        ShellHarness h = new ShellHarness(dir);
        h.run("help");
        assertThat(h.out()).isEqualTo("""
                abort -- simulate a program crash using abort(3)
                aio_flush -- completes all outstanding aio requests
                aio_read [-Ciqv] [-P pattern] off len [len..] -- asynchronously reads a number of bytes
                aio_write [-Cfiquz] [-P pattern] off len [len..] -- asynchronously writes a number of bytes
                alloc offset [count] -- checks if offset is allocated in the file
                break event tag -- sets a breakpoint on event and tags the stopped request as tag
                close -- close the current open file
                discard [-Cq] off len -- discards a number of bytes at a specified offset
                flush -- flush all in-core file state to disk
                help [command] -- help for one or all commands
                info -- prints information about the current file
                length -- gets the length of the current file
                map  -- prints the allocated areas of a file
                open [-rsCnkU] [-t cache] [-d discard] [-o options] [path] -- open the file specified by path
                quit -- exit the program
                read [-abCqv] [-P pattern [-s off] [-l len]] off len -- reads a number of bytes at a specified offset
                readv [-Cqv] [-P pattern] off len [len..] -- reads a number of bytes at a specified offset
                remove_break tag -- remove a breakpoint by tag
                reopen [(-r|-w)] [-c cache] [-o options] -- reopens an image with new options
                resume tag -- resumes the request tagged as tag
                sigraise signal -- raises a signal
                sleep -- waits for the given value in milliseconds
                truncate [-m prealloc_mode] off -- truncates the current file at the given offset
                wait_break tag -- waits for the suspension of a request
                write [-bcCfnquz] [-P pattern | -s source_file] off len -- writes a number of bytes at a specified offset
                writev [-Cfq] [-P pattern] off len [len..] -- writes a number of bytes at a specified offset

                Use 'help commandname' for extended help.
                """);
    }

    @Test
    void helpForAliasNamesItAsTyped() throws Exception {
        ShellHarness h = new ShellHarness(dir);
        h.run("help q", "help ?");
        assertThat(h.out()).isEqualTo("q -- exit the program\n? [command] -- help for one or all commands\n");
    }

    @Test
    void helpForCommandPrintsExtendedText() throws Exception {
        ShellHarness h = new ShellHarness(dir);
        h.run("help discard");
        assertThat(h.out()).isEqualTo("""
                discard [-Cq] off len -- discards a number of bytes at a specified offset

                 discards a range of bytes from the given offset

                 Example:
                 'discard 512 1k' - discards 1 kilobyte from 512 bytes into the file

                 Discards a segment of the currently open file.
                 -C, -- report statistics in a machine parsable format
                 -q, -- quiet mode, do not show I/O statistics

                """);
    }

    @Test
    void helpOfUnknownCommandFails() throws Exception {
        ShellHarness h = new ShellHarness(dir);
        assertThat(h.run("help foo")).isEqualTo(1);
        assertThat(h.out()).isEqualTo("command foo not found\n");
    }

    // scripted help stays qemu-io's (helpListsQemuIoCommandsSortedWithoutExtensions); the
    // interactive shell also names the design's spellings of the breakpoint commands
    @Test
    void interactiveHelpListsTheDesignNames() throws Exception {
        ShellHarness h = new ShellHarness(dir);
        h.shell.setInteractive(true);
        h.run("help");
        assertThat(h.out()).contains("""
                breakpoint event tag -- the same as break
                is-suspended tag -- the same as is_suspended
                remove-breakpoint tag -- the same as remove_break
                """);
    }

    @Test
    void helpOfADesignNameNamesItAsTyped() throws Exception {
        ShellHarness h = new ShellHarness(dir);
        h.run("help remove-breakpoint");
        assertThat(h.out()).isEqualTo("remove-breakpoint tag -- remove a breakpoint by tag\n");
    }
}
