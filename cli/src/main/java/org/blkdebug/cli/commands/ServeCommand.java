package org.blkdebug.cli.commands;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.blkdebug.cli.report.Console;
import org.blkdebug.engine.nbd.NbdServer;

/**
 * {@code serve [-r] [-x NAME] [SOCKET | tcp:[HOST:]PORT]}, {@code serve stop}: exports the open
 * device over NBD, so real clients (qemu-io, qemu-img, nbdcopy, the kernel) run through its
 * rules and breakpoints while this shell keeps issuing {@code break}, {@code resume} and
 * {@code requests}. A Unix socket by default; TCP binds to loopback unless a host is given.
 */
final class ServeCommand {
    static final CommandInfo INFO = CommandInfo.of("serve", "[-r] [-x name] [socket | tcp:[host:]port] | stop",
            "exports the open device over NBD (our extension)", 0, 4);

    private ServeCommand() {
    }

    static int serve(Context ctx, List<String> argv) {
        Console out = ctx.console();
        NbdServer running = ctx.nbdServer();
        if (argv.size() == 2 && argv.get(1).equals("stop")) {
            if (running == null) {
                out.println("serve: no NBD export running");
                return ShellCommand.FAILED;
            }
            running.close();
            ctx.nbdServer(null);
            return ShellCommand.OK;
        }
        if (running != null) {
            out.println("NBD export already running at " + running.uri());
            return argv.size() == 1 ? ShellCommand.OK : ShellCommand.FAILED;
        }
        boolean readOnly = false;
        String name = "";
        String where = null;
        for (int i = 1; i < argv.size(); i++) {
            String a = argv.get(i);
            if (a.equals("-r")) {
                readOnly = true;
            } else if (a.equals("-x") && i + 1 < argv.size()) {
                name = argv.get(++i);
            } else if (a.startsWith("-") || where != null) {
                out.println(INFO.usage());
                return ShellCommand.FAILED;
            } else {
                where = a;
            }
        }
        NbdServer.Options options;
        try {
            options = options(where);
        } catch (IllegalArgumentException e) {
            out.println("serve: " + e.getMessage());
            return ShellCommand.FAILED;
        }
        options = options.withExportName(name).withReadOnly(readOnly)
                .withLog(line -> out.error("blkdebug: nbd: " + line));
        try {
            NbdServer server = NbdServer.start(ctx.device(), options);
            ctx.nbdServer(server);
            out.println("NBD export at " + server.uri());
            return ShellCommand.OK;
        } catch (IOException | RuntimeException e) {
            out.println("serve: cannot start the NBD export: " + e.getMessage());
            return ShellCommand.FAILED;
        }
    }

    private static NbdServer.Options options(String where) {
        if (where == null) {
            return NbdServer.Options.defaults();
        }
        if (where.startsWith("tcp:")) {
            String hp = where.substring(4);
            int colon = hp.lastIndexOf(':');
            String host = colon < 0 ? "127.0.0.1" : hp.substring(0, colon);
            String port = colon < 0 ? hp : hp.substring(colon + 1);
            try {
                return NbdServer.Options.tcp(host, Integer.parseInt(port));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("invalid port: " + port);
            }
        }
        return NbdServer.Options.unix(Path.of(where));
    }
}
