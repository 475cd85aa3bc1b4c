package org.blkdebug.cli.difftest;

import java.util.List;
import java.util.function.Predicate;

/**
 * Differences the tester counts under a name instead of failing on: the documented ones
 * (docs/differences-from-qemu.md) and those found and not yet fixed. Each is recognised
 * by what QEMU did and what the session contains, never by masking output: the session still
 * ran, and its difference is reported by name and count.
 */
final class Known {
    /** One named class of difference. */
    record Kind(String name, Predicate<Case> matches) {
    }

    /** A session and what both programs did with it. */
    record Case(Session session, Runner.Outcome qemu, Runner.Outcome ours) {
        boolean anyCommand(String regex) {
            return session.commands().stream().anyMatch(c -> c.matches(regex));
        }

        boolean anyArg(String regex) {
            return session.args().stream().anyMatch(a -> a.matches(regex))
                    || (session.file() != null && session.file().matches(regex));
        }
    }

    /**
     * D21: the same lines and exit status in another order, other image bytes, where an
     * {@code aio_write} and a later write overlap while both may be in flight and no {@code align}
     * pads them (QEMU does not serialise them): the order of their reports and which lands last
     * are one race of QEMU's thread pool.
     */
    static final Kind ORDER_AND_IMAGE = new Kind(
            "D21 (overlapping writes in flight together, reported in another order: which lands last is QEMU's timing)",
            c -> c.qemu().exit() == c.ours().exit() && !c.qemu().md5().equals(c.ours().md5()) && !aligned(c)
                    && sortedLines(c.qemu().output()).equals(sortedLines(c.ours().output()))
                    && onlyOverlappingReportsMoved(c));

    static final List<Kind> KINDS = List.of(
            // D15: -s is QEMU's temporary qcow2 overlay on top of the graph (partial writes read the
            // rest of their cluster through blkdebug, writes never reach it); ours in memory below it
            new Kind("D15 (-s: QEMU's qcow2 overlay above blkdebug, ours in memory below it)",
                    c -> (c.anyArg("-s") || c.anyCommand("open .*-s .*"))
                            && (c.session().rules() != null || c.anyArg(".*inject-error.*"))),
            // D15 too: with -s, alloc/map answer for QEMU's qcow2 overlay, for ours the image
            // below the in-memory one; only those lines differ (exit status and image the same).
            // The other lines may come in another order: a write takes qcow2's rounds in QEMU's
            // overlay, one round in ours' (and blkdebug's padding below it), so its report lands
            // elsewhere (D15's timing; seed 180000000 session 10856)
            new Kind("D15 (-s: alloc/map answer for QEMU's qcow2 overlay)",
                    c -> (c.anyArg("-s") || c.anyCommand("open .*-s .*"))
                            && c.qemu().exit() == c.ours().exit() && c.qemu().md5().equals(c.ours().md5())
                            && sorted(withoutAllocation(c.qemu().output())).equals(sorted(withoutAllocation(c.ours().output())))),
            // D15 too: under -s QEMU's breakpoint commands look for blkdebug down the overlay's
            // file child (its temporary file) and fail; ours reach blkdebug
            new Kind("D15 (-s: QEMU's breakpoint commands cannot reach blkdebug through its overlay)",
                    c -> (c.anyArg("-s") || c.anyCommand("open .*-s .*"))
                            && c.qemu().output().lines().anyMatch(l -> l.matches(
                                    "(qemu-io> )*Could not (set breakpoint|resume request|remove breakpoint \\S+): Operation not supported"))),
            // D22: a block-status rule with a negative errno makes blkdebug answer a positive
            // status without a length, and qemu-io 7.2 aborts on io.c's assertion (exit 134)
            new Kind("D22 (a negative errno on a block-status rule: qemu-io aborts)",
                    c -> c.qemu().exit() == 134
                            && c.qemu().output().contains("bdrv_co_block_status: Assertion `*pnum && QEMU_IS_ALIGNED(*pnum, align)")
                            && negativeBlockStatusRule(c)),
            // D7 too: under copy-on-read with blkdebug's max-transfer below the qcow2 cluster size,
            // bdrv_co_do_copy_on_readv asks bdrv_is_allocated for max-transfer bytes from the
            // cluster's start, and a read starting further into the cluster fails its assertion
            // skip_bytes < pnum (seed 130000000 sessions 7646 and 11524, no rule needed; scenario
            // 585); ours skips the pieces before the request and reads it
            new Kind("D7 (copy-on-read with max-transfer below the cluster size: qemu-io aborts)",
                    c -> c.qemu().exit() == 134
                            && c.qemu().output().contains("bdrv_co_do_copy_on_readv: Assertion `skip_bytes < pnum' failed.")
                            && c.session().format().equals("qcow2") && copyOnRead(c) && maxTransferBelowCluster(c)),
            // D7 too: qemu-io 7.2 aborts on an assertion or a failed request check (exit 134)
            new Kind("D7 (qemu-io aborts: an assertion or a request check of its own)",
                    c -> c.qemu().exit() == 134 && c.qemu().output().lines().anyMatch(l -> l.matches(
                            "(qemu-io> )*(qemu-io: \\.\\./\\.\\./block/blkdebug\\.c:\\d+: blkdebug_co_pdiscard: Assertion .* failed\\."
                            + "|Unexpected error in bdrv_check_qiov_request\\(\\) at .*)"))),
            // qemu-io 7.2 dies of SIGFPE (exit 136) on a discard unaligned to align
            new Kind("D7 (discard unaligned to align: qemu-io crashes)",
                    c -> c.qemu().exit() == 136 && c.anyCommand("discard.*")),
            // D7 too: a shrinking qcow2 truncate discards the freed clusters, which are smaller than
            // align, and qemu-io dies of the same SIGFPE (seed 80000000 session 15274)
            new Kind("D7 (a shrinking qcow2 truncate discards clusters unaligned to align: qemu-io crashes)",
                    c -> c.qemu().exit() == 136 && c.session().format().equals("qcow2") && aligned(c)
                            && c.anyCommand("truncate .*")),
            // D7 too: so does a qcow2 allocation that fails and frees the clusters it took
            // (qcow2_alloc_host_offset -> qcow2_free_clusters -> qcow2_process_discards ->
            // bdrv_co_pdiscard; seed 160000000 sessions 533, 624, 1594, found by the D2 audit:
            // the base D2 kind had taken them)
            new Kind("D7 (a failed qcow2 allocation discards the clusters it freed, unaligned to align: qemu-io crashes)",
                    c -> c.qemu().exit() == 136 && c.session().format().equals("qcow2") && aligned(c)
                            && c.anyCommand("(aio_write|write|writev) .*")),
            // D7 too: an allocating qcow2 write asks whether its COW areas read as zeroes (is_zero_cow)
            // and waits in qcow2_co_block_status while a fatal corruption drops the node's driver;
            // the "unallocated" answer meets bs->drv->supports_backing in bdrv_co_block_status and
            // qemu-io dies of SIGSEGV (exit 139), in the drain at exit; ours' write fails with
            // ENOMEDIUM, reported after everything QEMU printed (seed 110000000 session 14643,
            // scenario 570)
            new Kind("D7 (a block-status query outlives a fatal qcow2 corruption: qemu-io crashes)",
                    c -> c.qemu().exit() == 139 && c.session().format().equals("qcow2") && c.anyCommand("aio_write .*")
                            && c.qemu().md5().equals(c.ours().md5())
                            && c.qemu().output().lines().anyMatch(l -> l.matches("(qemu-io> )*qcow2: Marking image as corrupt: .*"))
                            && onlyNoMediumAfter(c.qemu().output(), c.ours().output())),
            // D2: an RMW read failed by a rule; QEMU writes the padded block anyway
            new Kind("D2 (failed RMW read of an unaligned write)",
                    c -> anyRule(c) && rmwReadFailed(c)),
            // D2 too: after its failed RMW read QEMU's write goes on to pwritev and pwritev_done,
            // whose rules re-arm blkdebug (the first inject rule of an event drops the armed ones);
            // ours ends the write there, so a later request meets other rules (seed 41000 session
            // 186, seed 70000 session 182)
            // D21 too: two writes that could be in flight together overlap and neither is padded
            // (QEMU does not serialise them); which lands last is the thread pool's timing. Same
            // output and exit status, other image bytes (seed 20261202 session 109: QEMU's 43 KiB
            // O_DIRECT pwrite lands after the zero-write's later fallocate pieces in 30 of 30 runs
            // by hand, and before them now and then under load; ours always before)
            new Kind("D21 (overlapping writes in flight together: which lands last is QEMU's timing)",
                    c -> c.qemu().output().equals(c.ours().output()) && c.qemu().exit() == c.ours().exit()
                            && !c.qemu().md5().equals(c.ours().md5()) && !aligned(c)
                            && overlappingWritesInFlight(c.session().commands())),
            // D21 too: the same, with the reports in another order: which of them finishes first
            // is the same timing that decides which lands last (seed 90000000 session 4328: a
            // 70.5 KiB aio_write in 4 KiB pieces finishes within a later synchronous write's
            // fdatasync in QEMU, 29 of 30 runs, after a later overlapping aio_write here)
            ORDER_AND_IMAGE,
            // D21 too: a writethrough write's FUA flush while an earlier write's flush runs its
            // fdatasyncs: QEMU's reads write_gen before that write ends, queues behind its flush and
            // skips flush_to_disk, whose rule (flush iotype) then stays unarmed; here the fdatasync
            // ends in one round and the earlier write first, so the later flush fires flush_to_disk
            // and fails on its rule (seed 150000000 session 19139: 99 of 101 runs pass both writes
            // by hand, and QEMU fails the later one too once its zeroing takes more calls; scenario 610)
            new Kind("D21 (a writethrough write's FUA flush, queued in QEMU behind a flush still in its fdatasync, fails here on a flush_to_disk rule)",
                    Known::fuaFlushOutlivedByRunningFlush),
            new Kind("D2 (after a failed RMW read ours fires no pwritev/pwritev_done: later requests meet other rules)",
                    Known::laterRulesAfterFailedRmwRead),
            // D2 too: ours ends the write at its failed read, so its report comes earlier and with
            // the read's errno; QEMU's goes on to its own write, which meets whatever rule is armed
            // by then (a later request's, seed 20261203 session 14757): the same lines but for that
            // errno, in another order
            new Kind("D2 (a write ends at its failed RMW read: its report comes earlier, with the read's errno)",
                    Known::failedRmwWriteReportsEarlier),
            // D2 too: a metadata write of a qcow2 truncate (the header's size, or a shrinking
            // truncate's refcount table) fails here at its RMW read; QEMU's goes through (with the
            // padding buffer's bytes) and the truncate renews qcow2's metadata caches
            // (qcow2_update_options), so the next metadata read meets the rule that failed our
            // read (seed 20261203 session 18947; seed 31000000 session 1568)
            new Kind("D2 (qcow2 truncate's metadata write: QEMU's succeeds and renews its caches, a later metadata read fails)",
                    Known::truncateMetadataRmwRead),
            // D2 too: a breakpoint on pwritev or pwritev_done of the write whose RMW read failed:
            // QEMU's write goes on and is suspended there, ours ends at the read, so nothing is
            // suspended and the tag's resume (or wait_break) fails here (seed 20300000 session 9509);
            // on qcow2 also a break on the data write of a write whose metadata write's RMW read
            // failed (seed 90000000 session 11432, scenario 515)
            new Kind("D2 (a break on pwritev/pwritev_done, or on qcow2's data write, after a failed RMW read: QEMU's write reaches it, ours not)",
                    Known::breakAfterFailedRmwRead),
            // D2 too: the outputs part at a write QEMU reports done and ours failed with the errno
            // of a rule that can fail reads; QEMU's write went on past its failed padding read and
            // its pwritev_done arms other rules than ours afterwards, so the rest parts any way
            // (seed 70000000 sessions 19766 and 14327; scenario 450)
            new Kind("D2 (a write QEMU completes past its failed RMW read fails here: later requests meet other rules)",
                    Known::writeDonePastFailedRmwRead),
            // D2 too: the kind "after a failed RMW read" above where exit status or image part as
            // well: the later request that meets another rule is a synchronous one (a read that
            // passes in QEMU, whose write's pwritev_done replaced the armed rule, fails here: exit
            // status 0 and 1) or a write that lands in one only (seed 80000000 session 14344,
            // scenario 472); or the write itself failed in both, in QEMU at its FUA flush by a
            // flush_to_os rule after it wrote the block (seed 140000000 session 2222, scenario 571)
            new Kind("D2 (after a failed RMW read a later request meets another rule: exit status or image part too)",
                    Known::laterRequestPartsAfterFailedRmwRead),
            // D2 too: two rules armed together (one event), the first fails the write's padding
            // read; QEMU's bdrv_padding_rmw_read returns at it and the write's own rule_check meets
            // the other and uses it up; ours ends the write at the read, so the other stays armed
            // and fails a later request (seed 130000000 session 10682, scenario 590)
            new Kind("D2 (a rule armed beside the one that fails the RMW read fails QEMU's write, a later request here)",
                    Known::coArmedRuleOutlivesFailedRmwRead),
            // Q2: a qcow2 aio_write over clusters that are not contiguous in the file runs as
            // pieces; QEMU maps every piece before the command returns, ours a later piece only
            // after the earlier one's I/O, so a write issued meanwhile allocates its cluster first.
            // Same output and exit status, the same guest data in as many clusters, other host
            // offsets (seed 50000000 session 7784, scenario 430)
            new Kind("Q2 (a later piece of a qcow2 aio_write allocates after a later write: other host offsets, same data)",
                    c -> laterPieceAfterLaterRequest(c, false)),
            // Q2 too: the same with the two writes' reports in another order: the host offsets the
            // later write took decide which padded writes serialise (align) and which pieces are in
            // flight beside it (seed 110000000 session 11093: QEMU's later write finishes first with
            // file.align=65536, last without, 25 of 25 and 20 of 20 runs; ours the other way round;
            // scenario 565)
            new Kind("Q2 (a later piece of a qcow2 aio_write allocates after a later write: other host offsets, same data, the two reports in another order)",
                    Known::laterPieceAfterLaterWriteReordered),
            // Q2 too: QEMU's later piece has zeroed its fresh cluster (handle_alloc_space) before
            // a read issued after the aio_write fires an event whose inject rule then fails it;
            // ours' zeroing comes after the read and meets the rule. Same output, exit status,
            // guest data and clusters; QEMU's file holds the zeroed cluster past the end of ours
            // (seed 70000000 session 9464, scenario 440)
            new Kind("Q2 (a later piece of a qcow2 aio_write zeroes its cluster after a later read armed a rule: same data)",
                    c -> injectRule(c) && laterPieceAfterLaterRequest(c, true)),
            // Q2 too: a write over a later piece of a qcow2 aio_write issued before the piece's I/O
            // began here: QEMU's piece was in flight (padded, the write waits for it; unpadded it
            // races and lands first), ours starts after the write and writes over it. The same
            // lines in any order, exit status and cluster count; other guest data (seed 80000000
            // session 1406, scenario 491)
            new Kind("Q2 (a later piece of a qcow2 aio_write starts after a later write over it: other guest data)",
                    Known::laterPieceOverLaterWrite),
            // Q2 too: a qcow2 write over clusters in several pieces whose first piece fails ends
            // here at that failure; QEMU's ends only when every piece it mapped meanwhile has
            // (aio_task_pool_wait_all), after requests in flight beside it: its failure is
            // reported later, and the later pieces' data may be in QEMU's image (seed 120000000
            // session 1181, scenario 576; seed 160000000 session 5835)
            new Kind("Q2 (a spanning qcow2 write whose first piece fails ends here before its later pieces: reported earlier)",
                    Known::failedSpanningWriteEndsEarly),
            // D2 too: a flush of qcow2 fires flush_to_os before qcow2 writes back its caches, so an
            // inject rule there fails the writeback's padding read; QEMU writes the padding buffer
            // over the block and the flush succeeds, ours' fails (qemu-io's flush fails silently;
            // at close nothing shows) (seed 20300000 session 18451, scenario 370)
            new Kind("D2 (a qcow2 cache writeback in a flush: its RMW read meets the flush_to_os rule)",
                    Known::flushWritebackRmwRead),
            // D2 too: a qcow2 discard over clusters with no L2 table allocates one (get_cluster_table
            // -> l2_allocate), whose refcount block, L2 table and L1 entry writes are padded to align;
            // a rule that fails such a padding read fails ours' discard with its errno, QEMU's goes on
            // and either succeeds or fails later on another rule (seed 100000000 session 6551,
            // scenario 551)
            new Kind("D2 (a qcow2 discard's metadata write: its RMW read fails ours' discard, QEMU's goes on)",
                    Known::discardMetadataRmwRead));

    /**
     * D21: the same lines, exit status and image bytes, in another order (where an aio report or
     * a "Suspended" line lands relative to the commands around it), where qemu-io printed one
     * order in all its runs. Counted apart from every other difference, which must not hide in it.
     */
    static final Kind ORDER = new Kind("D21 (output order only: same lines, exit status, image; QEMU's timing decides)",
            c -> c.qemu().exit() == c.ours().exit() && c.qemu().md5().equals(c.ours().md5())
                    && sortedLines(c.qemu().output()).equals(sortedLines(c.ours().output())));

    private Known() {
    }

    /** Every line of {@code part} is among {@code whole}'s lines (as a multiset), in any order. */
    static boolean sameLinesWithin(String part, String whole) {
        List<String> rest = new java.util.ArrayList<>(sortedLines(whole));
        for (String l : sortedLines(part)) {
            if (!rest.remove(l)) {
                return false;
            }
        }
        return true;
    }

    private static List<String> sortedLines(String s) {
        // stdin mode: prompts share lines with output, so compare what is between prompts
        return java.util.Arrays.stream(s.split("\n|qemu-io> ")).filter(l -> !l.isEmpty()).sorted().toList();
    }

    private static List<String> sorted(List<String> lines) {
        return lines.stream().sorted().toList();
    }

    /** The output without {@code alloc}'s and {@code map}'s report lines. */
    private static List<String> withoutAllocation(String s) {
        return java.util.Arrays.stream(s.split("\n", -1))
                .filter(l -> !l.matches("(qemu-io> )*(\\d+/\\d+ bytes allocated at offset .*|.* bytes +(not )?allocated at offset .*)"))
                .toList();
    }

    static final String Q2_MAPPING = "Q2 (a later piece of a qcow2 write maps after a break set since: QEMU hangs at its wait)";

    /**
     * Q2, in a session QEMU hangs on: a qcow2 aio_write spanning clusters was submitted, then a
     * breakpoint was set on a mapping event with nothing polled in between. QEMU mapped every
     * piece of the write (each piece a task that runs until its first I/O) before the command
     * returned, so the break came too late and its wait_break hangs; ours maps the next piece only
     * after the previous one's I/O, meets the breakpoint and goes on. Ours' first line QEMU lacks
     * is that tag's "Suspended" line, after the same lines as QEMU's. Commands that cannot poll
     * ({@code info}, {@code length}, {@code break}) may come between, and an aio_write into the
     * spanning write's later pieces, before or after the break: QEMU's waits for the piece's
     * allocation and maps nothing, ours' maps the cluster first and is the one suspended.
     */
    static boolean q2MappingPassedBeforeBreak(Case c) {
        if (!c.session().format().equals("qcow2") || !c.qemu().hung()) {
            return false;
        }
        long cluster = c.session().qcow2Opts().contains("cluster_size=4096") ? 4096 : 65536;
        List<String> q = c.qemu().output().lines().toList();
        List<String> o = c.ours().output().lines().toList();
        int first = 0;
        while (first < q.size() && first < o.size() && q.get(first).equals(o.get(first))) {
            first++;
        }
        if (first >= o.size()) {
            return false;
        }
        java.util.regex.Matcher m = SUSPENDED.matcher(o.get(first));
        if (!m.matches()) {
            return false;
        }
        String breakCommand = "break (\\S+) " + java.util.regex.Pattern.quote(m.group(1));
        // the guest range of the spanning write's later pieces (past its first cluster), while no
        // command that may poll has come since it
        long laterFrom = -1;
        long laterTo = -1;
        boolean broke = false;
        for (String cmd : c.session().commands()) {
            java.util.regex.Matcher b = java.util.regex.Pattern.compile(breakCommand).matcher(cmd);
            java.util.regex.Matcher w = AIO_WRITE.matcher(cmd);
            if (b.matches()) {
                if (broke || laterFrom < 0 || !MAPPING_EVENTS.contains(b.group(1))) {
                    return false;
                }
                broke = true;
            } else if (w.matches()) {
                long off = Long.parseLong(w.group(1));
                long len = Long.parseLong(w.group(2));
                boolean intoLaterPiece = off < laterTo && off + len > laterFrom;
                if (broke) {
                    // after the break only a write into a later piece, no poll since the spanning
                    // write: in QEMU it waits for that piece's allocation (handle_dependencies)
                    // and maps nothing of its own, here it maps first and meets the break (seed
                    // 150000000 session 10602); a write elsewhere maps in QEMU too
                    return intoLaterPiece;
                }
                if (len > 0 && off / cluster != (off + len - 1) / cluster) {
                    laterFrom = (off / cluster + 1) * cluster;
                    laterTo = off + len;
                } else if (!intoLaterPiece) {
                    laterFrom = laterTo = -1; // maps its own cluster in QEMU too
                }
            } else if (!cmd.matches("break .*|info|length")) {
                if (broke) {
                    // the spanning write's own later piece is the one suspended here
                    return true;
                }
                laterFrom = laterTo = -1; // a poll, or a command that may have run one, came in between
            }
        }
        return broke;
    }

    static final String D2_PADDING_READ_BREAK =
            "D2 (a rule QEMU's write armed past its failed RMW read fails a later padding read: QEMU hangs at a break after it)";

    /**
     * D2, in a session QEMU hangs on and ours ends: the outputs part at a write ours failed with the
     * errno of a rule that can fail a read (it ended at its padding read) and QEMU reports otherwise
     * (its write went on past the ignored read, to its write and a writethrough write's FUA flush,
     * whose events armed other rules). One of those rules then fails a later write's padding read
     * in QEMU, which skips the read's after-event: a {@code wait_break} on a
     * {@code break pwritev_rmw_after_head|tail T} hangs there, while ours' later write reads, is
     * suspended at T and goes on. Ours printed T's "Suspended" line and QEMU did not; every line
     * QEMU printed before it hung is among ours' (write errnos masked: the writes meet other rules)
     * but for what its write past the read explains ({@link #qemuLinesOursLacksArmedPastTheRead}).
     * Seed 90000000 session 15801: a write_aio rule fails the writev's head read, QEMU's FUA flush
     * fires flush_to_os and arms an EOPNOTSUPP rule that fails the aio_write's head read.
     */
    static boolean paddingReadBreakMissedInQemu(Case c) {
        if (!c.qemu().hung() || c.ours().hung() || !aligned(c) || !injectRule(c)) {
            return false;
        }
        List<String> q = c.qemu().output().lines().toList();
        List<String> o = c.ours().output().lines().toList();
        int first = firstDifference(c);
        if (first == -1 || first >= q.size() || first >= o.size() || !"write".equals(requestKind(q.get(first)))) {
            return false;
        }
        java.util.regex.Matcher failed = WRITE_FAILED.matcher(o.get(first));
        if (!failed.matches() || !readRuleErrors(c).contains(failed.group(2))
                || !qemuLinesOursLacksArmedPastTheRead(c, q, first)) {
            return false;
        }
        List<String> qemuLines = promptFree(c.qemu().output());
        List<String> oursLines = promptFree(c.ours().output());
        java.util.regex.Pattern afterRead = java.util.regex.Pattern.compile("break pwritev_rmw_after_(?:head|tail) (\\S+)");
        for (String cmd : c.session().commands()) {
            java.util.regex.Matcher b = afterRead.matcher(cmd);
            if (b.matches() && c.session().commands().contains("wait_break " + b.group(1))) {
                String suspended = "blkdebug: Suspended request '" + b.group(1) + "'";
                if (oursLines.contains(suspended) && !qemuLines.contains(suspended)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Every line QEMU printed is among ours' (write errnos masked, as multisets), but for what QEMU's
     * write past its ignored padding read explains: its own report of the write done (the line where
     * the outputs part, and its statistics line), and failures with the errno of an inject rule on an
     * event that write fired past its read and ours' did not ({@link #PAST_THE_READ}). Seed 110000000
     * session 3559: QEMU's writev went through and its pwritev_done armed a sticky EIO rule, which
     * failed a later read and the aio_write's padding read and write; ours' read and aio_write passed.
     */
    private static boolean qemuLinesOursLacksArmedPastTheRead(Case c, List<String> q, int first) {
        List<String> ours = promptFree(withoutWriteErrno(c.ours().output()));
        java.util.Set<String> armed = ruleErrors(c, (event, iotype) -> PAST_THE_READ.contains(event));
        boolean written = writeDone(c, q.get(first));
        for (String line : promptFree(c.qemu().output())) {
            if (ours.remove(withoutWriteErrno(line))) {
                continue;
            }
            if (written && (line.equals(q.get(first)) || first + 1 < q.size() && line.equals(q.get(first + 1))
                    && line.matches(".*, X ops; .*"))) {
                continue;
            }
            java.util.regex.Matcher f = java.util.regex.Pattern.compile("\\w+ failed: (.+)").matcher(line);
            if (!f.matches() || !armed.contains(f.group(1))) {
                return false;
            }
        }
        return true;
    }

    /** The events of a padded write past its padding read: its write, and a writethrough write's FUA flush. */
    private static final java.util.Set<String> PAST_THE_READ = java.util.Set.of("pwritev", "pwritev_done", "flush_to_os", "flush_to_disk");

    private static final java.util.regex.Pattern SUSPENDED =
            java.util.regex.Pattern.compile("(?:qemu-io> )*blkdebug: Suspended request '(\\S+)'");
    private static final java.util.regex.Pattern AIO_WRITE =
            java.util.regex.Pattern.compile("aio_write(?: -[A-Za-z]+(?: (?:0x)?[0-9a-fA-F]+)?)* (\\d+) (\\d+)");

    /** qcow2's events while mapping a write's piece (qcow2_alloc_host_offset and what it calls). */
    private static final java.util.Set<String> MAPPING_EVENTS = java.util.Set.of(
            "cluster_alloc", "cluster_alloc_space", "l2_load", "l2_alloc_cow_read", "l2_alloc_write",
            "refblock_load", "refblock_alloc", "refblock_update", "refblock_alloc_hookup", "refblock_alloc_write",
            "refblock_alloc_write_blocks", "refblock_alloc_write_table", "refblock_alloc_switch_table",
            "reftable_grow", "reftable_load", "reftable_update", "l1_grow_alloc_table", "l1_grow_write_table",
            "l1_grow_activate_table", "l1_update");

    private static final java.util.regex.Pattern READ = java.util.regex.Pattern.compile(
            "(aio_read|read|readv)(?: -[A-Za-z]+(?: (?:0x)?[0-9a-fA-F]+)?)* (\\d+) (\\d+)(?: .*)?");

    private static final java.util.regex.Pattern WRITE = java.util.regex.Pattern.compile(
            "(aio_write|write|writev)(?: -[A-Za-z]+(?: (?:0x)?[0-9a-fA-F]+)?)* (\\d+) (\\d+)(?: .*)?");

    /**
     * An {@code aio_write} and a later write (aio or not) whose ranges overlap, with no
     * {@code aio_flush}, {@code flush}, {@code close} or {@code open} between them: the first may
     * still be in flight when the second is.
     */
    static boolean overlappingWritesInFlight(List<String> commands) {
        return laterWriteOver(commands, (off, end) -> new long[] {off, end});
    }

    /**
     * The outputs are the same, in order, once the reports of writes that overlap one in flight
     * ({@link #overlappingWritesInFlight}) and their statistics lines are taken out: only those
     * moved (seed 90000000 session 4328), not any other line.
     */
    private static boolean onlyOverlappingReportsMoved(Case c) {
        java.util.Set<String> reports = new java.util.HashSet<>();
        for (long[][] pair : overlaps(c.session().commands(), (off, end) -> new long[] {off, end})) {
            reports.add(report(pair[0][0], pair[0][1]));
            reports.add(report(pair[1][0], pair[1][1]));
        }
        return !reports.isEmpty()
                && withoutReports(c.qemu().output(), reports).equals(withoutReports(c.ours().output(), reports));
    }

    private static String report(long off, long end) {
        return "wrote " + (end - off) + "/" + (end - off) + " bytes at offset " + off;
    }

    private static List<String> withoutReports(String output, java.util.Set<String> reports) {
        List<String> out = new java.util.ArrayList<>();
        boolean dropStats = false;
        for (String l : promptFree(output)) {
            if (reports.contains(l)) {
                dropStats = true; // its statistics line follows it
                continue;
            }
            if (!(dropStats && l.contains(", X ops; "))) {
                out.add(l);
            }
            dropStats = false;
        }
        return out;
    }

    /**
     * The part of an {@code aio_write} over {@code [off, end)} a later write may meet in flight,
     * or null for none.
     */
    private interface InFlightPart {
        long[] of(long off, long end);
    }

    /**
     * A write (aio or not) over the {@link InFlightPart} of an earlier {@code aio_write}, with no
     * {@code aio_flush}, {@code flush}, {@code close} or {@code open} between them.
     */
    private static boolean laterWriteOver(List<String> commands, InFlightPart part) {
        return !overlaps(commands, part).isEmpty();
    }

    /** Each such overlap: the earlier {@code aio_write}'s part in flight, the later write's range. */
    private static List<long[][]> overlaps(List<String> commands, InFlightPart part) {
        List<long[][]> found = new java.util.ArrayList<>();
        List<long[]> inFlight = new java.util.ArrayList<>();
        for (String cmd : commands) {
            if (cmd.matches("aio_flush|flush|close|open .*")) {
                inFlight.clear();
                continue;
            }
            java.util.regex.Matcher m = WRITE.matcher(cmd);
            if (!m.matches()) {
                continue;
            }
            long off = Long.parseLong(m.group(2));
            long end = off + Long.parseLong(m.group(3));
            for (long[] w : inFlight) {
                if (off < w[1] && w[0] < end) {
                    found.add(new long[][] {w, {off, end}});
                }
            }
            long[] p = m.group(1).equals("aio_write") ? part.of(off, end) : null;
            if (p != null) {
                inFlight.add(p);
            }
        }
        return found;
    }

    /**
     * Q2: a qcow2 session with the same lines (in any order) and exit status whose images count
     * as many clusters and read other guest data ({@link Qcow2Extent#guest}), where an
     * {@code aio_write} spanning clusters is followed, with no flush, {@code close} or
     * {@code open} between, by a write over its range past its first cluster (that cluster's piece
     * is in flight in both programs; a later one only in QEMU's).
     */
    static boolean laterPieceOverLaterWrite(Case c) {
        String qg = c.qemu().qcow2Guest();
        String og = c.ours().qcow2Guest();
        if (!c.session().format().equals("qcow2") || c.qemu().hung() || c.qemu().exit() != c.ours().exit()
                || qg == null || og == null || qg.equals(og)
                || !qg.substring(qg.indexOf('/')).equals(og.substring(og.indexOf('/')))
                || !sortedLines(c.qemu().output()).equals(sortedLines(c.ours().output()))) {
            return false;
        }
        long cluster = c.session().qcow2Opts().contains("cluster_size=4096") ? 4096 : 65536;
        return laterWriteOver(c.session().commands(), (off, end) -> end > off && off / cluster != (end - 1) / cluster
                ? new long[] {(off / cluster + 1) * cluster, end} : null);
    }

    /**
     * Q2: a qcow2 session with the same output and exit status whose images differ in bytes but
     * not in what the guest reads nor in how many clusters they count ({@link Qcow2Extent#guest}),
     * where an {@code aio_write} spanning clusters is followed by another write (with
     * {@code reads}: by a read instead) with no flush, {@code close} or {@code open} between them.
     */
    static boolean laterPieceAfterLaterRequest(Case c, boolean reads) {
        return c.qemu().output().equals(c.ours().output()) && sameGuestElsewhere(c)
                && !spanningThenLater(c, reads).isEmpty();
    }

    /**
     * Q2 too: {@link #laterPieceAfterLaterRequest} (a later write) with the same lines in another
     * order, where only the reports of such a spanning {@code aio_write} and the write after it
     * moved (and their statistics lines): the host offsets the later write took decide which
     * padded writes serialise and which pieces are in flight when it is (seed 110000000 session
     * 11093, scenario 565).
     */
    static boolean laterPieceAfterLaterWriteReordered(Case c) {
        if (c.qemu().output().equals(c.ours().output()) || !sameGuestElsewhere(c)
                || !sortedLines(c.qemu().output()).equals(sortedLines(c.ours().output()))) {
            return false;
        }
        java.util.Set<String> reports = new java.util.HashSet<>();
        for (long[][] pair : spanningThenLater(c, false)) {
            reports.add(report(pair[0][0], pair[0][1]));
            reports.add(report(pair[1][0], pair[1][1]));
        }
        return !reports.isEmpty()
                && withoutReports(c.qemu().output(), reports).equals(withoutReports(c.ours().output(), reports));
    }

    /**
     * A qcow2 session with the same exit status whose images differ in bytes but not in what the
     * guest reads nor in how many clusters they count ({@link Qcow2Extent#guest}).
     */
    private static boolean sameGuestElsewhere(Case c) {
        return c.session().format().equals("qcow2") && c.qemu().exit() == c.ours().exit()
                && !c.qemu().md5().equals(c.ours().md5())
                && c.qemu().qcow2Guest() != null && c.qemu().qcow2Guest().equals(c.ours().qcow2Guest());
    }

    /**
     * Each {@code aio_write} spanning clusters and the next write (with {@code reads}: read)
     * after it, with no flush, {@code close} or {@code open} between: their ranges (a read's is
     * not used).
     */
    private static List<long[][]> spanningThenLater(Case c, boolean reads) {
        long cluster = c.session().qcow2Opts().contains("cluster_size=4096") ? 4096 : 65536;
        List<long[][]> found = new java.util.ArrayList<>();
        long[] spanning = null;
        for (String cmd : c.session().commands()) {
            if (cmd.matches("aio_flush|flush|close|open .*")) {
                spanning = null;
                continue;
            }
            if (reads && spanning != null && READ.matcher(cmd).matches()) {
                found.add(new long[][] {spanning, {0, 0}});
                continue;
            }
            java.util.regex.Matcher m = WRITE.matcher(cmd);
            if (!m.matches()) {
                continue;
            }
            long off = Long.parseLong(m.group(2));
            long len = Long.parseLong(m.group(3));
            if (spanning != null && !reads) {
                found.add(new long[][] {spanning, {off, off + len}});
            }
            spanning = m.group(1).equals("aio_write") && len > 0 && off / cluster != (off + len - 1) / cluster
                    ? new long[] {off, off + len} : null;
        }
        return found;
    }

    static String classify(Case c) {
        return classify(c, name -> true);
    }

    /** The first kind whose name {@code accept}s and which matches. */
    static String classify(Case c, java.util.function.Predicate<String> accept) {
        for (Kind k : KINDS) {
            if (accept.test(k.name()) && k.matches().test(c)) {
                return k.name();
            }
        }
        return accept.test(ORDER.name()) && ORDER.matches().test(c) ? ORDER.name() : null;
    }

    /**
     * With blkdebug's align set: QEMU reports success for a write (write, writev, aio_write) where
     * ours reports the errno of a rule, or (raw) both print the same lines (in any order) and only
     * the image differs (QEMU wrote the padded block whose read failed; ours left it unchanged).
     */
    private static boolean rmwReadFailed(Case c) {
        boolean aligned = aligned(c)
                // a probed raw pads to 512 bytes itself (seed 70000 session 2609)
                || c.qemu().output().contains("and probing guessed raw.");
        if (!aligned) {
            return false;
        }
        return writeFailures(c.ours().output()) > writeFailures(c.qemu().output())
                || c.session().format().equals("raw") && sortedLines(c.qemu().output()).equals(sortedLines(c.ours().output()))
                        && c.qemu().exit() == c.ours().exit() && !c.qemu().md5().equals(c.ours().md5())
                // ours' lines are QEMU's plus failures of the writes whose padding read failed
                // (a qcow2 metadata write among them: "Failed to update the image size", seed
                // 90000 session 559)
                || c.qemu().exit() <= c.ours().exit() && !c.qemu().hung()
                        && extraLinesAreWriteFailures(c.qemu().output(), c.ours().output())
                // the write failed in both: in QEMU by a later rule on the write itself, here by
                // the read's (seed 20261203 session 1489; what later requests meet is the kind
                // above, "after a failed RMW read")
                // (where QEMU hung, what ours printed before its reason is a prefix of QEMU's)
                || writeFailures(c.ours().output()) > 0 && !c.qemu().output().equals(c.ours().output())
                        && (c.qemu().hung()
                                ? withoutWriteErrno(c.qemu().output()).startsWith(withoutWriteErrno(c.ours().output()))
                                : c.qemu().exit() == c.ours().exit()
                                        && withoutWriteErrno(c.qemu().output()).equals(withoutWriteErrno(c.ours().output())));
    }

    /**
     * An inject-error rule with a negative errno whose iotype takes in block-status: in the rule
     * file ({@code errno = "-5"} and {@code iotype = "block-status"} in one section) or in options
     * ({@code inject-error.N.errno=-5}, {@code inject-error.N.iotype=block-status}).
     */
    /** An inject-error rule with a negative errno: in the rule file, as options, or in a json: filename. */
    static boolean negativeErrnoRule(Case c) {
        return injectRuleKey(c, "errno", "-\\d+");
    }

    static boolean negativeBlockStatusRule(Case c) {
        // a json: filename's rule: one {...} object of the inject-error array with both keys
        String json = "(?s).*\"inject-error\"\\s*:\\s*\\[[^\\]]*\\{[^}]*(\"errno\"\\s*:\\s*\"-\\d+\"[^}]*"
                + "\"iotype\"\\s*:\\s*\"[^\"]*block-status|\"iotype\"\\s*:\\s*\"[^\"]*block-status[^}]*"
                + "\"errno\"\\s*:\\s*\"-\\d+\").*";
        return injectRuleWith(c, "errno\\s*=\\s*\"-\\d+\"", "iotype\\s*=\\s*\"[^\"]*block-status",
                "errno=-\\d+", "iotype=[^,\"\\s]*block-status")
                || c.anyArg(json) || c.anyCommand(json);
    }

    /**
     * One inject-error rule with two keys: a section of the rule file that matches {@code fileA} and
     * {@code fileB}, or options {@code inject-error.N.}{@code optA} and {@code inject-error.N.}{@code optB}
     * with the same N (in the arguments, the file name or an {@code open} command).
     */
    private static boolean injectRuleWith(Case c, String fileA, String fileB, String optA, String optB) {
        String rules = c.session().rules();
        if (rules != null) {
            for (String section : rules.split("(?=\\[)")) {
                if (section.startsWith("[inject-error]") && section.matches("(?s).*" + fileA + ".*")
                        && section.matches("(?s).*" + fileB + ".*")) {
                    return true;
                }
            }
        }
        java.util.regex.Pattern first = java.util.regex.Pattern.compile("inject-error\\.(\\d+)\\." + optA);
        List<String> texts = new java.util.ArrayList<>(c.session().commands());
        texts.addAll(c.session().args());
        if (c.session().file() != null) {
            texts.add(c.session().file());
        }
        for (String t : texts) {
            java.util.regex.Matcher m = first.matcher(t);
            while (m.find()) {
                if (t.matches("(?s).*inject-error\\." + m.group(1) + "\\." + optB + ".*")) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * With blkdebug's align set and an inject-error rule on {@code pwritev} or {@code pwritev_done}:
     * the outputs agree up to and past a failed write (the one whose RMW read failed), then part on
     * a later line; exit status and image the same. QEMU's write fired those events after its read
     * failed and their rule replaced the armed ones; ours never reached them. The write's own line
     * may be where they part, when it failed in both with another errno: in QEMU by the rule its
     * {@code pwritev} armed, here by its read's (seed 20261203 session 8520: 'aio_write failed:
     * Operation not supported' in QEMU, 'Operation not permitted' here, and the same errnos on the
     * later requests).
     *
     * <p>Where QEMU hung (ours' output is then what it printed before its documented reason),
     * exit status and image say nothing (QEMU was stopped, ours went on), so the line where they
     * part must report the same kind of request in both (a write, a read), a failure in at least
     * one: the later request that met the other rule (seed 20300000 session 4405: a write-zeroes suspended before the failed
     * write and resumed after it fails in QEMU on the pwritev rule, here it passes the read-only
     * rule; scenario 350).
     */
    static boolean laterRulesAfterFailedRmwRead(Case c) {
        boolean aligned = aligned(c);
        String rule = "(?s).*event[\\s=\"':]+pwritev(_done)?\\b.*";
        boolean writeEventRule = c.session().rules() != null && c.session().rules().matches(rule)
                || c.anyArg(rule) || c.anyCommand(rule);
        boolean hung = c.qemu().hung();
        if (!aligned || !writeEventRule
                || !hung && (c.qemu().exit() != c.ours().exit() || !c.qemu().md5().equals(c.ours().md5()))) {
            return false;
        }
        List<String> q = c.qemu().output().lines().toList();
        List<String> o = c.ours().output().lines().toList();
        int first = firstDifference(c);
        if (first == -1) {
            return false;
        }
        if (hung && !(first < q.size() && first < o.size() && requestKind(q.get(first)) != null
                && requestKind(q.get(first)).equals(requestKind(o.get(first)))
                && requestFailures(o.get(first)) + requestFailures(q.get(first)) > 0)) {
            return false;
        }
        boolean writeFailedInBothWithAnotherErrno = first < q.size() && first < o.size()
                && writeFailures(o.get(first)) > 0 && writeFailures(q.get(first)) > 0
                && withoutWriteErrno(q.get(first)).equals(withoutWriteErrno(o.get(first)));
        return writeFailures(String.join("\n", o.subList(0, first))) > 0 || writeFailedInBothWithAnotherErrno
                || headerWriteFailedInBothWithAnotherErrno(c, q, o, first);
    }

    /**
     * Raw with align set, QEMU not hung, the same exit status: the first line where the outputs part
     * is a write failed in both, in QEMU with the errno of an inject-error rule on {@code flush_to_os}
     * or {@code flush_to_disk} that can fail a flush, here with one of a rule that can fail a read
     * (another errno). QEMU's writethrough write went on past its failed padding read (ignored),
     * wrote the block (so the image may differ) and met the flush rule at the FUA flush the raw
     * node emulates ({@code bdrv_driver_pwritev}'s {@code emulate_flags}), which re-arms blkdebug;
     * ours ended at the read. Later requests meet other armed rules then (seed 140000000 session
     * 2222: 'writev failed: Operation not supported' in QEMU, whose sticky flush_to_os rule then
     * fails the read; 'Operation not permitted' here, and the read passes; scenario 571).
     */
    static boolean writeFailedAtFuaFlushPastFailedRmwRead(Case c) {
        if (!c.session().format().equals("raw") || !aligned(c) || c.qemu().hung() || c.qemu().exit() != c.ours().exit()
                || !(injectRuleOn(c, "flush_to_os") || injectRuleOn(c, "flush_to_disk"))) {
            return false;
        }
        int first = firstDifferenceInBoth(c);
        if (first == -1) {
            return false;
        }
        java.util.regex.Matcher q = WRITE_FAILED.matcher(c.qemu().output().lines().toList().get(first));
        java.util.regex.Matcher o = WRITE_FAILED.matcher(c.ours().output().lines().toList().get(first));
        return q.matches() && o.matches() && q.group(1).equals(o.group(1)) && !q.group(2).equals(o.group(2))
                && ruleErrors(c, (event, iotype) -> event != null && event.matches("flush_to_(os|disk)")
                        && (iotype == null || iotype.contains("flush"))).contains(q.group(2))
                && readRuleErrors(c).contains(o.group(2));
    }

    /**
     * With align set: the first line where the outputs part is QEMU's report of a write done and
     * ours' of that write failed, with the errno of an inject-error rule that can fail a read (no
     * iotype, or read among it). QEMU's write went on past its failed padding read (ignored) and
     * fired pwritev_done, whose rules re-arm blkdebug; ours ended at the read. What the later
     * requests meet then differs, so the rest (exit status and image too) may part any way. Seed
     * 70000000 session 19766: a write-zeroes whose tail write meets ENOTSUP falls back at the raw
     * node to an ordinary write, whose write_aio arms a rule that fails its padding read
     * (scenario 450); session 14327: qcow2's data write of an aio_write, its write_aio rule; seed
     * 80000000 session 15612: QEMU's report in {@code -C}'s form (scenario 470).
     */
    static boolean writeDonePastFailedRmwRead(Case c) {
        if (!aligned(c) || c.qemu().hung()) {
            return false;
        }
        List<String> q = c.qemu().output().lines().toList();
        List<String> o = c.ours().output().lines().toList();
        int first = firstDifference(c);
        if (first == -1 || first >= q.size() || first >= o.size() || !writeDone(c, q.get(first))) {
            return false;
        }
        java.util.regex.Matcher failed = WRITE_FAILED.matcher(o.get(first));
        return failed.matches() && readRuleErrors(c).contains(failed.group(2));
    }

    /**
     * With align set, an inject-error rule on {@code pwritev} or {@code pwritev_done}, QEMU not hung,
     * and exit status or image not the same (the same both: {@link #laterRulesAfterFailedRmwRead}):
     * before the first line where the outputs part, both report a write failed with the errno of a
     * rule that can fail a read (the write whose padding read failed: ours ended there, QEMU's went
     * on to pwritev_done, whose rule replaced the armed ones); at that line both report the same kind
     * of request (a read, a write), a failure in at least one. Seed 80000000 session 14344: a
     * write-zeroes' padding read failed by a sticky ENOSPC rule armed at open; QEMU's pwritev_done
     * then arms a rule with errno -5 (success without I/O) for sector 0, so its later aio_write gets
     * through to its FUA flush, whose flush_to_disk rule fails it with EIO, and another lands in
     * the image; here every later request fails with ENOSPC. Or the later request is a write that
     * QEMU lets through to a breakpoint ("Suspended" there) and ours fails with the read rule's
     * errno (seed 150000000 session 2843: a FUA write reaches its emulated flush's flush_to_os
     * break; scenario 605).
     */
    static boolean laterRequestPartsAfterFailedRmwRead(Case c) {
        if (writeFailedAtFuaFlushPastFailedRmwRead(c)) {
            return true;
        }
        if (!aligned(c) || c.qemu().hung() || !(injectRuleOn(c, "pwritev") || injectRuleOn(c, "pwritev_done"))
                || c.qemu().exit() == c.ours().exit() && c.qemu().md5().equals(c.ours().md5())) {
            return false;
        }
        List<String> q = c.qemu().output().lines().toList();
        List<String> o = c.ours().output().lines().toList();
        int first = firstDifference(c);
        if (first == -1 || first >= q.size() || first >= o.size()) {
            return false;
        }
        java.util.Set<String> readErrors = readRuleErrors(c);
        String kind = requestKind(q.get(first));
        boolean sameKindFailedInOne = kind != null && kind.equals(requestKind(o.get(first)))
                && requestFailures(q.get(first)) + requestFailures(o.get(first)) > 0;
        // the later request is a write QEMU lets through to a breakpoint: its "Suspended" line
        // where ours reports it failed by the read rule still armed here (scenario 605)
        java.util.regex.Matcher failedHere = WRITE_FAILED.matcher(o.get(first));
        boolean suspendedThereFailedHere = q.get(first).matches("(qemu-io> )*blkdebug: Suspended request '.*'")
                && failedHere.matches() && readErrors.contains(failedHere.group(2));
        if (!sameKindFailedInOne && !suspendedThereFailedHere) {
            return false;
        }
        return o.subList(0, first).stream().map(WRITE_FAILED::matcher)
                .anyMatch(m -> m.matches() && readErrors.contains(m.group(2)));
    }

    /**
     * With align set, QEMU not hung, the same exit status and image: the outputs part at a write
     * that failed in both, here with the errno E of a rule that can fail a read, in QEMU with
     * another rule's errno F; after it ours prints QEMU's lines but for one request failed with F,
     * which QEMU reports done (its report and statistics) or not at all ({@code -q}). Two rules
     * armed by one event: the first fails the write's padding read, which QEMU ignores
     * ({@code bdrv_padding_rmw_read} returns at the failed read), so its write meets the second
     * rule and uses it up; ours ends the write at the read and the second rule, still armed, fails
     * the later request (seed 130000000 session 10682, scenario 590).
     */
    static boolean coArmedRuleOutlivesFailedRmwRead(Case c) {
        int first = firstDifferenceInBoth(c);
        if (!aligned(c) || c.qemu().hung() || first == -1 || c.qemu().exit() != c.ours().exit()
                || !c.qemu().md5().equals(c.ours().md5())) {
            return false;
        }
        List<String> q = c.qemu().output().lines().toList();
        List<String> o = c.ours().output().lines().toList();
        java.util.regex.Matcher qw = WRITE_FAILED.matcher(q.get(first));
        java.util.regex.Matcher ow = WRITE_FAILED.matcher(o.get(first));
        if (!qw.matches() || !ow.matches() || !qw.group(1).equals(ow.group(1))
                || !readRuleErrors(c).contains(ow.group(2))
                || !ruleErrors(c, (event, iotype) -> true).contains(qw.group(2))) {
            return false;
        }
        String other = qw.group(2);
        List<String> qr = q.subList(first + 1, q.size());
        List<String> or = o.subList(first + 1, o.size());
        int j = 0;
        while (j < qr.size() && j < or.size() && qr.get(j).equals(or.get(j))) {
            j++;
        }
        if (j == or.size() || !or.get(j).matches("(qemu-io> )*\\w+ failed: " + java.util.regex.Pattern.quote(other))) {
            return false;
        }
        List<String> oursAfter = or.subList(j + 1, or.size());
        // QEMU's request printed nothing (read -q)
        if (qr.subList(j, qr.size()).equals(oursAfter)) {
            return true;
        }
        // QEMU's request was done: its report and statistics line, where ours reports it failed
        return j + 2 <= qr.size() && requestKind(qr.get(j)) != null && requestKind(qr.get(j)).equals(requestKind(or.get(j)))
                && requestFailures(qr.get(j)) == 0 && qr.subList(j + 2, qr.size()).equals(oursAfter);
    }

    /**
     * Q2: qcow2, QEMU not hung, the same exit status and the same lines in another order: the first
     * line where they part is ours' report of a write's failure, which QEMU prints later, after
     * reports of other requests (done or failed, with their statistics); what those requests
     * print after it may move with them (seed 120000000 session 1181: QEMU's two aio_writes end
     * before a later break suspends a third, ours' after it). The session has a synchronous or aio
     * write that crosses a cluster boundary (more than one piece). The image may differ: QEMU's
     * later pieces wrote their data.
     */
    static boolean failedSpanningWriteEndsEarly(Case c) {
        if (!c.session().format().equals("qcow2") || c.qemu().hung() || c.qemu().exit() != c.ours().exit()) {
            return false;
        }
        List<String> q = c.qemu().output().lines().toList();
        List<String> o = c.ours().output().lines().toList();
        int first = firstDifference(c);
        if (first == -1 || first >= o.size() || !WRITE_FAILED.matcher(o.get(first)).matches()) {
            return false;
        }
        String failed = o.get(first);
        int inQemu = q.subList(first, q.size()).indexOf(failed);
        if (inQemu <= 0) {
            return false;
        }
        inQemu += first;
        if (!sortedLines(c.qemu().output()).equals(sortedLines(c.ours().output()))
                || !q.subList(first, inQemu).stream().allMatch(l -> REPORT.matcher(l).matches() || STATS_LINE.matcher(l).matches())) {
            return false;
        }
        long cluster = c.session().qcow2Opts().contains("cluster_size=4096") ? 4096 : 65536;
        for (String cmd : c.session().commands()) {
            java.util.regex.Matcher w = SPANNING_WRITE.matcher(cmd);
            if (w.matches()) {
                long off = Long.parseLong(w.group(1));
                long len = java.util.Arrays.stream(w.group(2).trim().split(" ")).mapToLong(Long::parseLong).sum();
                if (len > 0 && off / cluster != (off + len - 1) / cluster) {
                    return true;
                }
            }
        }
        return false;
    }

    private static final java.util.regex.Pattern SPANNING_WRITE = java.util.regex.Pattern.compile(
            "(?:aio_write|write|writev)(?: -[A-Za-z]+(?: (?:0x)?[0-9a-fA-F]+)?)* (\\d+)((?: \\d+)+)");
    private static final java.util.regex.Pattern STATS_LINE = java.util.regex.Pattern.compile(
            "(?:qemu-io> )*(?:.* X ops; XX:XX:XX\\.X \\(XXX YYY/sec and XXX ops/sec\\)|\\d+,X,XX:XX:XX\\.X,XXX,XXX)");

    private static final java.util.regex.Pattern WRITE_FAILED = java.util.regex.Pattern.compile(
            "(?:qemu-io> )*(aio_write|writev?) failed: (.+)");

    /**
     * qemu-io's report of a write done: {@code wrote N/N bytes at offset O}, or with {@code -C}
     * ({@code print_report}'s machine-readable form) {@code N,X,XX:XX:XX.X,XXX,XXX} where the
     * session has a write with {@code -C} of N bytes.
     */
    static boolean writeDone(Case c, String line) {
        if (line.matches("(qemu-io> )*wrote (\\d+)/\\2 bytes at offset \\d+")) {
            return true;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?:qemu-io> )*(\\d+),X,XX:XX:XX\\.X,XXX,XXX").matcher(line);
        return m.matches() && c.session().commands().stream().anyMatch(cmd -> cWriteBytes(cmd) == Long.parseLong(m.group(1)));
    }

    /**
     * The bytes a {@code write}, {@code writev} or {@code aio_write} command with {@code -C} writes
     * (its lengths after the offset, summed), or -1 for any other command.
     */
    static long cWriteBytes(String cmd) {
        String[] t = cmd.trim().split("\\s+");
        if (!t[0].matches("aio_write|writev?")) {
            return -1;
        }
        boolean flagC = false;
        List<Long> numbers = new java.util.ArrayList<>();
        for (int i = 1; i < t.length; i++) {
            if (t[i].startsWith("-")) {
                flagC |= t[i].contains("C");
                if (t[i].matches("-[^-]*[Psl]")) {
                    i++; // -P pattern, -s/-l of the pattern: their value follows
                }
            } else if (t[i].matches("\\d+")) {
                numbers.add(Long.parseLong(t[i]));
            } else {
                return -1;
            }
        }
        if (!flagC || numbers.size() < 2) {
            return -1;
        }
        return numbers.subList(1, numbers.size()).stream().mapToLong(Long::longValue).sum();
    }

    /**
     * The error texts of the session's inject-error rules that can fail a read: those without an
     * iotype or with read among it, from the rule file and from {@code inject-error.N.} options
     * (blkdebug's errno defaults to EIO).
     */
    static java.util.Set<String> readRuleErrors(Case c) {
        return ruleErrors(c, (event, iotype) -> iotype == null || iotype.contains("read"));
    }

    /**
     * The error texts (positive errnos) of the session's inject-error rules whose event and iotype
     * (null: none given) {@code which} accepts, from the rule file and from {@code inject-error.N.} options.
     */
    private static java.util.Set<String> ruleErrors(Case c, java.util.function.BiPredicate<String, String> which) {
        java.util.Set<String> errors = new java.util.HashSet<>();
        String rules = c.session().rules();
        if (rules != null) {
            for (String section : rules.split("(?=\\[)")) {
                if (section.startsWith("[inject-error]")) {
                    addRuleError(errors, which, find(section, "event\\s*=\\s*\"([^\"]*)\""),
                            find(section, "errno\\s*=\\s*\"(-?\\d+)\""), find(section, "iotype\\s*=\\s*\"([^\"]*)\""));
                }
            }
        }
        List<String> texts = new java.util.ArrayList<>(c.session().commands());
        texts.addAll(c.session().args());
        if (c.session().file() != null) {
            texts.add(c.session().file());
        }
        for (String t : texts) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("inject-error\\.(\\d+)\\.").matcher(t);
            while (m.find()) {
                String n = m.group(1);
                addRuleError(errors, which, find(t, "inject-error\\." + n + "\\.event=([^,\"\\s]+)"),
                        find(t, "inject-error\\." + n + "\\.errno=(-?\\d+)"),
                        find(t, "inject-error\\." + n + "\\.iotype=([^,\"\\s]+)"));
            }
        }
        return errors;
    }

    private static void addRuleError(java.util.Set<String> errors, java.util.function.BiPredicate<String, String> which,
            String event, String errno, String iotype) {
        int e = errno == null ? org.blkdebug.engine.Errno.EIO : Integer.parseInt(errno);
        if (e > 0 && which.test(event, iotype)) {
            errors.add(org.blkdebug.engine.Errno.message(e));
        }
    }

    /** The first group of {@code regex}'s first match in {@code text}, or null. */
    private static String find(String text, String regex) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(regex).matcher(text);
        return m.find() ? m.group(1) : null;
    }

    private static final String IMAGE_SIZE_FAILED = "(qemu-io> )*qemu-io: Failed to update the image size: .+";

    /**
     * The same as a write failing in both with another errno, for qcow2 truncate's header write
     * (its size: 8 bytes at offset 24, padded to {@code align}): QEMU's read fails, is ignored, and
     * the write's {@code pwritev} arms the rule that fails it; ours fails at the read (seed
     * 50000000 session 5289: 'Invalid argument' in QEMU, 'Input/output error' here; at close ours'
     * cache flushes then meet the read's rule, still armed here).
     */
    private static boolean headerWriteFailedInBothWithAnotherErrno(Case c, List<String> q, List<String> o, int first) {
        return c.session().format().equals("qcow2") && !c.qemu().hung() && first < q.size() && first < o.size()
                && q.get(first).matches(IMAGE_SIZE_FAILED) && o.get(first).matches(IMAGE_SIZE_FAILED);
    }

    /**
     * What kind of request a line reports, "write" or "read" (success or failure), another
     * command's name for its failure, or null for a line that reports no request.
     */
    static String requestKind(String line) {
        java.util.regex.Matcher m = REPORT.matcher(line);
        if (!m.matches()) {
            return null;
        }
        String verb = m.group(1) != null ? m.group(1) : m.group(2);
        return verb.matches("wrote|aio_write|writev?") ? "write" : verb.matches("read|aio_read|readv") ? "read" : verb;
    }

    private static final java.util.regex.Pattern REPORT = java.util.regex.Pattern.compile(
            "(?:qemu-io> )*(?:(wrote|read) \\d+/\\d+ bytes at offset \\d+|(\\w+) failed: .*)");

    private static long requestFailures(String output) {
        return output.lines().filter(l -> l.matches("(qemu-io> )*\\w+ failed: .*")).count();
    }

    /**
     * Ours printed all QEMU printed and then only reports of requests that found the node without
     * its driver (ENOMEDIUM), at least one of them a failed request.
     */
    private static boolean onlyNoMediumAfter(String qemu, String ours) {
        if (!ours.startsWith(qemu)) {
            return false;
        }
        List<String> rest = ours.substring(qemu.length()).lines().toList();
        return rest.stream().anyMatch(l -> l.matches("(qemu-io> )*\\w+ failed: No medium found"))
                && rest.stream().allMatch(l -> l.matches("(qemu-io> )*(\\w+ failed: No medium found|qemu-io: No medium inserted)"));
    }

    /** Copy-on-read: qemu-io's {@code -C}, {@code open -C}, or a read's own {@code -C}. */
    private static boolean copyOnRead(Case c) {
        return c.anyArg("-C") || c.anyCommand("open .*-C .*") || c.anyCommand("(aio_)?read (.* )?-[a-zA-Z]*C .*");
    }

    private static final java.util.regex.Pattern MAX_TRANSFER =
            java.util.regex.Pattern.compile("max-transfer[\"=:]+(\\d+)(k?)");
    private static final java.util.regex.Pattern CLUSTER_SIZE = java.util.regex.Pattern.compile("cluster_size=(\\d+)");

    /** A blkdebug {@code max-transfer} (arguments, filename or {@code open}) below the qcow2 cluster size. */
    static boolean maxTransferBelowCluster(Case c) {
        java.util.regex.Matcher cs = CLUSTER_SIZE.matcher(c.session().qcow2Opts() == null ? "" : c.session().qcow2Opts());
        long cluster = cs.find() ? Long.parseLong(cs.group(1)) : 65536;
        List<String> texts = new java.util.ArrayList<>(c.session().args());
        if (c.session().file() != null) {
            texts.add(c.session().file());
        }
        texts.addAll(c.session().commands());
        for (String t : texts) {
            java.util.regex.Matcher m = MAX_TRANSFER.matcher(t);
            while (m.find()) {
                long v = Long.parseLong(m.group(1)) * (m.group(2).isEmpty() ? 1 : 1024);
                if (v < cluster) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean aligned(Case c) {
        return c.anyArg(".*align[=\\\\\":]+(512|4096|4k|65536).*")
                || c.anyCommand("open .*align=(512|4096|4k|65536).*");
    }

    /** An inject-error rule: a section of the rule file, or options (arguments or an {@code open}). */
    static boolean injectRule(Case c) {
        return c.session().rules() != null && c.session().rules().contains("[inject-error]")
                || c.anyArg(".*inject-error.*") || c.anyCommand("open .*inject-error.*");
    }

    private static boolean anyRule(Case c) {
        return c.session().rules() != null || c.anyArg(".*inject-error.*") || c.anyCommand("open .*inject-error.*");
    }

    /**
     * With align set and a rule: exit status and image the same, the same lines once the errnos of
     * failed writes are masked (in any order), and the first line that differs is ours' report of
     * a failed write. On raw the image may differ: QEMU's write, gone on past its failed read,
     * wrote the block and failed later, at the FUA flush of a writethrough write (scenario 351).
     * Where QEMU hung, exit status and image say nothing (QEMU was stopped, ours went on) and ours'
     * masked lines must be among QEMU's (seed 20300000 session 14053: QEMU's write reported after
     * an aio_read that went through the pool, with a flush rule's errno).
     */
    static boolean failedRmwWriteReportsEarlier(Case c) {
        if (!aligned(c) || !anyRule(c)) {
            return false;
        }
        String qemuMasked = withoutWriteErrno(c.qemu().output());
        String oursMasked = withoutWriteErrno(c.ours().output());
        boolean sameLines = c.qemu().hung() ? sameLinesWithin(oursMasked, qemuMasked)
                : c.qemu().exit() == c.ours().exit()
                        && (c.qemu().md5().equals(c.ours().md5()) || c.session().format().equals("raw"))
                        && sortedLines(qemuMasked).equals(sortedLines(oursMasked));
        if (!sameLines) {
            return false;
        }
        List<String> o = c.ours().output().lines().toList();
        int first = firstDifference(c);
        return first != -1 && first < o.size() && writeFailures(o.get(first)) == 1;
    }

    /** The index of the first line where the outputs differ, or -1 when they are the same or one ends there. */
    private static int firstDifferenceInBoth(Case c) {
        int first = firstDifference(c);
        return first < c.qemu().output().lines().count() && first < c.ours().output().lines().count() ? first : -1;
    }

    /** The index of the first line where the outputs differ, or -1 when they are the same. */
    private static int firstDifference(Case c) {
        List<String> q = c.qemu().output().lines().toList();
        List<String> o = c.ours().output().lines().toList();
        int first = 0;
        while (first < q.size() && first < o.size() && q.get(first).equals(o.get(first))) {
            first++;
        }
        return first == q.size() && first == o.size() ? -1 : first;
    }

    /**
     * qcow2 with align set: ours says "Failed to update the image size: E" or (a shrinking
     * truncate's refcount table) "Failed to discard unused refblocks: E" where QEMU says nothing,
     * the outputs agree before it, and QEMU's next line is a failure with the same errno E. The
     * same exit status, or QEMU's 0 and ours 1 where that failure of QEMU's is an aio request's
     * (or qcow2_free_clusters' report in its error path): ours' failed truncate is the only
     * synchronous failure then. The image may differ (QEMU wrote the unread padding).
     */
    static boolean truncateMetadataRmwRead(Case c) {
        if (!c.session().format().equals("qcow2") || !aligned(c) || !anyRule(c) || c.qemu().hung()) {
            return false;
        }
        List<String> q = c.qemu().output().lines().toList();
        List<String> o = c.ours().output().lines().toList();
        for (int i = 0; i < o.size(); i++) {
            java.util.regex.Matcher m = java.util.regex.Pattern
                    .compile("(qemu-io> )*qemu-io: (Failed to (?:update the image size|discard unused refblocks)): (.+)")
                    .matcher(o.get(i));
            if (m.matches()) {
                if (c.qemu().output().contains(m.group(2)) || i >= q.size() || !q.subList(0, i).equals(o.subList(0, i))) {
                    return false;
                }
                String errno = java.util.regex.Pattern.quote(m.group(3));
                if (c.qemu().exit() == c.ours().exit()) {
                    return q.get(i).matches("(qemu-io> )*\\w+ failed: " + errno);
                }
                return c.qemu().exit() == 0 && c.ours().exit() == 1
                        && q.get(i).matches("(qemu-io> )*(aio_\\w+|qcow2_free_clusters) failed: " + errno);
            }
        }
        return false;
    }

    /**
     * With align set and a rule: {@code break pwritev T} or {@code break pwritev_done T} commands;
     * QEMU's output is ours once QEMU's "Suspended"/"Resuming" lines of every such T that QEMU
     * suspended and ours did not are taken out, and ours' failed {@code resume} or
     * {@code wait_break} of those T (nothing reached T here), with the errnos of failed writes
     * masked, as multisets: ours' writes end at their reads, so their reports come earlier (seed
     * 20300000 session 9509 before shrinking: both failed aio_writes report before
     * {@code wait_break} here, after {@code resume} in QEMU). Every such T at once: one session
     * can meet the same failed read at several breakpoints (seed 80000000 session 5396: A and C,
     * two aio_writes whose RMW reads a write_aio rule fails). Ours has a failed write, the image
     * is the same, ours' exit status is QEMU's or 1 (the failed resume).
     *
     * <p>On qcow2 a write's metadata writes (its refcount block, L2 table, L1 entry) come before its
     * data write, so a break on an event of the data write or after it ({@link #AFTER_METADATA}) is
     * one QEMU's write reaches past a metadata write's failed padding read and ours' does not (seed
     * 90000000 session 11432: an l2_alloc_write rule with iotype=read fails the L2 table's padding
     * read, the break is on write_aio; scenario 515). QEMU wrote that padding buffer's unread bytes
     * over the metadata there, so the image may differ; ours' failed write must then carry the errno
     * of a rule that can fail a read.
     */
    static boolean breakAfterFailedRmwRead(Case c) {
        boolean qcow2 = c.session().format().equals("qcow2");
        if (!aligned(c) || !anyRule(c) || c.qemu().hung()
                || writeFailures(c.ours().output()) == 0
                || c.qemu().exit() != c.ours().exit() && c.ours().exit() != 1) {
            return false;
        }
        boolean sameImage = c.qemu().md5().equals(c.ours().md5());
        if (!sameImage && !(qcow2 && failedWithReadRuleErrno(c))) {
            return false;
        }
        java.util.regex.Pattern breakOnWrite = java.util.regex.Pattern.compile(
                "break (pwritev|pwritev_done" + (qcow2 ? "|" + AFTER_METADATA : "") + ") (\\S+)");
        List<String> q = promptFree(withoutWriteErrno(c.qemu().output()));
        List<String> o = promptFree(withoutWriteErrno(c.ours().output()));
        boolean missedHere = false;
        for (String cmd : c.session().commands()) {
            java.util.regex.Matcher b = breakOnWrite.matcher(cmd);
            if (!b.matches()) {
                continue;
            }
            String tag = java.util.regex.Pattern.quote(b.group(2));
            if (o.stream().anyMatch(l -> l.matches("blkdebug: Suspended request '" + tag + "'"))) {
                continue; // reached here too: its lines must be QEMU's as they are
            }
            if (q.removeIf(l -> l.matches("blkdebug: (Suspended|Resuming) request '" + tag + "'"))) {
                missedHere = true;
                o.removeIf(l -> l.matches("wait_break: no request in flight can reach '" + tag + "'"));
            }
        }
        if (!missedHere) {
            return false;
        }
        o.removeIf(l -> l.equals("Could not resume request: No such file or directory"));
        q.sort(null);
        o.sort(null);
        return q.equals(o);
    }

    /**
     * qcow2's events of a write past its metadata writes: the zeroing of fresh clusters, the copy on
     * write of their untouched parts, the data write (block/qcow2.c, qcow2-cluster.c).
     */
    private static final String AFTER_METADATA = "cluster_alloc_space|cow_read|cow_write|write_aio";

    /** Ours printed a write's failure with the errno of a rule that can fail a read. */
    private static boolean failedWithReadRuleErrno(Case c) {
        java.util.Set<String> errors = readRuleErrors(c);
        return c.ours().output().lines().map(l -> WRITE_FAILED.matcher(l))
                .anyMatch(m -> m.matches() && errors.contains(m.group(2)));
    }

    /** The output's lines, stdin's prompts taken out (they share lines with the output). */
    private static List<String> promptFree(String s) {
        return new java.util.ArrayList<>(java.util.Arrays.stream(s.split("\n|qemu-io> ")).filter(l -> !l.isEmpty()).toList());
    }

    /**
     * qcow2 with align set and an inject-error rule on flush_to_os: the same output, other image
     * bytes, and the same exit status, or ours 1 where QEMU's is 0 in a session with a
     * {@code flush} (the flush that failed here prints nothing).
     */
    static boolean flushWritebackRmwRead(Case c) {
        if (!c.session().format().equals("qcow2") || !aligned(c) || !injectRuleOn(c, "flush_to_os") || c.qemu().hung()
                || !c.qemu().output().equals(c.ours().output()) || c.qemu().md5().equals(c.ours().md5())) {
            return false;
        }
        return c.qemu().exit() == c.ours().exit()
                || c.qemu().exit() == 0 && c.ours().exit() == 1 && c.anyCommand("flush");
    }

    private static final java.util.regex.Pattern DISCARD_FAILED = java.util.regex.Pattern.compile(
            "(?:qemu-io> )*discard failed: (.+)");
    private static final java.util.regex.Pattern DISCARD_DONE = java.util.regex.Pattern.compile(
            "(?:qemu-io> )*discard (\\d+)/\\1 bytes at offset \\d+");

    /**
     * qcow2 with align set, QEMU not hung: the only place the outputs part is a {@code discard}
     * that ours failed with the errno of an inject-error rule that can fail a read, where QEMU's
     * failed with another errno (the same exit status) or was done (its report and statistics
     * line; exit status 0 in QEMU and 1 here, or the same). The image may differ: QEMU wrote the
     * padding buffer it never read. Seed 100000000 session 6551: the L2 allocation's refcount block
     * write meets a {@code pwritev_rmw_tail} rule (EPERM); QEMU's goes on and its L1 entry write
     * meets an {@code l1_update} rule (EIO).
     */
    static boolean discardMetadataRmwRead(Case c) {
        if (!c.session().format().equals("qcow2") || !aligned(c) || !injectRule(c) || c.qemu().hung()) {
            return false;
        }
        List<String> q = c.qemu().output().lines().toList();
        List<String> o = c.ours().output().lines().toList();
        int first = firstDifferenceInBoth(c);
        java.util.regex.Matcher ours = DISCARD_FAILED.matcher(first == -1 ? "" : o.get(first));
        if (!ours.matches() || !readRuleErrors(c).contains(ours.group(1))) {
            return false;
        }
        java.util.regex.Matcher qemu = DISCARD_FAILED.matcher(q.get(first));
        if (qemu.matches()) {
            return !qemu.group(1).equals(ours.group(1)) && c.qemu().exit() == c.ours().exit()
                    && q.subList(first + 1, q.size()).equals(o.subList(first + 1, o.size()));
        }
        return DISCARD_DONE.matcher(q.get(first)).matches() && first + 2 <= q.size()
                && (c.qemu().exit() == c.ours().exit() || c.qemu().exit() == 0 && c.ours().exit() == 1)
                && q.subList(first + 2, q.size()).equals(o.subList(first + 1, o.size()));
    }

    /**
     * A writethrough session (no cache mode but writethrough or directsync, no {@code open}) with
     * an inject rule on {@code flush_to_disk} that fails flushes, an {@code aio_write} with a later
     * write possibly in flight beside it, QEMU not hung and the same exit status; the outputs part
     * where QEMU reports a write done and ours fails an {@code aio_write} with that rule's errno,
     * and agree after it but for qcow2's cache flush failures with that errno at close, which ours
     * may add (the rule it armed is still armed then).
     */
    static boolean fuaFlushOutlivedByRunningFlush(Case c) {
        if (c.qemu().hung() || c.qemu().exit() != c.ours().exit() || c.anyCommand("open .*")
                || c.anyArg("-n|--nocache|writeback|none|unsafe|.*cache\\.(writeback|no-flush)=(on|true).*")
                || !writeInFlightBeforeAnother(c.session().commands())) {
            return false;
        }
        java.util.Set<String> errors = ruleErrors(c, (event, iotype) -> "flush_to_disk".equals(event)
                && (iotype == null || iotype.contains("flush")));
        List<String> q = promptFree(c.qemu().output());
        List<String> o = promptFree(c.ours().output());
        int j = 0;
        while (j < q.size() && j < o.size() && q.get(j).equals(o.get(j))) {
            j++;
        }
        if (j >= q.size() || j >= o.size() || !writeDone(c, q.get(j))) {
            return false;
        }
        java.util.regex.Matcher m = WRITE_FAILED.matcher(o.get(j));
        if (!m.matches() || !m.group(1).equals("aio_write") || !errors.contains(m.group(2))) {
            return false;
        }
        int qNext = q.get(j).startsWith("wrote ") ? j + 2 : j + 1; // the report and its statistics line
        if (qNext > q.size()) {
            return false;
        }
        String closeFailure = "qemu-io: Failed to flush the (L2 table|refcount block) cache: " + java.util.regex.Pattern.quote(m.group(2));
        List<String> qRest = q.subList(qNext, q.size());
        List<String> oRest = new java.util.ArrayList<>(o.subList(j + 1, o.size()));
        while (oRest.size() > qRest.size() && oRest.getLast().matches(closeFailure)) {
            oRest.removeLast();
        }
        return oRest.equals(qRest);
    }

    /**
     * An {@code aio_write} followed by another write ({@code aio_write}, {@code write},
     * {@code writev}) with no {@code aio_flush}, {@code flush}, {@code close} or {@code open} between:
     * the first may still be in flight (its FUA flush too) when the second runs.
     */
    static boolean writeInFlightBeforeAnother(List<String> commands) {
        boolean inFlight = false;
        for (String cmd : commands) {
            String verb = cmd.trim().split("\\s+")[0];
            if (verb.matches("aio_flush|flush|close|open")) {
                inFlight = false;
            } else if (verb.matches("aio_write|write|writev")) {
                if (inFlight) {
                    return true;
                }
                inFlight = verb.equals("aio_write");
            }
        }
        return false;
    }

    /** An inject-error rule on {@code event}: in the rule file, as options, or in a json: filename. */
    static boolean injectRuleOn(Case c, String event) {
        return injectRuleKey(c, "event", java.util.regex.Pattern.quote(event));
    }

    /**
     * An inject-error rule whose {@code key} has a value matching {@code value}: a section of the
     * rule file, options {@code inject-error.N.key=}, or a {@code json:} filename's inject-error array.
     */
    private static boolean injectRuleKey(Case c, String key, String value) {
        String rules = c.session().rules();
        if (rules != null && java.util.Arrays.stream(rules.split("(?=\\[)")).anyMatch(r -> r.startsWith("[inject-error]")
                && r.matches("(?s).*" + key + "\\s*=\\s*\"" + value + "\".*"))) {
            return true;
        }
        String option = ".*inject-error\\.\\d+\\." + key + "=" + value + "\\b.*";
        String json = "(?s).*\"inject-error\"\\s*:\\s*\\[[^\\]]*\"" + key + "\"\\s*:\\s*\"" + value + "\".*";
        return c.anyArg(option) || c.anyCommand(option) || c.anyArg(json) || c.anyCommand(json);
    }

    private static String withoutWriteErrno(String output) {
        return output.replaceAll("\\b(aio_write|writev?) failed: [^\\n]*", "$1 failed: ERRNO");
    }

    /** {@code ours} holds {@code qemu}'s lines (in order) plus only failed-write lines. */
    private static boolean extraLinesAreWriteFailures(String qemu, String ours) {
        List<String> q = qemu.lines().toList();
        int i = 0;
        int extra = 0;
        for (String l : ours.lines().toList()) {
            if (i < q.size() && q.get(i).equals(l)) {
                i++;
            } else if (l.matches("(qemu-io> )*((aio_write|writev?) failed: .*|qemu-io: Failed to .*: .*)")) {
                extra++;
            } else {
                return false;
            }
        }
        return i == q.size() && extra > 0;
    }

    /** Lines reporting a failed write, writev or aio_write (a word boundary alone misses aio_write: '_' is a word character). */
    static long writeFailures(String output) {
        return output.lines().filter(l -> l.matches(".*\\b(aio_write|writev?) failed:.*")).count();
    }

    /** The documented texts ours prints where QEMU hangs, each with its difference. */
    private static final List<String[]> HANG_TEXTS = List.of(
            new String[] {"wait_break: no request in flight can reach", "D11 (a wait nothing in the script can end: QEMU hangs, ours fails)"},
            new String[] {"nothing in a script can resume it", "D11 (a wait nothing in the script can end: QEMU hangs, ours fails)"},
            new String[] {"wait_break: no blkdebug filter in this device", "D6 (wait_break without blkdebug: QEMU hangs, ours fails)"},
            new String[] {"aio_flush: request suspended at", "D4 (aio_flush with a request suspended: QEMU hangs)"},
            new String[] {"blkdebug: warning: resuming requests still suspended at exit", "D5 (a request suspended at exit: QEMU hangs)"});

    /** Why QEMU hung, as ours says it (D4, D5, D6, D11): the first documented text in ours, or null. */
    static String hangReason(String ours) {
        int first = ours.length();
        String why = null;
        for (String[] t : HANG_TEXTS) {
            int i = ours.indexOf(t[0]);
            if (i >= 0 && i < first) {
                first = i;
                why = t[1];
            }
        }
        return why;
    }

    /**
     * Where the line of the first documented text starts, or the length when there is none. The
     * line, not the text: "read: request suspended at 'D'; nothing in a script can resume it"
     * begins with words QEMU never prints (seed 20261203 session 10796).
     */
    static int hangReasonAt(String ours) {
        int best = ours.length();
        for (String[] t : HANG_TEXTS) {
            int i = ours.indexOf(t[0]);
            if (i >= 0 && i < best) {
                best = i;
            }
        }
        return best == ours.length() ? best : ours.lastIndexOf('\n', best - 1) + 1;
    }
}
